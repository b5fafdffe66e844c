"""The farmer questionnaire of alternative-development programmes (20.c, 20.d) as an XLSForm,
for ODK Collect or KoboToolbox, and the checking of the submissions exported from ODK Central
or KoboToolbox (CSV or XLSX) against it: types and choices, one row per instance id. Pure
functions; the import runs them in the worker."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
from pyxform.xls2xform import convert

FORM_ID = "pantau_ad_farmer_survey"
FORM_VERSION = "2026120501"
YES_NO = [("yes", "Yes", "Ya"), ("no", "No", "Tidak")]
SCALE = [
    (str(n), label, label_id)
    for n, label, label_id in (
        (1, "Very dissatisfied", "Sangat tidak puas"),
        (2, "Dissatisfied", "Tidak puas"),
        (3, "Neither", "Biasa saja"),
        (4, "Satisfied", "Puas"),
        (5, "Very satisfied", "Sangat puas"),
    )
]
# (type, name, English label, Indonesian label, required, constraint)
QUESTIONS = [
    ("text", "household_id", "Household code", "Kode rumah tangga", True, ""),
    ("text", "village", "Village", "Desa", False, ""),
    (
        "integer",
        "household_size",
        "Persons in the household",
        "Jumlah anggota rumah tangga",
        False,
        ". >= 1 and . <= 50",
    ),
    (
        "decimal",
        "income_usd",
        "Household income in the last 12 months (US dollars)",
        "Pendapatan rumah tangga 12 bulan terakhir (dolar AS)",
        False,
        ". >= 0",
    ),
    (
        "decimal",
        "illicit_area_ha",
        "Area under illicit crops now (hectares)",
        "Luas tanaman terlarang saat ini (hektare)",
        False,
        ". >= 0 and . <= 100",
    ),
    (
        "select_one yes_no",
        "land_tenure",
        "Does the household hold a land title or secure tenure?",
        "Apakah rumah tangga memiliki sertifikat tanah atau hak garap yang pasti?",
        False,
        "",
    ),
    (
        "select_one yes_no",
        "market_access",
        "Can the household sell its produce at a market?",
        "Dapatkah rumah tangga menjual hasil panennya di pasar?",
        False,
        "",
    ),
    (
        "select_one scale",
        "satisfaction",
        "How satisfied are you with the programme?",
        "Seberapa puas Anda dengan program ini?",
        False,
        "",
    ),
]
INSTANCE_COLUMNS = ("meta/instanceid", "meta-instanceid", "instanceid", "_uuid", "key")


def build_xlsform() -> bytes:
    """The questionnaire as an XLSForm workbook (survey, choices, settings)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(
        ["type", "name", "label::English (en)", "label::Indonesian (id)", "required", "constraint"]
    )
    survey.append(["start", "start", "", "", "", ""])
    survey.append(["end", "end", "", "", "", ""])
    for kind, name, en, id_, required, constraint in QUESTIONS:
        survey.append([kind, name, en, id_, "yes" if required else "", constraint])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Indonesian (id)"])
    for name, en, id_ in YES_NO:
        choices.append(["yes_no", name, en, id_])
    for name, en, id_ in SCALE:
        choices.append(["scale", name, en, id_])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        ["Pantau alternative-development farmer survey", FORM_ID, FORM_VERSION, "English (en)"]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xform(xlsform: bytes) -> str:
    """The XForm of an XLSForm (pyxform): raises pyxform's error on a broken form."""
    return convert(xlsform=xlsform, file_type=".xlsx").xform


@dataclass
class Answer:
    line: int
    instance_id: str
    values: dict


@dataclass
class CheckedFile:
    answers: list[Answer] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)


def _column(name: str) -> str:
    """A column of an export by its question name: Kobo and ODK prefix groups (group/name,
    group-name)."""
    name = name.strip().lower()
    if name in INSTANCE_COLUMNS:
        return "instance_id"
    return name.replace("-", "/").rsplit("/", 1)[-1]


def read_rows(path: Path) -> list[list[str]]:
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            book.close()
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def check_submissions(path: Path, file_name: str) -> CheckedFile:
    """Every row of an export checked against the questionnaire; problems with line and
    column, and the answers only when there is none."""
    out = CheckedFile()

    def problem(line: int, column: str, message: str) -> None:
        out.problems.append({"line": line, "column": column, "message": message})

    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        problem(0, "", f"{file_name}: neither a CSV nor an XLSX export ({exc})")
        return out
    if not rows:
        problem(0, "", f"{file_name}: the file is empty")
        return out
    header = [_column(h) for h in rows[0]]
    if "instance_id" not in header:
        problem(1, "", "no instance id column (meta/instanceID, _uuid or KEY)")
    if "household_id" not in header:
        problem(1, "", "no household_id column: is this an export of the Pantau questionnaire?")
    if out.problems:
        return out
    kinds = {name: kind for kind, name, *_ in QUESTIONS}
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = {header[i]: (row[i].strip() if i < len(row) else "") for i in range(len(header))}
        found = len(out.problems)
        instance = record["instance_id"].removeprefix("uuid:")
        if not instance:
            problem(line, "instance_id", "empty")
        elif instance in seen:
            problem(line, "instance_id", f"{instance} is already on line {seen[instance]}")
        else:
            seen[instance] = line
        values: dict = {}
        for name, kind in kinds.items():
            text = record.get(name, "")
            if text == "":
                values[name] = None
                if name == "household_id":
                    problem(line, name, "empty (required)")
                continue
            if kind == "integer":
                try:
                    values[name] = int(text)
                except ValueError:
                    problem(line, name, f"{text[:30]!r} is not a whole number")
                    continue
                if not 1 <= values[name] <= 50:
                    problem(line, name, "from 1 to 50")
            elif kind == "decimal":
                try:
                    number = Decimal(text)
                except InvalidOperation:
                    problem(line, name, f"{text[:30]!r} is not a number")
                    continue
                if not number.is_finite() or number < 0 or number >= Decimal("1e9"):
                    problem(line, name, "a number of zero or more")
                    continue
                if name == "illicit_area_ha" and number > 100:
                    problem(line, name, "at most 100 hectares")
                values[name] = number
            elif kind == "select_one yes_no":
                if text not in ("yes", "no"):
                    problem(line, name, f"{text[:30]!r} is not a choice (yes, no)")
                    continue
                values[name] = text == "yes"
            elif kind == "select_one scale":
                if text not in {n for n, *_ in SCALE}:
                    problem(line, name, f"{text[:30]!r} is not a choice (1 to 5)")
                    continue
                values[name] = int(text)
            else:
                values[name] = text[:200]
        if len(out.problems) == found:
            out.answers.append(Answer(line, instance[:100], values))
    if not out.answers and not out.problems:
        problem(0, "", f"{file_name}: the file has no submission")
    if out.problems:
        out.answers = []
    return out
