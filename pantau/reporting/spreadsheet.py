"""The spreadsheet round-trip of a country report, the way ministries work: download the
report as an XLSX template (one row per reportable activity), fill it offline, upload it
back, see what would change, apply all rows or none.

The template carries its identity (Member State, year, report version, plan) on a hidden
sheet, so a file uploaded to the wrong report is refused rather than half-applied. Uploads
are parsed outside any transaction (a big file must not hold the database's write lock);
`register_upload` then stores the parsed rows with each entry's version at preview time and
`apply_upload` writes exactly those rows, or nothing if anybody saved in between."""

import datetime
import io
import logging
import re
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied
from pantau.core.files import sha256_of
from pantau.core.spreadsheet_safety import FORMULA_TRIGGERS

from . import permissions
from .choices import ImplementationStatus
from .models import ActivityStatus, CountryReport, ReportUpload
from .services import ENTRY_FIELDS, ReportLocked, validate_entry_values

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bump when the layout changes: older templates are then refused with a clear message.
FORMAT_VERSION = "1"
SHEET = "Report"
META_SHEET = "_pantau"

# (header, entry field or None); the column letter is the position (A, B, ...).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Code", None),
    ("Activity", None),
    ("Status", "status"),
    ("What was done", "narrative"),
    ("Lead agency", "lead_agency"),
    ("Partners", "partners"),
    ("Period from", "period_start"),
    ("Period to", "period_end"),
)
HEADERS = [h for h, _ in COLUMNS]
TEXT_FIELDS = ("narrative", "lead_agency", "partners")
DATE_FIELDS = ("period_start", "period_end")
COLUMN_WIDTHS = (10, 70, 22, 60, 30, 30, 14, 14)
FIRST_EDITABLE_COLUMN = 3  # C: Status

# A cell starting with one of FORMULA_TRIGGERS (pantau.core.spreadsheet_safety) is read as a
# formula by spreadsheet programs (and by tools the file is later copied into): such text is
# written with a leading apostrophe.
MAX_PROBLEMS = 100
# A 10 MB XLSX is a zip; refuse one that would inflate past this (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UploadError(Exception):
    """The upload cannot be applied (it has problems, or it was applied already)."""


class UploadConflict(UploadError):
    """Entries were saved in Pantau after the preview: applying would overwrite them."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        super().__init__(
            f"{', '.join(codes)} changed in Pantau after this file was uploaded; nothing was "
            "applied. Download the template again, or upload the file again to see the "
            "differences."
        )


# --- Writing the template --------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Text safe to put in a cell: no characters XML cannot hold, and no leading formula
    character (or apostrophe, so that `_text_from_cell` gives back exactly `value`)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith((*FORMULA_TRIGGERS, "'")):
        return "'" + value
    return value


def _unneutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in (*FORMULA_TRIGGERS, "'"):
        return value[1:]
    return value


def _write_text(cell, value: str) -> None:
    cell.value = neutralise(value)
    # Explicitly text: openpyxl would otherwise store a value starting with "=" as a formula.
    cell.data_type = "s"


def _activity_text(activity) -> str:
    parts = []
    if activity.parent_id and activity.parent.heading:
        parts.append(activity.parent.heading)
    if activity.heading:
        parts.append(activity.heading)
    if activity.text:
        parts.append(f"({activity.label}) {activity.text}" if activity.parent_id else activity.text)
    return "\n".join(parts)


def _identity(report: CountryReport) -> dict[str, str]:
    return {
        "format": FORMAT_VERSION,
        "ref_area": report.member_state.code,
        "year": str(report.cycle.year),
        "version": str(report.version),
        "plan": report.cycle.plan.code,
    }


def build_template(report: CountryReport) -> bytes:
    """The report as an XLSX template: one row per reportable activity, in plan order,
    pre-filled; only the status and the columns after it are editable."""
    entries = list(report.entries.select_related("activity__parent").order_by("activity__order"))
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)

    title = ws.cell(row=1, column=1, value="ASOD Standardized Country Report")
    title.font = Font(bold=True, size=14)
    block = [
        ("Member State", f"{report.member_state.name} ({report.member_state.code})"),
        ("Year", str(report.cycle.year)),
        ("Version", str(report.version)),
        ("Status", str(report.get_status_display())),
        ("Work Plan", str(report.cycle.plan)),
    ]
    row = 2
    for label, value in block:
        ws.cell(row=row, column=1, value=label).font = bold
        _write_text(ws.cell(row=row, column=2), value)
        row += 1
    if report.is_demo:
        ws.cell(row=row, column=1, value="Illustrative demo data").font = Font(
            bold=True, color="9C0006"
        )
        row += 1
    ws.cell(
        row=row,
        column=1,
        value=(
            "Fill the Status (choose from the list), What was done, Lead agency, Partners and "
            "the period (dates as YYYY-MM-DD). Do not type formulas. Upload the file on the "
            "report's page."
        ),
    ).font = Font(italic=True)
    header_row = row + 2

    fill = PatternFill("solid", fgColor="DDE5F0")
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=header_row, column=col, value=header)
        cell.font = bold
        cell.fill = fill
    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width

    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    unlocked = Protection(locked=False)
    first = header_row + 1
    for row, entry in enumerate(entries, start=first):
        activity = entry.activity
        values: list[Any] = [
            activity.code,
            _activity_text(activity),
            ImplementationStatus(entry.status).label if entry.status else "",
            entry.narrative,
            entry.lead_agency,
            entry.partners,
            entry.period_start,
            entry.period_end,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, datetime.date):
                cell.value = value
            elif value:
                _write_text(cell, str(value))
            cell.alignment = wrap if col in (2, 4, 6) else top
            if col >= FIRST_EDITABLE_COLUMN:
                cell.protection = unlocked
            if col >= 7:
                cell.number_format = "yyyy-mm-dd"
    last = first + len(entries) - 1

    if entries:
        labels = ",".join(str(label) for label in ImplementationStatus.labels)
        status_list = DataValidation(
            type="list",
            formula1=f'"{labels}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Status",
            error="Choose a status from the list.",
        )
        status_list.add(f"C{first}:C{last}")
        ws.add_data_validation(status_list)
        dates = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(2000,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Date",
            error="Enter a date (YYYY-MM-DD).",
        )
        dates.add(f"G{first}:H{last}")
        ws.add_data_validation(dates)

    ws.freeze_panes = ws.cell(row=first, column=FIRST_EDITABLE_COLUMN)
    ws.print_title_rows = f"{header_row}:{header_row}"
    # Codes and activity texts are locked; people may still resize rows and columns.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    meta = wb.create_sheet(META_SHEET)
    for key, value in _identity(report).items():
        meta.append([key, value])
    meta.append(["generated_at", timezone.now().isoformat(timespec="seconds")])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    # Nobody unhides, renames or deletes the identity sheet by accident.
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "Pantau"
    wb.properties.title = f"{report} country report"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_filename(report: CountryReport) -> str:
    return f"pantau-{report.member_state.code}-{report.cycle.year}-v{report.version}.xlsx"


# --- Reading an upload ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason an upload cannot be applied, named by file, row and column."""

    file: str
    message: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _TooManyProblems(Exception):
    pass


def _column_name(index: int) -> str:
    letter = get_column_letter(index)
    return f"{letter} ({HEADERS[index - 1]})" if index <= len(HEADERS) else letter


def _file_name(uploaded_file) -> str:
    return str(getattr(uploaded_file, "name", "") or "upload.xlsx").rsplit("/", 1)[-1][:255]


def _file_size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    uploaded_file.seek(0)
    return int(size)


def _norm_text(value: str) -> str:
    # Spreadsheets store "\r\n" (as the web form sends it) as "\n": compare without it.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _text_from_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _norm_text(_unneutralise(str(value)))


def _status_lookup() -> dict[str, str]:
    lookup = {key.lower(): key for key in ImplementationStatus.values}
    for key, label in ImplementationStatus.choices:
        lookup[str(label).lower()] = key
    return lookup


def _read_identity(wb) -> dict[str, str]:
    identity = {}
    for key, value, *_ in wb[META_SHEET].iter_rows(max_col=2, values_only=True):
        if key is not None:
            identity[str(key)] = "" if value is None else str(value)
    return identity


def _identity_problem(report: CountryReport, found: dict[str, str]) -> str | None:
    ours = _identity(report)
    if found.get("format") != ours["format"]:
        return (
            f"this template is in an older or unknown format ({found.get('format') or '?'}); "
            "download a new template from the report's page"
        )
    if found.get("plan") != ours["plan"]:
        return (
            f"this template is for the {found.get('plan')} Work Plan, not the {ours['plan']} "
            "Work Plan"
        )

    def name(ident: dict[str, str], with_version: bool) -> str:
        text = f"{ident.get('ref_area')} {ident.get('year')}"
        return f"{text} version {ident.get('version')}" if with_version else text

    keys = ("ref_area", "year", "version")
    if any(found.get(k) != ours[k] for k in keys):
        with_version = (
            found.get("ref_area") == ours["ref_area"] and found.get("year") == ours["year"]
        )
        return (
            f"this template is for {name(found, with_version)}, not {name(ours, with_version)}; "
            "download the template from this report's page"
        )
    return None


def parse_upload(report: CountryReport, uploaded_file) -> ParseResult:
    """Read an uploaded template into rows of entry values, or say every problem it has.
    Nothing is written; the file is streamed (read-only mode)."""
    name = _file_name(uploaded_file)

    def refuse(message: str) -> ParseResult:
        return ParseResult(problems=[Problem(name, message)])

    limit = settings.PANTAU_MAX_UPLOAD_BYTES
    size = _file_size(uploaded_file)
    if size > limit:
        return refuse(
            f"the file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB"
        )
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return refuse("not an XLSX workbook (save it from your spreadsheet program as .xlsx)")
    if inflated > MAX_UNCOMPRESSED_BYTES:
        return refuse("not an XLSX workbook this system can read (its content is too large)")
    uploaded_file.seek(0)
    try:
        wb = load_workbook(uploaded_file, read_only=True, data_only=False)
    except Exception:
        # Untrusted input: any failure to open it means it is not a workbook we can read.
        logger.info("Unreadable upload %s", name, exc_info=True)
        return refuse("not an XLSX workbook (save it from your spreadsheet program as .xlsx)")
    try:
        return _parse_workbook(report, wb, name)
    except Exception:
        logger.info("Unreadable upload %s", name, exc_info=True)
        return refuse("not an XLSX workbook this system can read")
    finally:
        wb.close()


def _parse_workbook(report: CountryReport, wb, name: str) -> ParseResult:
    if META_SHEET not in wb.sheetnames:
        return ParseResult(
            problems=[
                Problem(
                    name,
                    "this workbook is not a Pantau template (it has no _pantau sheet); "
                    "download the template from the report's page and fill that",
                )
            ]
        )
    if message := _identity_problem(report, _read_identity(wb)):
        return ParseResult(problems=[Problem(name, message)])
    if SHEET not in wb.sheetnames:
        return ParseResult(problems=[Problem(name, f'the sheet "{SHEET}" is missing')])

    known = {
        code: None
        for code in report.entries.order_by("activity__order").values_list(
            "activity__code", flat=True
        )
    }
    statuses = _status_lookup()
    status_labels = ", ".join(str(label) for label in ImplementationStatus.labels)
    plan_code = report.cycle.plan.code
    result = ParseResult()
    seen: dict[str, int] = {}

    def problem(row: int | None, column: int | None, message: str) -> None:
        if len(result.problems) >= MAX_PROBLEMS:
            result.problems.append(
                Problem(name, f"more than {MAX_PROBLEMS} problems; fix these and upload again")
            )
            raise _TooManyProblems
        result.problems.append(Problem(name, message, row, _column_name(column) if column else ""))

    ws = wb[SHEET]
    # The dimension a file declares may be wrong; read every row it really has.
    ws.reset_dimensions()
    header_row = None
    try:
        for number, cells in enumerate(ws.iter_rows(), start=1):
            for index, cell in enumerate(cells, start=1):
                if cell.data_type == "f":
                    problem(number, index, "formulas are not accepted; type the value instead")
            values = [cell.value for cell in cells[: len(COLUMNS)]]
            values += [None] * (len(COLUMNS) - len(values))
            if header_row is None:
                if isinstance(values[0], str) and values[0].strip().lower() == "code":
                    header_row = number
                    for index, header in enumerate(HEADERS, start=1):
                        found = _text_from_cell(values[index - 1])
                        if found.lower() != header.lower():
                            problem(number, index, f'the header should be "{header}"')
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row = _parse_row(number, values, cells, statuses, status_labels, problem)
            if row is None:
                continue
            code = row["code"]
            if code not in known:
                problem(
                    number,
                    1,
                    f'"{code}" is not a reportable activity of the {plan_code} Work Plan',
                )
            elif code in seen:
                problem(number, 1, f"{code} appears twice (first in row {seen[code]})")
            else:
                seen[code] = number
                result.rows.append(row)
    except _TooManyProblems:
        pass
    if header_row is None and len(result.problems) < MAX_PROBLEMS:
        problem(None, None, f"no header row ({' | '.join(HEADERS)}) on the {SHEET} sheet")
    order = {code: i for i, code in enumerate(known)}
    result.rows.sort(key=lambda r: order.get(r["code"], 0))
    return result


def _parse_row(number, values, cells, statuses, status_labels, problem) -> dict | None:
    code = _text_from_cell(values[0])
    if not code:
        problem(number, 1, "the activity code is missing")
        return None
    row: dict[str, Any] = {"row": number, "code": code}
    raw_status = values[2]
    status = _text_from_cell(raw_status)
    if status and status.lower() not in statuses:
        problem(number, 3, f'"{status}" is not a status; use one of: {status_labels}')
    row["status"] = statuses.get(status.lower(), "") if status else ""
    for index, (_, f) in enumerate(COLUMNS, start=1):
        if f in TEXT_FIELDS:
            text = _text_from_cell(values[index - 1])
            max_length = getattr(ActivityStatus._meta.get_field(f), "max_length", None)
            if max_length and len(text) > max_length:
                problem(number, index, f"longer than {max_length} characters")
            row[f] = text
    for index, (_, f) in enumerate(COLUMNS, start=1):
        if f in DATE_FIELDS:
            cell = cells[index - 1] if index <= len(cells) else None
            row[f] = _date_from_cell(number, index, values[index - 1], cell, problem)
    start, end = row["period_start"], row["period_end"]
    if start and end and end < start:
        problem(number, 8, f"the period ends ({end}) before it starts ({start})")
    return row


def _date_from_cell(number: int, index: int, value: Any, cell, problem) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str) and ISO_DATE.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    shown = value.isoformat() if isinstance(value, datetime.datetime) else value
    problem(number, index, f'"{shown}" is not a date; enter a date or YYYY-MM-DD')
    return None


# --- Preview -----------------------------------------------------------------------------------


def _entry_values(entry: ActivityStatus) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in ENTRY_FIELDS:
        value = getattr(entry, f)
        values[f] = value.isoformat() if isinstance(value, datetime.date) else (value or None)
    for f in ("status", *TEXT_FIELDS):
        values[f] = values[f] or ""
    return values


def _comparable(f: str, value: Any) -> Any:
    return _norm_text(value or "") if f in ("status", *TEXT_FIELDS) else (value or None)


def _is_empty(values: dict[str, Any]) -> bool:
    return not any(_comparable(f, values.get(f)) for f in ENTRY_FIELDS)


def preview(report: CountryReport, rows: list[dict]) -> list[dict]:
    """What applying `rows` would do to each entry: created (the entry was empty and gets a
    value), changed (some field differs) or unchanged, with the entry's current version."""
    entries = {e.activity.code: e for e in report.entries.select_related("activity").order_by()}
    items = []
    for row in rows:
        entry = entries[row["code"]]
        before = _entry_values(entry)
        after = {f: row.get(f) for f in ENTRY_FIELDS}
        fields = [f for f in ENTRY_FIELDS if _comparable(f, before[f]) != _comparable(f, after[f])]
        if not fields:
            change = "unchanged"
        elif _is_empty(before):
            change = "created"
        else:
            change = "changed"
        items.append(
            {
                "row": row.get("row"),
                "code": row["code"],
                "version": entry.version,
                "change": change,
                "fields": fields,
                "before": before,
                "after": after,
            }
        )
    return items


def counts(items: list[dict]) -> dict[str, int]:
    result = {"created": 0, "changed": 0, "unchanged": 0}
    for item in items:
        result[item["change"]] += 1
    return result


def stale_codes(upload: ReportUpload) -> list[str]:
    """Activities saved in Pantau since the upload's preview (applying would be refused)."""
    versions = dict(upload.report.entries.values_list("activity__code", "version").order_by())
    return [r["code"] for r in upload.rows if versions.get(r["code"]) != r["version"]]


# --- Services ----------------------------------------------------------------------------------


def _check_can_edit(acting_user, report: CountryReport) -> None:
    if not permissions.can_edit_report(acting_user, report):
        if permissions.is_national_reporter(acting_user, report):
            raise ReportLocked(
                f"{report} is {report.get_status_display().lower()}: entries are read-only"
            )
        raise PermissionDenied("Only the country's focal points and approver fill its report")


def register_upload(*, acting_user: User, report: CountryReport, uploaded_file) -> ReportUpload:
    """Parse an uploaded template and keep what it would do (or its problems) for preview.
    The parsing runs before the transaction: a slow file must not hold the write lock."""
    _check_can_edit(acting_user, report)
    result = parse_upload(report, uploaded_file)
    sha256 = sha256_of(uploaded_file)
    with transaction.atomic():
        current = (
            CountryReport.objects.select_for_update(of=("self",))
            .select_related("member_state", "cycle__plan")
            .get(pk=report.pk)
        )
        _check_can_edit(acting_user, current)
        items = preview(current, result.rows) if result.ok else []
        upload = ReportUpload.objects.create(
            report=current,
            file_name=_file_name(uploaded_file),
            sha256=sha256,
            rows=items,
            problems=[p.as_dict() for p in result.problems],
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        record(
            actor=acting_user,
            action="reporting.upload.register",
            obj=upload,
            member_state=current.member_state.code,
            after={
                "file_name": upload.file_name,
                "sha256": sha256,
                "rows": len(items),
                "problems": len(result.problems),
                **counts(items),
            },
        )
    return upload


def _snapshot(values: dict[str, Any], version: int) -> dict[str, Any]:
    return {f: values.get(f) for f in ENTRY_FIELDS} | {"version": version}


@transaction.atomic
def apply_upload(*, acting_user: Actor, upload: ReportUpload) -> dict[str, int]:
    """Write every row of a previewed upload, or nothing: refused when the upload had
    problems, was applied already, or when any of its entries changed since the preview."""
    report = (
        CountryReport.objects.select_for_update(of=("self",))
        .select_related("member_state", "cycle")
        .get(pk=upload.report_id)
    )
    _check_can_edit(acting_user, report)
    upload = ReportUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.applied_at is not None:
        raise UploadError(
            f"{upload.file_name} was applied on {upload.applied_at:%Y-%m-%d %H:%M}; "
            "upload the file again to apply it again"
        )
    if upload.problems:
        raise UploadError(f"{upload.file_name} has problems: fix them and upload it again")

    entries = {
        e.activity.code: e
        for e in ActivityStatus.objects.select_for_update(of=("self",))
        .select_related("activity")
        .filter(report=report)
    }
    conflicts = [
        item["code"]
        for item in upload.rows
        if item["code"] not in entries or entries[item["code"]].version != item["version"]
    ]
    if conflicts:
        raise UploadConflict(conflicts)

    now = timezone.now()
    for item in upload.rows:
        if item["change"] == "unchanged":
            continue
        entry = entries[item["code"]]
        changes: dict[str, Any] = {}
        for f in item["fields"]:
            value = item["after"].get(f)
            if f in DATE_FIELDS:
                changes[f] = datetime.date.fromisoformat(value) if value else None
            else:
                changes[f] = value or ""
        problems = validate_entry_values(
            {f: _entry_field(entry, changes, f) for f in ("status", *DATE_FIELDS)}
        )
        if problems:
            raise UploadError(f"{item['code']}: {'; '.join(problems)}")
        # Compare-and-set on the version read at preview time: never check-then-act.
        written = ActivityStatus.objects.filter(pk=entry.pk, version=item["version"]).update(
            **changes, version=item["version"] + 1, updated_at=now, updated_by=acting_user
        )
        if not written:
            raise UploadConflict([item["code"]])
        for f, value in changes.items():
            setattr(entry, f, value)
        entry.version = item["version"] + 1
        record(
            actor=acting_user,
            action="reporting.entry.update",
            obj=entry,
            member_state=report.member_state.code,
            before=_snapshot(item["before"], item["version"]),
            after=_snapshot(_entry_values(entry), entry.version),
        )
    result = counts(upload.rows)
    if result["created"] or result["changed"]:
        CountryReport.objects.filter(pk=report.pk).update(updated_at=now)
    upload.applied_at = now
    upload.save(update_fields=["applied_at"])
    record(
        actor=acting_user,
        action="reporting.upload.apply",
        obj=upload,
        member_state=report.member_state.code,
        after={"file_name": upload.file_name, "sha256": upload.sha256, **result},
    )
    return result


def _entry_field(entry: ActivityStatus, changes: dict[str, Any], f: str) -> Any:
    return changes[f] if f in changes else getattr(entry, f)
