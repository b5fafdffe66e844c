"""Numbers on pages in the reader's language: 1,234,567.5 in English, 1.234.567,5 in Bahasa
Indonesia. For pages only: files and API answers (CSV, XLSX, JSON, SDMX) always carry plain,
unlocalised numbers, so a program reads them the same in every language."""

from django.utils import formats

_SWAP = str.maketrans({",": "\x00", ".": "\x01"})


def localized(text: str) -> str:
    """An English-formatted figure ("1,234.5", "-0.25 %") in the active language's separators."""
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    if (thousands, decimal) == (",", "."):
        return text
    return text.translate(_SWAP).replace("\x00", thousands).replace("\x01", decimal)
