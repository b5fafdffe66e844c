"""Text that a spreadsheet program would take for a formula ("CSV injection"): a cell starting
with = + - @, a tab or a carriage return. Every file Pantau writes for people to open (CSV,
XLSX) neutralises such text, with the one rule below; readers of Pantau's own files undo it.

The rule is Excel's own for text typed after an apostrophe: such text gets a leading `'`. A text
that already starts with an apostrophe followed by a trigger (or another apostrophe) gets one
more, so `unneutralise(neutralise(text)) == text` for every text. Numbers are never
neutralised: a negative number stays a number (only text cells go through `neutralise`)."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = (*FORMULA_TRIGGERS, "'")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it and never evaluates it."""
    if text.startswith(_ESCAPED) and (text[0] != "'" or text[1:].startswith(_ESCAPED)):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The text that `neutralise` was given."""
    if len(text) > 1 and text[0] == "'" and text[1] in _ESCAPED:
        return text[1:]
    return text


def csv_cell(value: object) -> object:
    """A value for csv.writer: text neutralised, numbers (and None) as they are."""
    return neutralise(value) if isinstance(value, str) else value
