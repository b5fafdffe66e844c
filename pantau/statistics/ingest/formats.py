"""Opening an exchange file with the reader of its format. Above readers.py and sdmx.py, which
it chooses between; sdmx1 (and pandas under it) is loaded only for SDMX files."""

from pathlib import Path

from ..choices import ImportFormat
from .readers import CsvReader, Reader, XlsxReader, detect_format


def open_reader(path: Path, format: str | None = None) -> Reader:
    format = format or detect_format(path)
    if format == ImportFormat.CSV:
        return CsvReader(path)
    if format == ImportFormat.XLSX:
        return XlsxReader(path)
    # sdmx1 (and pandas under it) is loaded only for SDMX files.
    from . import sdmx

    if format == ImportFormat.SDMX_CSV:
        return sdmx.SdmxCsvReader(path)
    return sdmx.SdmxMlReader(path)
