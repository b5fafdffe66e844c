"""Downloads of exactly what a page shows (its table): CSV and XLSX, read back by the same
columns. Text cells never start a formula (=, +, -, @ are neutralised)."""

import csv
import io
from typing import Any

from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def table_csv(columns: list[str], rows: list[dict[str, Any]], notes: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    for note in notes:
        writer.writerow([_cell(f"# {note}")])
    return out.getvalue()


def table_xlsx(columns: list[str], rows: list[dict[str, Any]], notes: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
    about = workbook.create_sheet("About")
    for note in notes:
        about.append([_cell(note)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
