"""Readers of the exchange formats. Each yields `(line_number, {COLUMN: text})`, streamed:
column names are the SDMX-CSV ones, upper-cased; values are text, stripped. A file that cannot
be read at all raises UnreadableFile naming the line."""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ..choices import ImportFormat

# A workbook is a zip of XML parts: a few megabytes may inflate to gigabytes (a "zip bomb").
# Its sizes are read from the archive's directory before anything is opened; Python's zipfile
# then never inflates a member past the size the directory states.
MAX_WORKBOOK_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
# Spreadsheet XML compresses well (10-30 times, up to ~100 for very repetitive sheets): a
# member that inflates more than this is refused, once it is larger than a megabyte.
MAX_WORKBOOK_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

# Values beyond the header's columns are collected under this key (and reported).
EXTRA = "__extra__"
# Columns of SDMX-CSV that describe the message, not the observation: accepted and ignored.
MESSAGE_COLUMNS = frozenset({"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"})


class UnreadableFile(Exception):
    def __init__(self, message: str, line: int = 0):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


class Reader(Protocol):
    format: str
    columns: list[str]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]: ...

    def estimate_rows(self) -> int | None: ...

    def close(self) -> None: ...


def normalise_column(name: object) -> str:
    return str(name or "").strip().upper()


class CsvReader:
    """The long CSV: UTF-8 with or without a byte-order mark, `,` `;` or tab separated (read
    from the header line)."""

    format: str = ImportFormat.CSV

    def __init__(self, path: Path):
        self.path = path
        # Binary: the header is decoded here, the rest by `values` (which names the line of a
        # byte that is not UTF-8).
        self._fh = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            header = self._fh.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as exc:
            self.close()
            raise UnreadableFile(_NOT_UTF8, 1) from exc
        if not header.strip():
            self.close()
            raise UnreadableFile("the file is empty (the first line must name the columns)", 1)
        self.delimiter = max(",;\t", key=header.count)
        # The header as written (SDMX-CSV readers interpret it further).
        self.header = [c.strip() for c in next(csv.reader([header], **self._dialect()))]
        self.columns = [normalise_column(c) for c in self.header]

    def _dialect(self) -> dict:
        return {"delimiter": self.delimiter, "quotechar": '"', "skipinitialspace": False}

    def estimate_rows(self) -> int | None:
        # Counting newlines runs at disk speed; quoted line breaks make it an estimate.
        lines = 0
        with open(self.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)

    def values(self) -> Iterator[tuple[int, list[str]]]:
        """`(line, texts)` of every record after the header, in the order of `columns`, as
        written (RowChecker strips them; a record of blank texts is the caller's to skip).
        The csv module reads a text stream of the rest of the file; a byte that is not UTF-8
        is then found again to name its line."""
        stream = io.TextIOWrapper(self._fh, encoding="utf-8", newline="")
        reader = csv.reader(stream, **self._dialect())
        last = 1  # physical lines read: the header's
        try:
            for values in reader:
                line = last + 1
                last = reader.line_num + 1
                if values:
                    yield line, values
        except csv.Error as exc:
            raise UnreadableFile(f"not readable as CSV ({exc})", last + 1) from exc
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_NOT_UTF8, _first_bad_line(self.path)) from exc

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """`(line, values)` of every record after the header that is not blank."""
        return ((line, v) for line, v in self.values() if any(t.strip() for t in v))

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.columns)
        for line, values in self.records():
            row = {c: v.strip() for c, v in zip(self.columns, values, strict=False)}
            if len(values) > width:
                row[EXTRA] = ",".join(values[width:])
            yield line, row

    def close(self) -> None:
        self._fh.close()


def _first_bad_line(path: Path) -> int:
    """The number of the first line of a file that is not UTF-8."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


_NOT_UTF8 = "the file is not UTF-8 text (in Excel: Save As, 'CSV UTF-8')"


class XlsxReader:
    """An Excel workbook of one sheet (or with a sheet named DATA), in the long layout: the
    first row names the columns. Read with openpyxl in read-only mode (streamed)."""

    format: str = ImportFormat.XLSX

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        check_workbook_archive(path)
        try:
            self._wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(f"not a readable Excel workbook ({exc})") from exc
        sheets = self._wb.worksheets
        named = [ws for ws in sheets if ws.title.strip().upper() == "DATA"]
        if len(sheets) == 1 or named:
            self._ws = named[0] if named else sheets[0]
        else:
            self.close()
            titles = ", ".join(ws.title for ws in sheets)
            raise UnreadableFile(
                f"the workbook has {len(sheets)} sheets ({titles}): keep one, or name the "
                "sheet to import DATA"
            )
        self._rows = self._ws.iter_rows(min_row=1, min_col=1, values_only=True)
        header = next(self._rows, None)
        if not header or not any(c not in (None, "") for c in header):
            self.close()
            raise UnreadableFile("the first row of the sheet must name the columns", 1)
        self.columns = [normalise_column(c) for c in header]
        # Trailing empty header cells are formatting, not columns.
        while self.columns and not self.columns[-1]:
            self.columns.pop()

    def estimate_rows(self) -> int | None:
        max_row = self._ws.max_row
        return max(max_row - 1, 0) if max_row else None

    def values(self) -> Iterator[tuple[int, list[str]]]:
        """`(line, texts)` of every non-empty row, in the order of `columns` (empty trailing
        cells beyond them dropped, as `rows` does)."""
        width = len(self.columns)
        for line, cells in enumerate(self._rows, start=2):
            values = [cell_text(c) for c in cells]
            if not any(values):
                continue
            while len(values) > width and not values[-1]:
                values.pop()
            yield line, values

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.columns)
        for line, cells in enumerate(self._rows, start=2):
            values = [cell_text(c) for c in cells]
            if not any(values):
                continue
            row = dict(zip(self.columns, values, strict=False))
            extra = [v for v in values[width:] if v]
            if extra:
                row[EXTRA] = ",".join(extra)
            yield line, row

    def close(self) -> None:
        self._wb.close()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def check_workbook_archive(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past MAX_WORKBOOK_UNCOMPRESSED_BYTES in
    all, or one of whose parts inflates more than MAX_WORKBOOK_RATIO times: read from the
    zip's directory, before any part is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"{path.name}: not a readable Excel workbook ({exc})") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_WORKBOOK_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"{path.name}: the workbook would unpack to {_megabytes(total)}; Pantau reads "
            f"workbooks of at most {_megabytes(MAX_WORKBOOK_UNCOMPRESSED_BYTES)} unpacked "
            "(split the file, or save it as CSV)"
        )
    for member in members:
        if member.file_size < RATIO_CHECKED_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_WORKBOOK_RATIO:
            raise UnreadableFile(
                f"{path.name}: the part {member.filename} of the workbook inflates "
                f"{ratio:,.0f} times ({_megabytes(member.compress_size)} to "
                f"{_megabytes(member.file_size)}), more than a spreadsheet does (at most "
                f"{MAX_WORKBOOK_RATIO} times): the file is refused as a possible zip bomb"
            )


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV would hold: 2020.0 -> "2020", 0.1 -> "0.1"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def detect_format(path: Path) -> str:
    """The format of a file, from its content first (a workbook is a zip), then its name."""
    with open(path, "rb") as fh:
        start = fh.read(512)
    if start.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    text = start.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return ImportFormat.SDMX_ML
    # SDMX-CSV 2.0 opens with STRUCTURE (or STRUCTURE[;] naming the sub-value delimiter).
    if SDMX_CSV_2_HEADER.match(text):
        return ImportFormat.SDMX_CSV
    return ImportFormat.CSV


SDMX_CSV_2_HEADER = re.compile(rb'^"?STRUCTURE(\[.\])?"?[,;\t]')
