"""Every write on statistics: loading the metadata, importing files. Each is one transaction
with its audit event (one per import, not one per value) and its permission check."""

import hashlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from pantau.audit.services import record
from pantau.core.exceptions import PermissionDenied
from pantau.core.services import upsert_audited

from . import permissions
from .choices import (
    DIMENSIONS,
    TOTAL,
    Aggregation,
    DataStatus,
    ImportStatus,
    IndicatorGroup,
    UnitKind,
)
from .imports.readers import UnreadableFile, detect_format, open_reader
from .imports.validation import KEY_LENGTH, Observation, Problem, RowValidator, Structure
from .models import Code, Codelist, DataImport, DataValue, DataValueHistory, Indicator, Unit

METADATA_FILE = Path(__file__).resolve().parent / "data" / "metadata.json"

# --- metadata ---------------------------------------------------------------------------------


class MetadataError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class MetadataLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def check_metadata(data: dict) -> list[str]:
    """Every problem of a metadata file (see data/metadata.json), as '$.path: message'."""
    problems = []
    canonical: dict[str, list[str]] = {}
    for i, unit in enumerate(data.get("units", [])):
        where = f"$.units[{i}] {unit.get('code')}"
        if unit.get("kind") not in UnitKind.values:
            problems.append(f"{where}: kind must be one of {', '.join(UnitKind.values)}")
        try:
            factor = Decimal(str(unit.get("factor")))
            if not factor.is_finite() or factor <= 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"{where}: factor must be a positive number")
            factor = Decimal(0)
        if unit.get("canonical"):
            canonical.setdefault(unit.get("kind"), []).append(unit.get("code"))
            if factor != 1:
                problems.append(f"{where}: a canonical unit has factor 1")
    for kind in UnitKind.values:
        if len(canonical.get(kind, [])) != 1:
            problems.append(f"$.units: the kind {kind} needs exactly one canonical unit")
    dimension_lists = {d.codelist for d in DIMENSIONS}
    listed = set()
    for i, codelist in enumerate(data.get("codelists", [])):
        where = f"$.codelists[{i}] {codelist.get('code')}"
        listed.add(codelist.get("code"))
        seen: set[str] = set()
        for j, code in enumerate(codelist.get("codes", [])):
            parent = code.get("parent")
            if code.get("code") in seen:
                problems.append(f"{where}.codes[{j}]: {code.get('code')} appears twice")
            if parent and parent not in seen:
                problems.append(
                    f"{where}.codes[{j}]: parent {parent!r} must be listed before {code['code']}"
                )
            seen.add(code.get("code"))
        if TOTAL not in seen:
            problems.append(f"{where}: every codelist has the total {TOTAL}")
    for missing in sorted(dimension_lists - listed):
        problems.append(f"$.codelists: the dimension codelist {missing} is missing")
    for i, indicator in enumerate(data.get("indicators", [])):
        where = f"$.indicators[{i}] {indicator.get('code')}"
        if indicator.get("group") not in IndicatorGroup.values:
            problems.append(f"{where}: group must be one of {', '.join(IndicatorGroup.values)}")
        if indicator.get("aggregation") not in Aggregation.values:
            problems.append(f"{where}: aggregation must be one of {', '.join(Aggregation.values)}")
        kinds = indicator.get("unit_kinds") or []
        if not kinds or any(k not in UnitKind.values for k in kinds):
            problems.append(f"{where}: unit_kinds must list some of {', '.join(UnitKind.values)}")
        for dim in indicator.get("dimensions", []):
            if dim not in dimension_lists:
                problems.append(f"{where}: {dim} is not a dimension of the data values")
    return problems


@transaction.atomic
def load_metadata(
    *, acting_user, data: dict, update_existing: bool = False, system: bool = False
) -> MetadataLoadResult:
    """Create the units, codelists, codes and indicators of `data` that do not exist yet.
    Existing ones are left as administrators edited them, unless `update_existing`. Idempotent:
    a second run changes and records nothing."""
    if not system and not permissions.can_manage_metadata(acting_user):
        raise PermissionDenied("Only administrators change the statistics metadata")
    problems = check_metadata(data)
    if problems:
        raise MetadataError(problems)
    result = MetadataLoadResult()

    def upsert(model, lookup: dict, values: dict, label: str):
        obj, outcome = upsert_audited(
            acting_user=acting_user,
            model=model,
            lookup=lookup,
            values=values,
            update_existing=update_existing,
        )
        if outcome == "unchanged":
            result.unchanged += 1
        else:
            getattr(result, outcome).append(label)
        return obj

    for unit in data.get("units", []):
        upsert(
            Unit,
            {"code": unit["code"]},
            {
                "name": unit["name"],
                "kind": unit["kind"],
                "factor": Decimal(str(unit["factor"])),
                "is_canonical": bool(unit.get("canonical")),
            },
            f"unit {unit['code']}",
        )
    codelists = {}
    for spec in data.get("codelists", []):
        codelist = codelists[spec["code"]] = upsert(
            Codelist,
            {"code": spec["code"]},
            {"name": spec["name"], "description": spec.get("description", "")},
            f"codelist {spec['code']}",
        )
        codes: dict[str, Code] = {}
        for order, code in enumerate(spec.get("codes", [])):
            codes[code["code"]] = upsert(
                Code,
                {"codelist": codelist, "code": code["code"]},
                {
                    "name": code["name"],
                    "description": code.get("description", ""),
                    "parent": codes[code["parent"]] if code.get("parent") else None,
                    "order": order,
                },
                f"code {spec['code']}:{code['code']}",
            )
    for order, spec in enumerate(data.get("indicators", [])):
        existed = Indicator.objects.filter(code=spec["code"]).exists()
        indicator = upsert(
            Indicator,
            {"code": spec["code"]},
            {
                "name": spec["name"],
                "definition": spec.get("definition", ""),
                "group": spec["group"],
                "unit_kinds": list(spec["unit_kinds"]),
                "aggregation": spec["aggregation"],
                "order": order,
            },
            f"indicator {spec['code']}",
        )
        wanted = {
            codelists.get(c) or Codelist.objects.get(code=c) for c in spec.get("dimensions", [])
        }
        current = set(indicator.dimensions.all())
        if wanted != current and (not existed or update_existing):
            indicator.dimensions.set(wanted)
            record(
                actor=acting_user,
                action="statistics.indicator.dimensions",
                obj=indicator,
                before={"dimensions": sorted(c.code for c in current)},
                after={"dimensions": sorted(c.code for c in wanted)},
            )
            if existed and f"indicator {spec['code']}" not in result.updated:
                result.updated.append(f"indicator {spec['code']}")
                result.unchanged -= 1
    return result


# --- imports ----------------------------------------------------------------------------------

# Rows written per statement; large enough to amortise a round trip, small enough to keep
# the existing values of a batch in memory.
BATCH_SIZE = 2000
# Problems kept (and shown); beyond this they are only counted.
MAX_PROBLEMS = 10_000
MAX_STORED_PROBLEMS = 1000
PROGRESS_EVERY = 1000

ProgressCallback = Callable[[str, int, int | None], None]

# The fields an import sets on an existing value (besides bookkeeping).
VALUE_FIELDS = ("obs_value", "reported_unit", "reported_value", "obs_status", "comment")


@dataclass
class ImportResult:
    data_import: DataImport
    counts: dict[str, int]
    problems: list[Problem]
    problem_count: int

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


@dataclass
class _Checked:
    format: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    ref_areas: set[str] = field(default_factory=set)
    indicators: set[int] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


class _Refused(Exception):
    """Raised inside the import's transaction to undo it: the database finds problems."""


class ImportDenied(PermissionDenied):
    """The file holds rows of a Member State the caller may not write. Nothing of a denied
    request is written, not even the import's record; the problems name every such row."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        denied = sum(1 for p in problems if _is_scope_problem(p))
        super().__init__(
            f"You may not write data of this file ({denied} row(s) of other Member States)"
        )


def _is_scope_problem(problem: Problem) -> bool:
    return problem.column == "REF_AREA" and problem.message.startswith("you may not write")


def run_import(
    *,
    acting_user,
    path: str | Path,
    dry_run: bool = False,
    source: str = "",
    publish: bool = False,
    progress: ProgressCallback | None = None,
    file_name: str = "",
    system: bool = False,
    data_import: DataImport | None = None,
) -> ImportResult:
    """Import a statistics file: check every row, then write all of them in one transaction,
    or none. A file with any problem writes nothing but the DataImport record listing every
    problem; a dry run writes only that record, with the counts a real run would have.
    `publish` (administrators only) publishes the values directly, with their `source`.
    `system`: run by the operator from the command line, with an administrator's rights.
    `data_import`: the pending record of a web upload (register_import), filled in instead of
    creating one."""
    path = Path(path)
    file_name = file_name or path.name
    if not system and not permissions.can_import(acting_user):
        raise PermissionDenied("You may not import statistics")
    if publish and not system and not permissions.can_publish_directly(acting_user):
        raise PermissionDenied("Only administrators publish values directly")
    source = source.strip()
    if len(source) > 300:
        raise ValueError("The source is longer than 300 characters")
    if publish and not source:
        raise ValueError("Values published directly name where they were published (source)")
    writable = None if system else permissions.writable_ref_areas(acting_user)
    is_user = getattr(acting_user, "is_authenticated", False)
    record_fields = {
        "file_name": file_name[:255],
        "sha256": _sha256(path),
        "uploaded_by": acting_user if is_user else None,
        "uploaded_by_label": (
            acting_user.get_username() if is_user else str(acting_user or "pantau import")
        )[:150],
        "created_at": timezone.now(),
        "dry_run": dry_run,
        "source": source,
        "publish": publish,
    }
    structure = Structure.load()
    checked = _check(path, structure, writable, progress)
    record_fields["format"] = checked.format or detect_format(path)
    record_fields["ref_areas"] = sorted(checked.ref_areas)
    existing = data_import
    denied = [p for p in checked.problems if _is_scope_problem(p)]
    if denied and existing is None:
        # Every problem is named (not only the denied rows), and nothing is written.
        raise ImportDenied(checked.problems)
    if checked.problem_count:
        return _finish_without_writing(
            acting_user,
            record_fields,
            ImportStatus.FAILED,
            {"rows": checked.rows},
            checked,
            existing,
        )
    if dry_run:
        counts = _apply(path, structure, writable, checked, write=False, progress=progress)
        status = ImportStatus.FAILED if checked.problem_count else ImportStatus.CHECKED
        return _finish_without_writing(
            acting_user, record_fields, status, counts, checked, existing
        )
    try:
        with transaction.atomic():
            data_import = _save_record(
                existing, record_fields | {"status": ImportStatus.RUNNING, "total": checked.rows}
            )
            counts = _apply(
                path,
                structure,
                writable,
                checked,
                write=True,
                progress=progress,
                data_import=data_import,
                acting_user=acting_user if is_user else None,
                publish=publish,
                source=source,
            )
            if checked.problem_count:
                raise _Refused
            DataImport.objects.filter(pk=data_import.pk).update(
                status=ImportStatus.APPLIED,
                counts=counts,
                progress=checked.rows,
                finished_at=timezone.now(),
            )
            data_import.refresh_from_db()
            record(
                actor=acting_user or "pantau import",
                action="statistics.import.apply",
                obj=data_import,
                member_state=_single(checked.ref_areas),
                after=_summary(data_import, checked, counts),
            )
            if counts["created"] or counts["updated"]:
                from .findings import schedule_checks  # validation rules and outliers

                schedule_checks(
                    data_import=data_import, ref_areas=checked.ref_areas, periods=checked.periods
                )
    except _Refused:
        return _finish_without_writing(
            acting_user, record_fields, ImportStatus.FAILED, counts, checked, existing
        )
    except Exception as exc:
        # Rolled back; the record says so, and the error goes on to the caller.
        checked.add([Problem(0, "", f"stopped by an unexpected error: {exc}")])
        _finish_without_writing(
            acting_user,
            record_fields,
            ImportStatus.ERROR,
            {"rows": checked.rows},
            checked,
            existing,
        )
        raise
    return ImportResult(data_import, counts, [], 0)


def register_import(*, acting_user, uploaded_file, dry_run: bool = False) -> DataImport:
    """Keep a file uploaded on the web under MEDIA_ROOT/imports/ and queue its import: a
    pending DataImport now, and once that is committed the background task
    (tasks.run_import_task) that runs run_import on it, reporting its progress in the record."""
    if not permissions.can_import(acting_user):
        raise PermissionDenied("You may not import statistics")
    file_name = Path(uploaded_file.name or "upload").name[:200] or "upload"
    stored = default_storage.save(
        f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'upload'}",
        uploaded_file,
    )
    path = Path(default_storage.path(stored))
    with transaction.atomic():
        data_import = DataImport.objects.create(
            file_name=file_name,
            sha256=_sha256(path),
            format=detect_format(path),
            uploaded_by=acting_user,
            uploaded_by_label=acting_user.get_username()[:150],
            created_at=timezone.now(),
            dry_run=dry_run,
            status=ImportStatus.PENDING,
        )
        record(
            actor=acting_user,
            action="statistics.import.upload",
            obj=data_import,
            after={
                "file_name": file_name,
                "sha256": data_import.sha256,
                "format": data_import.format,
                "dry_run": dry_run,
                "stored_as": stored,
            },
        )
        from .tasks import run_import_task  # the task module imports this one

        pk = data_import.pk
        transaction.on_commit(lambda: run_import_task.enqueue(pk, stored))
    return data_import


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _single(areas: set[str]) -> str:
    return next(iter(areas)) if len(areas) == 1 else ""


def _observations(
    path: Path,
    structure: Structure,
    writable: frozenset[str] | None,
    checked: _Checked,
    progress: ProgressCallback | None,
    phase: str,
    total: int | None = None,
) -> Iterator[tuple[int, Observation | None, list[Problem]]]:
    """Read and validate the file, row by row. Problems of the file as a whole (unreadable,
    wrong header) are added to `checked` and end the reading."""
    try:
        reader = open_reader(path)
    except UnreadableFile as exc:
        checked.add([Problem(exc.line, "", exc.message)])
        return
    try:
        checked.format = reader.format
        validator = RowValidator(structure, writable)
        header_problems = validator.check_header(reader.columns)
        if header_problems:
            checked.add(header_problems)
            return
        if total is None:
            total = reader.estimate_rows()
        done = 0
        try:
            for line, row in reader.rows():
                observation, problems = validator.validate(line, row)
                yield line, observation, problems
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(phase, done, total)
        except UnreadableFile as exc:
            checked.add([Problem(exc.line, "", exc.message)])
        if progress:
            progress(phase, done, done)
    finally:
        reader.close()


def _check(
    path: Path,
    structure: Structure,
    writable: frozenset[str] | None,
    progress: ProgressCallback | None,
) -> _Checked:
    """The first pass: every row checked, nothing written. Keys are remembered by a 128-bit
    digest (a few dozen bytes a row), so a million-row file fits in memory."""
    checked = _Checked()
    first_line: dict[bytes, int] = {}
    for line, observation, problems in _observations(
        path, structure, writable, checked, progress, "check"
    ):
        checked.rows += 1
        if problems:
            checked.add(problems)
            continue
        assert observation is not None
        digest = hashlib.blake2b(
            "\x1f".join(map(str, observation.key)).encode(), digest_size=16
        ).digest()
        previous = first_line.setdefault(digest, line)
        if previous != line:
            checked.add(
                [Problem(line, "", f"the same observation as line {previous} (duplicate key)")]
            )
            continue
        checked.ref_areas.add(observation.ref_area)
        checked.indicators.add(observation.indicator_id)
        checked.periods.add(observation.time_period)
    if not checked.rows and not checked.problem_count:
        checked.add([Problem(0, "", "the file has no observations")])
    return checked


def _apply(
    path: Path,
    structure: Structure,
    writable: frozenset[str] | None,
    checked: _Checked,
    *,
    write: bool,
    progress: ProgressCallback | None,
    data_import: DataImport | None = None,
    acting_user=None,
    publish: bool = False,
    source: str = "",
) -> dict[str, int]:
    """The second pass, in the import's transaction: compare each observation with the stored
    value of its key and create, update (keeping the old value in the history) or leave it.
    Rules that need the stored values (a published value changes only by a publishing import)
    add problems to `checked`; the caller then rolls everything back. Without `write` (a dry
    run) it only counts."""
    counts = {"rows": checked.rows, "created": 0, "updated": 0, "unchanged": 0}
    now = timezone.now()
    status = DataStatus.PUBLISHED if publish else DataStatus.DRAFT
    batch: list[tuple[int, Observation]] = []
    # A new value is a plain row (no model instance): the observation, then _NEW_TAIL_FIELDS.
    new_tail = (
        source,
        data_import.pk if data_import else None,
        status,
        False,
        False,
        1,
        now,
        acting_user.pk if acting_user else None,
    )

    def flush() -> None:
        existing = _existing_values([o for _, o in batch], lock=write)
        new: list[tuple] = []
        changed, history, problems = [], [], []
        for line, obs in batch:
            current = existing.get(obs.key)
            if current is None:
                new.append((*obs, *new_tail))
                continue
            if not _differs(current, obs, source=source, publish=publish):
                counts["unchanged"] += 1
                continue
            if current["status"] == DataStatus.PUBLISHED and not publish:
                problems.append(
                    Problem(
                        line,
                        "OBS_VALUE",
                        f"the published value {current['obs_value']:g} would change; published "
                        "values are replaced only by an administrator's publishing import",
                    )
                )
                continue
            history.append(_history_of(current, now=now, replaced_by=data_import))
            changed.append(
                DataValue(
                    **{k: v for k, v in current.items() if k != "id"}
                    | {name: getattr(obs, name) for name in VALUE_FIELDS}
                    | {
                        "source": source or current["source"],
                        "status": status if publish else current["status"],
                        "is_derived": False,
                        "data_import_id": data_import.pk if data_import else None,
                        "version": current["version"] + 1,
                        "updated_at": now,
                        "updated_by_id": acting_user.pk if acting_user else None,
                    }
                )
            )
        counts["created"] += len(new)
        counts["updated"] += len(changed)
        checked.add(problems)
        if write and not checked.problem_count:
            _insert_new(new)
            DataValueHistory.objects.bulk_create(history, batch_size=BATCH_SIZE)
            # An upsert on the key: one statement a batch (bulk_update's CASE per row and field
            # grows quadratically).
            DataValue.objects.bulk_create(
                changed,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=_UNIQUE_FIELDS,
                update_fields=_UPDATED_FIELDS,
            )
        batch.clear()

    for line, observation, problems in _observations(
        path, structure, writable, checked, progress, "apply", total=checked.rows
    ):
        if problems or observation is None:
            # The first pass accepted every row: the file changed while it was imported.
            raise RuntimeError(f"{path} changed during the import (line {line})")
        batch.append((line, observation))
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    return counts


_OBSERVATION_FIELDS = (
    "indicator_id",
    *(d.field for d in DIMENSIONS),
    "unit_kind",
    "ref_area",
    "time_period",
    "year",
    *VALUE_FIELDS[:3],
    "obs_status",
    "comment",
)
assert Observation._fields == _OBSERVATION_FIELDS
_UPDATED_FIELDS = [
    *VALUE_FIELDS,
    "source",
    "status",
    "is_derived",
    "data_import",
    "version",
    "updated_at",
    "updated_by",
]


# The columns of a new value after those of its observation (see _apply's new_tail).
_NEW_TAIL_FIELDS = (
    "source",
    "data_import",
    "status",
    "is_derived",
    "is_demo",
    "version",
    "updated_at",
    "updated_by",
)


def _insert_new(rows: list[tuple]) -> None:
    """Write a batch of new values, set-based and without model instances (building and
    preparing a DataValue per row cost four times the insert itself): PostgreSQL COPYs them
    in, SQLite runs one prepared INSERT for all of them. In the import's transaction; the
    table's constraints hold as for any insert (a key written meanwhile by another import
    fails the whole import)."""
    if not rows:
        return
    meta = DataValue._meta
    names = (*(f.removesuffix("_id") for f in _OBSERVATION_FIELDS), *_NEW_TAIL_FIELDS)
    by_name = {f.name: f.column for f in meta.concrete_fields}
    columns = [by_name[name] or name for name in names]
    table = connection.ops.quote_name(meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        at = names.index("updated_at")
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(*row[:at], adapt(row[at]), *row[at + 1 :]) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        # Names from the model's metadata, quoted; every value is a parameter.
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608  # nosec B608 - quoted model names, values are parameters
        cursor.executemany(insert, rows)


# What is read of a stored value: enough to compare it, keep it in the history and update it,
# as plain dicts (building model instances for unchanged values would cost more than the query).
_STORED_FIELDS = (
    "id",
    *_OBSERVATION_FIELDS,
    "source",
    "status",
    "is_derived",
    "version",
    "data_import_id",
    "updated_at",
    "updated_by_id",
)
_KEY_FIELDS = _OBSERVATION_FIELDS[:KEY_LENGTH]
_UNIQUE_FIELDS = ["indicator", *_KEY_FIELDS[1:]]


def _existing_values(observations: list[Observation], *, lock: bool) -> dict[tuple, dict]:
    """The stored values of a batch's keys. Fetched by indicator, area and period (a superset
    of the batch: a file's rows come grouped by country and year), matched in memory."""
    queryset = DataValue.objects.filter(
        indicator_id__in={o.indicator_id for o in observations},
        ref_area__in={o.ref_area for o in observations},
        time_period__in={o.time_period for o in observations},
    )
    if lock:
        queryset = queryset.select_for_update()
    return {tuple(v[name] for name in _KEY_FIELDS): v for v in queryset.values(*_STORED_FIELDS)}


def _differs(current: dict, obs: Observation, *, source: str, publish: bool) -> bool:
    return (
        any(current[name] != getattr(obs, name) for name in VALUE_FIELDS)
        or bool(source and current["source"] != source)
        or (publish and current["status"] != DataStatus.PUBLISHED)
        or current["is_derived"]
    )


def _history_of(current: dict, *, now, replaced_by: DataImport | None) -> DataValueHistory:
    return DataValueHistory(
        value_id=current["id"],
        replaced_at=now,
        replaced_by_import=replaced_by,
        **{
            name: current[name]
            for name in (
                *VALUE_FIELDS,
                "version",
                "source",
                "status",
                "is_derived",
                "data_import_id",
                "updated_at",
                "updated_by_id",
            )
        },
    )


def _summary(data_import: DataImport, checked: _Checked, counts: dict) -> dict:
    codes = dict(Indicator.objects.filter(pk__in=checked.indicators).values_list("pk", "code"))
    return {
        "file_name": data_import.file_name,
        "sha256": data_import.sha256,
        "format": data_import.format,
        "dry_run": data_import.dry_run,
        "publish": data_import.publish,
        "source": data_import.source,
        "counts": counts,
        "ref_areas": sorted(checked.ref_areas),
        "indicators": sorted(codes.values()),
        "periods": [min(checked.periods), max(checked.periods)] if checked.periods else [],
        "problem_count": checked.problem_count,
    }


def _save_record(existing: DataImport | None, fields: dict) -> DataImport:
    """Create the import's record, or fill in the pending one of a web upload (keeping the
    time it was uploaded)."""
    if existing is None:
        return DataImport.objects.create(**fields)
    DataImport.objects.filter(pk=existing.pk).update(
        **{k: v for k, v in fields.items() if k != "created_at"}
    )
    existing.refresh_from_db()
    return existing


@transaction.atomic
def _finish_without_writing(
    acting_user,
    record_fields: dict,
    status: str,
    counts: dict,
    checked: _Checked,
    existing: DataImport | None = None,
) -> ImportResult:
    """Record a refused import or a dry run: the DataImport with its problems, and its event."""
    data_import = _save_record(
        existing,
        record_fields
        | {
            "status": status,
            "counts": counts,
            "problems": [p.as_dict() for p in checked.problems[:MAX_STORED_PROBLEMS]],
            "problem_count": checked.problem_count,
            "progress": checked.rows,
            "total": checked.rows,
            "finished_at": timezone.now(),
        },
    )
    action = "refuse" if status == ImportStatus.FAILED else "check"
    record(
        actor=acting_user or "pantau import",
        action=f"statistics.import.{action}",
        obj=data_import,
        member_state=_single(checked.ref_areas),
        after=_summary(data_import, checked, counts),
    )
    return ImportResult(data_import, counts, checked.problems, checked.problem_count)
