"""The import pipeline, in one place: read (readers, formats, sdmx) -> check (validation, against
the metadata snapshot) -> stage (staging's temporary tables) -> write, in one transaction with
its audit event (one per import, not one per value) and its permission check. run_import is
called by the background task (tasks.py) and by `pantau import`."""

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.actors import Actor, actor_label, is_user
from pantau.core.exceptions import PermissionDenied
from pantau.core.files import sha256_of

from .. import permissions
from ..checks.tasks import schedule_checks
from ..choices import DataStatus, ImportFormat, ImportStatus
from ..locks import lock_country_year
from ..models import DataImport, Indicator, ReferenceValue
from ..models.data import KEY_FIELDS
from ..read.totals import refresh_published_totals
from ..snapshot import Structure
from .formats import open_reader
from .readers import UnreadableFile, detect_format
from .sandbox import ParseFailed, Spool, run_following
from .staging import (
    STORED_DERIVED,
    STORED_ID,
    STORED_SOURCE,
    STORED_STATUS,
    STORED_VALUES,
    STORED_VERSION,
    Conflict,
    ProgressCallback,
    Staging,
)
from .staging import stored as stored_values
from .validation import EXTENDED_KEY, EXTENDED_SCOPE, Problem, RowChecker, RowValidator, extended

# --- imports ----------------------------------------------------------------------------------

# Rows written per statement; large enough to amortise a round trip, small enough to keep
# the existing values of a batch in memory.
# Problems kept (and shown); beyond this they are only counted.
MAX_PROBLEMS = 10_000
MAX_STORED_PROBLEMS = 1000
PROGRESS_EVERY = 5000
# Country-years whose stored values are kept in memory while a file is read (a file's rows
# come grouped by country and year; one that is not is still compared right, just slower).
SCOPES_KEPT = 8


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
    counts: dict[str, int] = field(default_factory=dict)
    # (ref_area, year) of the rows: the country-years whose lock the write takes.
    scopes: set[tuple[str, int]] = field(default_factory=set)
    estimate: int | None = None  # rows, as the reader estimates them before reading

    def add(self, problems: list[Problem], *, first: bool = False) -> None:
        self.problem_count += len(problems)
        if first:
            self.problems[:0] = problems
            del self.problems[MAX_PROBLEMS:]
            return
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


class _Refused(Exception):
    """Raised inside the import's transaction to undo it: the file has problems."""


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
    acting_user: Actor,
    path: str | Path,
    dry_run: bool = False,
    source: str = "",
    publish: bool = False,
    progress: ProgressCallback | None = None,
    file_name: str = "",
    system: bool = False,
    data_import: DataImport | None = None,
    reference: bool = False,
) -> ImportResult:
    """Import a statistics file: check every row, then write all of them in one transaction,
    or none. A file with any problem writes nothing but the DataImport record listing every
    problem; a dry run writes only that record, with the counts a real run would have.
    `publish` (administrators only) publishes the values directly, with their `source`.
    `system`: run by the operator from the command line, with an administrator's rights.
    `data_import`: the pending record of a web upload (register_import), filled in instead of
    creating one.
    `reference` (the Secretariat and administrators, with `source`): the file is a published
    reference table; its rows are checked the same way but written as ReferenceValue of that
    source (never DataValue: no national figure, no total changes).

    One pass reads the file: each row is checked, compared with the stored value of its key
    and, when new or changed, put in a temporary table (imports.staging). Only once the whole
    file has been read without a problem are the values' tables written, set-based, in the same
    transaction."""
    path = Path(path)
    file_name = file_name or path.name
    if reference:
        if not system and not permissions.can_import_reference(acting_user):
            raise PermissionDenied("Only the ASEAN Secretariat imports reference tables")
    elif not system and not permissions.can_import(acting_user):
        raise PermissionDenied("You may not import statistics")
    if publish and not system and not permissions.can_publish_directly(acting_user):
        raise PermissionDenied("Only administrators publish values directly")
    if reference and publish:
        raise ValueError("A reference table is not published as national figures")
    source = source.strip()
    if reference and not source:
        raise ValueError("A reference table names its source (--source)")
    if len(source) > 300:
        raise ValueError("The source is longer than 300 characters")
    if publish and not source:
        raise ValueError("Values published directly name where they were published (source)")
    # A reference table holds figures of every Member State, none of them their own.
    writable = None if system or reference else permissions.writable_ref_areas(acting_user)
    by_user = is_user(acting_user)
    record_fields: dict[str, Any] = {
        "file_name": file_name[:255],
        "sha256": sha256_of(path),
        "uploaded_by": acting_user if by_user else None,
        "uploaded_by_label": (actor_label(acting_user))[:150],
        "created_at": timezone.now(),
        "dry_run": dry_run,
        "source": source,
        "publish": publish,
        "reference": reference,
    }
    structure = Structure.load()
    checked = _Checked()
    existing = data_import

    def refuse_or_check() -> ImportResult | None:
        """After the pass: a denied file raises, a file with problems is refused; None when it
        may be written."""
        record_fields["format"] = checked.format or detect_format(path)
        record_fields["ref_areas"] = sorted(checked.ref_areas)
        if existing is None and any(_is_scope_problem(p) for p in checked.problems):
            # Every problem is named (not only the denied rows), and nothing is written.
            raise ImportDenied(checked.problems)
        if checked.problem_count:
            raise _Refused
        return None

    if dry_run:
        # Read only: no transaction, no lock (a dry run never keeps writers waiting).
        _read(
            path,
            structure,
            writable,
            checked,
            publish=publish,
            source=source,
            progress=progress,
            staging=None,
            file_name=file_name,
            reference=reference,
        )
        try:
            refuse_or_check()
        except _Refused:
            return _finish_without_writing(
                acting_user,
                record_fields,
                ImportStatus.FAILED,
                {"rows": checked.rows},
                checked,
                existing,
            )
        return _finish_without_writing(
            acting_user, record_fields, ImportStatus.CHECKED, checked.counts, checked, existing
        )
    # Read, checked, compared and staged without a lock: other writers of the same values
    # (imports, data entry, publication) are not kept waiting while the file is parsed. The
    # lock is taken for the set-based write only, which checks again what the comparison
    # relied on (a changed value still at the version compared and still a draft unless
    # published by this import, a new key still absent: else Conflict, nothing written).
    staging = None if reference else Staging()
    collected: list[tuple] = []
    try:
        _read(
            path,
            structure,
            writable,
            checked,
            publish=publish,
            source=source,
            progress=progress,
            staging=staging,
            file_name=file_name,
            reference=reference,
            collected=collected,
        )
        refuse_or_check()
        if staging is not None:
            staging.flush()
        with transaction.atomic():
            # Sorted: two imports of several country-years take their locks in one order.
            for scope in sorted(checked.scopes):
                lock_country_year(*scope)
            data_import = _save_record(
                existing, record_fields | {"status": ImportStatus.RUNNING, "total": checked.rows}
            )
            now = timezone.now()
            if staging is None:
                return _write_references(
                    acting_user, data_import, collected, checked, source=source, now=now
                )
            staging.write(
                data_import_id=data_import.pk,
                acting_user_id=acting_user.pk if by_user else None,
                publish=publish,
                source=source,
                now=now,
                progress=progress,
            )
            counts = checked.counts
            DataImport.objects.filter(pk=data_import.pk).update(
                status=ImportStatus.APPLIED,
                counts=counts,
                progress=checked.rows,
                finished_at=timezone.now(),
            )
            data_import.refresh_from_db()
            record(
                actor=acting_user,
                action="statistics.import.apply",
                obj=data_import,
                member_state=_single(checked.ref_areas),
                after=_summary(data_import, checked, counts),
            )
            if publish and (counts["created"] or counts["updated"]):
                refresh_published_totals(
                    ref_areas=checked.ref_areas,
                    years={int(period[:4]) for period in checked.periods},
                    indicator_ids=checked.indicators,
                )
            if counts["created"] or counts["updated"]:
                schedule_checks(
                    data_import=data_import, ref_areas=checked.ref_areas, periods=checked.periods
                )
    except ImportDenied:
        raise
    except (_Refused, Conflict) as exc:
        if isinstance(exc, Conflict):
            checked.add([Problem(0, "", f"{exc}; nothing was written: import the file again")])
        return _finish_without_writing(
            acting_user,
            record_fields,
            ImportStatus.FAILED,
            {"rows": checked.rows},
            checked,
            existing,
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
    finally:
        if staging is not None:
            staging.drop()
    return ImportResult(data_import, counts, [], 0)


def _single(areas: set[str]) -> str:
    return next(iter(areas)) if len(areas) == 1 else ""


# Rows a batch of the spool holds (see _parse_in_child).
SPOOL_BATCH = 2000


def _parse(path: Path, structure: Structure, writable) -> Iterator[tuple]:
    """`(line, observation tuple or None, problems)` of every row of the file, and events of the
    file as a whole: `("format", name)`, `("estimate", rows)`, `("problems", [Problem])`
    (unreadable, wrong header: these end the reading). Pure: reads the file, not the database
    (it runs in the parsing child process)."""
    try:
        reader = open_reader(path)
    except UnreadableFile as exc:
        yield "problems", [Problem(exc.line, "", exc.message)]
        return
    try:
        yield "format", reader.format
        validator = RowValidator(structure, writable)
        header_problems = validator.check_header(reader.columns)
        if header_problems:
            yield "problems", header_problems
            return
        yield "estimate", reader.estimate_rows()
        try:
            if reader.format in (ImportFormat.CSV, ImportFormat.XLSX):
                # Lists of texts, checked by the memoising fast path.
                checker = RowChecker(validator, reader.columns)
                check, slow = checker.check, checker.slow
                for line, values in reader.values():  # type: ignore[attr-defined]
                    observation = check(values)
                    if observation is not None:
                        yield line, observation, ()
                    elif any(v.strip() for v in values):  # a blank record is no row
                        observation, problems = slow(line, values)
                        yield line, observation, problems
            else:
                for line, row in reader.rows():
                    obs, problems = validator.validate(line, row)
                    yield line, (extended(obs) if obs is not None else None), problems
        except UnreadableFile as exc:
            yield "problems", [Problem(exc.line, "", exc.message)]
    finally:
        reader.close()


def _parse_in_child(path: Path, file_name: str, structure: Structure, writable) -> Spool:
    """Parse and check the file in a child process bounded in memory and time (sandbox.py),
    so that a hostile file cannot take the worker's memory and what the parser took returns
    to the system; the rows come back through a spool file, in batches, read while the child
    parses the next ones (run_following: comparing with the database and parsing overlap, on
    two cores). A child that fails raises ParseFailed from the reading. (The progress is
    reported by the pass that reads them back: a progress callback may use the database,
    which the child may not.)"""

    def produce(emit) -> None:
        batch: list = []
        for item in _parse(path, structure, writable):
            batch.append(item)
            if len(batch) >= SPOOL_BATCH:
                emit(batch)
                batch = []
        if batch:
            emit(batch)

    return run_following(produce, what=file_name or path.name)


def _rows(spool: Spool, checked: _Checked) -> Iterator[tuple]:
    """The rows of a parsed file, `(line, observation tuple or None, problems)`; the events of
    the file as a whole go to `checked`."""
    for batch in spool:
        for item in batch:
            kind = item[0]
            if isinstance(kind, int):
                yield item
            elif kind == "problems":
                checked.add(item[1])
            elif kind == "format":
                checked.format = item[1]
            elif kind == "estimate":
                checked.estimate = item[1]


def _read(
    path: Path,
    structure: Structure,
    writable: frozenset[str] | None,
    checked: _Checked,
    *,
    file_name: str = "",
    publish: bool,
    source: str,
    progress: ProgressCallback | None,
    staging: Staging | None,
    reference: bool = False,
    collected: list[tuple] | None = None,
) -> None:
    """The one pass over the file: check every row, find keys given twice, compare each
    observation with the stored value of its key, and stage what is new or changed (not with
    `staging` None: a dry run only counts). Rules that need the stored value (a published value
    changes only by a publishing import) are checked here too. Fills `checked`. The file is
    parsed and checked in a child process meanwhile (_parse_in_child)."""
    spool = _parse_in_child(path, file_name, structure, writable)
    try:
        if reference:
            _compare_references(spool, checked, source=source, collected=collected)
        else:
            _compare(
                spool, checked, publish=publish, source=source, progress=progress, staging=staging
            )
    except ParseFailed as exc:
        # The child failed after some rows were compared (and staged): the problem refuses
        # the file, so nothing staged is written. Named first: only the first problems are
        # kept and shown, and this one says why the others stop where they do.
        checked.add([Problem(0, "", str(exc))], first=True)
    finally:
        spool.close()


def _compare(
    spool: Spool,
    checked: _Checked,
    *,
    publish: bool,
    source: str,
    progress: ProgressCallback | None,
    staging: Staging | None,
) -> None:
    counts = checked.counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    # Keys seen, by their hash (a few dozen bytes a row: a million-row file fits in memory);
    # a hash seen twice is a duplicate candidate, confirmed or dismissed after the pass.
    seen: set[int] = set()
    candidates: set[int] = set()
    scopes: OrderedDict[tuple[str, int], dict[str, tuple]] = OrderedDict()
    scope: tuple[str, int] | None = None
    current: dict[str, tuple] = {}
    rows = 0
    created = updated = unchanged = 0
    # Names bound once: this loop runs once a row.
    seen_add, add_indicator, add_period = seen.add, checked.indicators.add, checked.periods.add
    stored_get = current.get
    compared, published = STORED_VALUES, str(DataStatus.PUBLISHED)
    for line, obs, problems in _rows(spool, checked):
        rows += 1
        if progress and rows % PROGRESS_EVERY == 0:
            progress("check", rows, checked.estimate)
        if problems:
            checked.add(list(problems))
            continue
        key = obs[EXTENDED_KEY]
        digest = hash(key)
        if digest in seen:
            candidates.add(digest)
            continue
        seen_add(digest)
        if obs[EXTENDED_SCOPE] != scope:
            scope = obs[EXTENDED_SCOPE]
            if scope in scopes:
                scopes.move_to_end(scope)
            else:
                checked.scopes.add(scope)
                scopes[scope] = stored_values(*scope)
                checked.ref_areas.add(obs[9])
                if len(scopes) > SCOPES_KEPT:
                    scopes.popitem(last=False)
            stored_get = scopes[scope].get
        add_indicator(obs[0])
        add_period(obs[10])
        value = stored_get(key)
        if value is None:
            created += 1
            if staging is not None:
                staging.add_new(obs)
            continue
        if (
            obs[12:17] == value[compared]
            and not value[STORED_DERIVED]
            and (not source or value[STORED_SOURCE] == source)
            and (not publish or value[STORED_STATUS] == published)
        ):
            unchanged += 1
            continue
        if value[STORED_STATUS] == published and not publish:
            checked.add(
                [
                    Problem(
                        line,
                        "OBS_VALUE",
                        f"the published value {value[compared][0]:g} would change; "
                        "published values are replaced only by an administrator's publishing "
                        "import",
                    )
                ]
            )
            continue
        updated += 1
        if staging is not None:
            staging.add_changed(value[STORED_ID], value[STORED_VERSION], obs)
    counts.update(rows=rows, created=created, updated=updated, unchanged=unchanged)
    checked.rows = rows
    if progress:
        progress("check", rows, rows)
    if candidates:
        checked.add(_duplicates(spool, candidates))
    if not rows and not checked.problem_count:
        checked.add([Problem(0, "", "the file has no observations")])


def _compare_references(
    spool: Spool, checked: _Checked, *, source: str, collected: list[tuple] | None
) -> None:
    """The pass of a reference table: the same row checks and duplicate keys as `_compare`,
    compared with the stored reference figures of `source` (never with national values, which
    it does not touch); the rows to write go to `collected` (None: a dry run only counts)."""
    stored = {
        tuple(row[:-1]): row[-1]
        for row in ReferenceValue.objects.filter(source=source).values_list(
            *KEY_FIELDS, "obs_value"
        )
    }
    counts = checked.counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    seen: set[tuple] = set()
    first: dict[tuple, int] = {}
    for line, obs, problems in _rows(spool, checked):
        counts["rows"] += 1
        if problems:
            checked.add(list(problems))
            continue
        key = tuple(obs[:11])
        if key in seen:
            checked.add(
                [Problem(line, "", f"the same observation as line {first[key]} (duplicate key)")]
            )
            continue
        seen.add(key)
        first[key] = line
        checked.ref_areas.add(obs[9])
        checked.indicators.add(obs[0])
        checked.periods.add(obs[10])
        before = stored.get(key)
        counts[
            "created" if before is None else "updated" if before != obs[12] else "unchanged"
        ] += 1
        if collected is not None:
            collected.append(obs)
    checked.rows = counts["rows"]
    if not checked.rows and not checked.problem_count:
        checked.add([Problem(0, "", "the file has no observations")])


def _write_references(
    acting_user: Actor,
    data_import: DataImport,
    collected: list[tuple],
    checked: _Checked,
    *,
    source: str,
    now,
) -> ImportResult:
    """Write a reference table's rows as ReferenceValue of `source` (one statement per batch,
    a stored figure of the same source and key replaced), inside the import's transaction."""
    fields = [f for f in KEY_FIELDS if f != "indicator"]
    ReferenceValue.objects.bulk_create(
        [
            ReferenceValue(
                indicator_id=obs[0],
                **dict(zip(fields, obs[1:11], strict=True)),
                year=obs[11],
                obs_value=obs[12],
                reported_unit=obs[13],
                reported_value=obs[14],
                source=source,
                data_import=data_import,
                updated_at=now,
            )
            for obs in collected
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["source", *KEY_FIELDS],
        update_fields=["obs_value", "reported_unit", "reported_value", "data_import", "updated_at"],
    )
    counts = checked.counts
    DataImport.objects.filter(pk=data_import.pk).update(
        status=ImportStatus.APPLIED,
        counts=counts,
        progress=checked.rows,
        finished_at=timezone.now(),
    )
    data_import.refresh_from_db()
    record(
        actor=acting_user,
        action="statistics.import.reference",
        obj=data_import,
        member_state="",
        after=_summary(data_import, checked, counts),
    )
    return ImportResult(data_import, counts, [], 0)


def _duplicates(spool: Spool, candidates: set[int]) -> list[Problem]:
    """The rows whose key an earlier row of the file already has (among the hashes seen
    twice: almost always real duplicates, but two keys may share a hash)."""
    first: dict[tuple, int] = {}
    problems = []
    for line, obs, row_problems in _rows(spool, _Checked()):
        if row_problems or obs is None:
            continue
        key = obs[EXTENDED_KEY]
        if hash(key) not in candidates:
            continue
        previous = first.setdefault(key, line)
        if previous != line:
            problems.append(
                Problem(line, "", f"the same observation as line {previous} (duplicate key)")
            )
    return problems


def _summary(data_import: DataImport, checked: _Checked, counts: dict) -> dict:
    codes = dict(Indicator.objects.filter(pk__in=checked.indicators).values_list("pk", "code"))
    return {
        "file_name": data_import.file_name,
        "sha256": data_import.sha256,
        "format": data_import.format,
        "dry_run": data_import.dry_run,
        "publish": data_import.publish,
        "reference": data_import.reference,
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
        actor=acting_user,
        action=f"statistics.import.{action}",
        obj=data_import,
        member_state=_single(checked.ref_areas),
        after=_summary(data_import, checked, counts),
    )
    return ImportResult(data_import, counts, checked.problems, checked.problem_count)
