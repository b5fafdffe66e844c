"""Statistics files as countries send them: the long CSV and its XLSX twin."""

from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "SEX",
    "NATIONALITY",
    "OFFENCE",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]

# A Thai file: tablets, grams, persons by sex; line numbers 2-6.
GOOD_ROWS = [
    ["TH", "2020", "DRUG_SEIZURE", "METH_TABLET", "", "", "", "TABLET", "361000000", "A", ""],
    ["TH", "2020", "DRUG_SEIZURE", "METH_CRYSTAL", "", "", "", "G", "1200", "A", "in grams"],
    ["TH", "2020", "DRUG_ARREST", "_T", "F", "", "", "PERSON", "12345", "", ""],
    ["TH", "2020", "DRUG_ARREST", "_T", "M", "NATIONAL", "TRAFFICKING", "PERSON", "500", "E", ""],
    ["TH", "2021-Q1", "CULTIVATION_AREA", "", "", "", "", "M2", "25000", "P", ""],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    def line(values: list[str]) -> str:
        return delimiter.join(
            f'"{v}"' if delimiter in v or '"' in v or "\n" in v else v for v in values
        )

    text = "\n".join(line(r) for r in [header, *rows]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], *, header: list[str] = HEADER, sheets: int = 1
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Observations"
    ws.append(header)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    for n in range(1, sheets):
        wb.create_sheet(f"Notes {n}")
    wb.save(path)
    return path
