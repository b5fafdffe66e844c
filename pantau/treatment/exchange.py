"""Exchange of episodes with other systems (docs/treatment-exchange.md).

Import: a centre's or a country's own system sends its episodes as CSV or XLSX in the
documented layout. The upload is kept and queued (register_import); the background worker
(import_episodes_task, below) reads it and writes all of it or nothing: every row goes through
the same services as a form (open_episode, discharge_episode), in one transaction, and a single
problem anywhere rolls everything back and lists every problem by line and column. A second
import of the same `national_id` at the same centre updates that episode instead of
duplicating it (idempotent).

Export: the episodes a user may see (a coordinator: the country's; centre staff: their
centres') in the TDI 3.0 layout, CSV or XLSX, the read audited like any list of episodes."""

import csv
import datetime
import io
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied
from pantau.core.spreadsheet_safety import csv_cell

from . import services
from .models import Centre, Episode, EpisodeImport, ImportStatus, staff_centre_ids

MAX_ROWS = 50_000
MAX_PROBLEMS = 500
# The import layout: the client's attributes make the pseudonymous code and are then forgotten.
CLIENT_COLUMNS = ["client_initials", "client_date_of_birth", "client_sex"]
ITEM_COLUMNS = [
    "previously_treated",
    "referral_source",
    "living_status",
    "living_conditions",
    "labour_status",
    "education",
    "nationality",
    "primary_drug",
    "secondary_drugs",
    "route",
    "frequency",
    "age_first_use",
    "injected_ever",
    "injected_12_months",
    "injected_30_days",
    "needle_sharing",
]
IMPORT_COLUMNS = [
    "national_id",
    "centre",
    "start_date",
    *CLIENT_COLUMNS,
    *ITEM_COLUMNS,
    "discharge_date",
    "discharge_reason",
]
REQUIRED = {"national_id", "centre", "start_date", *CLIENT_COLUMNS, "primary_drug", "nationality"}
EXPORT_COLUMNS = [
    "episode_id",
    "national_id",
    "member_state",
    "centre",
    "centre_name",
    "centre_type",
    "client_code",
    "start_date",
    "sex",
    "age",
    *ITEM_COLUMNS,
    "discharge_date",
    "discharge_reason",
]
# Defaults of the TDI items a file leaves empty: "not known".
UNKNOWN_DEFAULTS = {
    name: "unknown"
    for name in [
        "previously_treated",
        "referral_source",
        "living_status",
        "living_conditions",
        "labour_status",
        "education",
        "route",
        "frequency",
        "injected_ever",
        "injected_12_months",
        "injected_30_days",
        "needle_sharing",
    ]
}


class UnreadableFile(Exception):
    pass


# --- reading ----------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: text}) of each data row; the header is line 1."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise UnreadableFile(_("Not a readable XLSX workbook.")) from exc
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(c).lower() for c in next(rows, ())]
        for line, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield line, dict(zip(header, map(_text, values), strict=False))
        book.close()
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_("The CSV file is not UTF-8 text.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    for values in reader:
        if any(v.strip() for v in values):
            yield reader.line_num, dict(zip(header, (v.strip() for v in values), strict=False))


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --- import -----------------------------------------------------------------------------------


def register_import(*, acting_user, uploaded_file) -> EpisodeImport:
    """Keep an upload of centre staff and queue its import by the worker (never read here)."""
    centres = staff_centre_ids(acting_user)
    if not centres:
        raise PermissionDenied(_("Only the staff of a treatment centre import its episodes."))
    state = Centre.objects.filter(pk__in=centres).values_list("member_state", flat=True)[0]
    file_name = Path(uploaded_file.name or "upload").name[:200] or "upload"
    stored = default_storage.save(
        f"treatment-imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'upload'}",
        uploaded_file,
    )
    with transaction.atomic():
        job = EpisodeImport.objects.create(
            file_name=file_name,
            stored_as=stored,
            member_state_id=state,
            uploaded_by=acting_user,
            created_at=timezone.now(),
        )
        record(
            actor=acting_user,
            action="treatment.import.upload",
            obj=job,
            member_state=job.member_state.code,
            after={"file_name": file_name, "stored_as": stored},
        )
        pk = job.pk
        transaction.on_commit(lambda: import_episodes_task.enqueue(pk))
    return job


class _Refused(Exception):
    pass


def _row_arguments(row: dict[str, str], problems: list[dict], line: int) -> dict | None:
    """The services' arguments of a row, or None (its problems appended)."""
    found: list[dict] = []

    def problem(column: str, message: str) -> None:
        found.append({"line": line, "column": column, "message": message})

    for column in REQUIRED:
        if not row.get(column):
            problem(column, _("This column is required."))
    args: dict = {k: v for k, v in UNKNOWN_DEFAULTS.items()}
    for column in ITEM_COLUMNS:
        if row.get(column):
            args[column] = row[column]
    for column in ("start_date", "client_date_of_birth", "discharge_date"):
        if row.get(column):
            try:
                args[column] = _date(row[column])
            except ValueError:
                problem(column, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": row[column]})
    if row.get("age_first_use"):
        try:
            args["age_first_use"] = int(row["age_first_use"])
        except ValueError:
            problem("age_first_use", _("Not a whole number."))
    else:
        args["age_first_use"] = None
    args["secondary_drugs"] = [
        code.strip() for code in row.get("secondary_drugs", "").split("|") if code.strip()
    ]
    if row.get("discharge_date") and not row.get("discharge_reason"):
        problem("discharge_reason", _("A discharge names its reason."))
    problems.extend(found)
    return None if found else args


def _apply_row(actor: Actor, centre: Centre, national_id: str, row: dict, args: dict) -> str:
    """Create, update or leave the episode of a row; 'created', 'updated' or 'unchanged'."""
    discharge = (args.pop("discharge_date", None), row.get("discharge_reason", ""))
    client = {
        "initials": row["client_initials"],
        "date_of_birth": args.pop("client_date_of_birth"),
        "sex": row["client_sex"],
    }
    start = args.pop("start_date")
    existing = Episode.objects.filter(centre=centre, national_id=national_id).first()
    if existing is None:
        episode = services.open_episode(
            acting_user=actor,
            centre=centre,
            start_date=start,
            national_id=national_id,
            **client,
            **args,
        )
        if discharge[0]:
            services.discharge_episode(
                acting_user=actor, pk=episode.pk, discharge_date=discharge[0], reason=discharge[1]
            )
        return "created"
    return services.update_imported_episode(
        acting_user=actor,
        pk=existing.pk,
        start_date=start,
        client=client,
        items=args,
        discharge_date=discharge[0],
        discharge_reason=discharge[1] if discharge[0] else "",
    )


def run_import(job: EpisodeImport) -> EpisodeImport:
    """Read the job's file and write all of its episodes or none (see the module's docstring)."""
    actor = job.uploaded_by
    centres = {c.pk: c for c in Centre.objects.filter(pk__in=staff_centre_ids(actor))}
    problems: list[dict] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    path = Path(default_storage.path(job.stored_as))
    seen: set[tuple[int, str]] = set()
    try:
        with transaction.atomic():
            rows = 0
            header_checked = False
            for line, row in read_rows(path):
                if not header_checked:
                    missing = sorted(REQUIRED - set(row))
                    for column in missing:
                        problems.append(
                            {"line": 1, "column": column, "message": _("The column is missing.")}
                        )
                    header_checked = True
                    if missing:
                        break
                rows += 1
                if rows > MAX_ROWS or len(problems) >= MAX_PROBLEMS:
                    problems.append(
                        {"line": line, "column": "", "message": _("Too many rows or problems.")}
                    )
                    break
                args = _row_arguments(row, problems, line)
                try:
                    centre = centres.get(int(row.get("centre") or 0))
                except ValueError:
                    centre = None
                if centre is None:
                    problems.append(
                        {
                            "line": line,
                            "column": "centre",
                            "message": _("Not the id of a centre of yours: %(value)s")
                            % {"value": row.get("centre", "")},
                        }
                    )
                    continue
                national_id = row.get("national_id", "")
                if (centre.pk, national_id) in seen:
                    problems.append(
                        {
                            "line": line,
                            "column": "national_id",
                            "message": _("The same episode twice in the file."),
                        }
                    )
                    continue
                seen.add((centre.pk, national_id))
                if args is None:
                    continue
                try:
                    with transaction.atomic():
                        counts[_apply_row(actor, centre, national_id, row, args)] += 1
                except ValidationError as exc:
                    for column, messages in exc.message_dict.items():
                        column = {
                            "client.initials": "client_initials",
                            "client.date_of_birth": "client_date_of_birth",
                            "__all__": "",
                        }.get(column, column)
                        for message in messages:
                            problems.append({"line": line, "column": column, "message": message})
            if not header_checked:
                problems.append({"line": 1, "column": "", "message": _("The file has no rows.")})
            if problems:
                raise _Refused
            job.status, job.counts = ImportStatus.APPLIED, counts
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "counts", "finished_at"])
            record(
                actor=actor,
                action="treatment.import.apply",
                obj=job,
                member_state=job.member_state.code,
                after={"counts": counts},
            )
    except (_Refused, UnreadableFile) as exc:
        if isinstance(exc, UnreadableFile):
            problems = [{"line": 0, "column": "", "message": str(exc)}]
        with transaction.atomic():
            job.status, job.problems = ImportStatus.FAILED, problems[:MAX_PROBLEMS]
            job.counts, job.finished_at = {}, timezone.now()
            job.save(update_fields=["status", "problems", "counts", "finished_at"])
            record(
                actor=actor,
                action="treatment.import.refuse",
                obj=job,
                member_state=job.member_state.code,
                after={"problems": len(problems)},
            )
    return job


# --- export -----------------------------------------------------------------------------------


def export_rows(*, acting_user, member_state: str, year: int | None) -> list[list]:
    """The header and the rows of the episodes the user may see of a Member State (and year);
    the read is audited (services.list_episodes)."""
    episodes = [
        e
        for e in services.list_episodes(acting_user=acting_user, year=year)
        if e.centre.member_state.code == member_state
    ]
    rows: list[list] = [EXPORT_COLUMNS]
    for e in sorted(episodes, key=lambda e: (e.start_date, e.pk)):
        rows.append(
            [
                e.pk,
                e.national_id,
                member_state,
                e.centre_id,
                e.centre.name,
                e.centre.type,
                e.client_code,
                e.start_date.isoformat(),
                e.sex,
                e.age,
                *[
                    "|".join(getattr(e, c))
                    if c == "secondary_drugs"
                    else ("" if getattr(e, c) is None else getattr(e, c))
                    for c in ITEM_COLUMNS
                ],
                e.discharge_date.isoformat() if e.discharge_date else "",
                e.discharge_reason,
            ]
        )
    return rows


def export_file(rows: list[list], fmt: str) -> bytes:
    # Text typed by a centre (a client's local id...) never becomes a formula in a spreadsheet.
    rows = [[csv_cell(v) for v in row] for row in rows]
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "TDI"
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


@task
def import_episodes_task(job_id: int) -> dict:
    """Import an uploaded file of episodes (exchange.register_import queued it); a job that
    has finished is left as it is."""
    job = (
        EpisodeImport.objects.select_related("uploaded_by", "member_state")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return {"status": "missing" if job is None else job.status}
    EpisodeImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    job = run_import(job)
    return {"status": job.status, "counts": job.counts, "problems": len(job.problems)}
