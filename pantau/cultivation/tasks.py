"""Background work of the cultivation app: boundary files uploaded on the web are parsed and
checked by the worker (`pantau worker`) in a bounded child process, never in the web request;
then every area is loaded as the state's next boundary version, or none."""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState
from pantau.statistics.ingest.sandbox import ParseFailed, run_bounded

from . import permissions
from .choices import UploadStatus
from .geo import Parsed, parse_boundary_file
from .models import (
    AdminArea,
    BoundaryVersion,
    FarmerSubmission,
    SubmissionUpload,
    SurveyAreasUpload,
)
from .services import SurveyProblems, set_survey_areas
from .xlsform import check_submissions, read_rows

UNFINISHED = (UploadStatus.PENDING, UploadStatus.RUNNING)


@task
def load_boundaries_task(boundary_id: int) -> dict:
    """Parse, check and load an uploaded boundary file (boundaries.register_boundary_file
    queued it). Idempotent: a file that has finished is left as it is."""
    return load_boundary_file(boundary_id)


def _parse_bounded(path: Path, country: str, file_name: str) -> Parsed:
    def produce(emit) -> None:
        emit(parse_boundary_file(path, country))

    spool = run_bounded(produce, what=file_name)
    try:
        return next(iter(spool))
    finally:
        spool.close()


def load_boundary_file(boundary_id: int) -> dict:
    boundary = (
        BoundaryVersion.objects.select_related("member_state", "uploaded_by")
        .filter(pk=boundary_id)
        .first()
    )
    if boundary is None:
        return {"status": "missing"}
    if boundary.status not in UNFINISHED:
        return {"status": boundary.status}
    BoundaryVersion.objects.filter(pk=boundary.pk).update(status=UploadStatus.RUNNING)
    actor = boundary.uploaded_by or SystemActor(boundary.uploaded_by_label)
    try:
        parsed = _parse_bounded(
            Path(default_storage.path(boundary.stored_name)),
            boundary.member_state.code,
            boundary.file_name,
        )
    except (ParseFailed, OSError) as exc:
        _refuse(boundary, actor, [{"feature": 0, "field": "", "message": str(exc)}])
        return {"status": UploadStatus.FAILED}
    if parsed.problems:
        _refuse(boundary, actor, [p.as_dict() for p in parsed.problems])
        return {"status": UploadStatus.FAILED, "problem_count": len(parsed.problems)}
    with transaction.atomic():
        # One loader at a time per state: the version numbers follow each other.
        MemberState.objects.select_for_update().get(pk=boundary.member_state_id)
        if not isinstance(actor, SystemActor) and not permissions.can_upload_boundaries(
            actor, boundary.member_state.code
        ):
            _refuse(
                boundary,
                actor,
                [{"feature": 0, "field": "", "message": "refused: you may no longer load them"}],
            )
            return {"status": UploadStatus.FAILED}
        version = (
            BoundaryVersion.objects.filter(member_state_id=boundary.member_state_id).aggregate(
                n=Max("version")
            )["n"]
            or 0
        ) + 1
        AdminArea.objects.bulk_create(
            AdminArea(
                boundary=boundary,
                code=a.code,
                name=a.name,
                parent_code=a.parent_code,
                level=a.level,
                geometry=a.geometry,
            )
            for a in parsed.areas
        )
        BoundaryVersion.objects.filter(pk=boundary.pk).update(
            status=UploadStatus.APPLIED,
            version=version,
            area_count=len(parsed.areas),
            problems=[],
            finished_at=timezone.now(),
        )
        boundary.refresh_from_db()
        record(
            actor=actor,
            action="cultivation.boundaries.load",
            obj=boundary,
            member_state=boundary.member_state.code,
            after={"version": version, "areas": [a.code for a in parsed.areas][:500]},
        )
    return {"status": UploadStatus.APPLIED, "version": version, "areas": len(parsed.areas)}


def _refuse(boundary: BoundaryVersion, actor, problems: list[dict]) -> None:
    with transaction.atomic():
        BoundaryVersion.objects.filter(pk=boundary.pk, status__in=UNFINISHED).update(
            status=UploadStatus.FAILED, problems=problems[:1000], finished_at=timezone.now()
        )
        record(
            actor=actor,
            action="cultivation.boundaries.refuse",
            obj=boundary,
            member_state=boundary.member_state.code,
            after={"problem_count": len(problems), "first": problems[:5]},
        )


@task
def import_submissions_task(upload_id: int) -> dict:
    """Import an export of farmer-survey submissions (ad.register_submissions_file queued
    it): every row checked in a bounded child process, then all written, or none. Idempotent
    on each submission's instance id: an answer imported again replaces the earlier one."""
    upload = (
        SubmissionUpload.objects.select_related("round__programme__member_state")
        .filter(pk=upload_id)
        .first()
    )
    if upload is None:
        return {"status": "missing"}
    if upload.status not in UNFINISHED:
        return {"status": upload.status}
    path = Path(default_storage.path(upload.stored_name))

    def produce(emit) -> None:
        emit(check_submissions(path, upload.file_name))

    try:
        spool = run_bounded(produce, what=upload.file_name)
        try:
            checked = next(iter(spool))
        finally:
            spool.close()
    except (ParseFailed, OSError) as exc:
        checked = None
        problems = [{"line": 0, "column": "", "message": str(exc)}]
    else:
        problems = checked.problems
    state = upload.round.programme.member_state.code
    actor = upload.uploaded_by or SystemActor("worker")
    with transaction.atomic():
        if problems or checked is None:
            SubmissionUpload.objects.filter(pk=upload.pk).update(
                status=UploadStatus.FAILED, problems=problems[:1000], finished_at=timezone.now()
            )
            record(
                actor=actor,
                action="cultivation.submissions.refuse",
                obj=upload,
                member_state=state,
                after={"problem_count": len(problems)},
            )
            return {"status": UploadStatus.FAILED}
        created = updated = 0
        for answer in checked.answers:
            _, was_created = FarmerSubmission.objects.update_or_create(
                round=upload.round, instance_id=answer.instance_id, defaults=answer.values
            )
            created += was_created
            updated += not was_created
        counts = {"rows": len(checked.answers), "created": created, "updated": updated}
        SubmissionUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.APPLIED, counts=counts, finished_at=timezone.now()
        )
        record(
            actor=actor,
            action="cultivation.submissions.import",
            obj=upload,
            member_state=state,
            after=counts,
        )
    return {"status": UploadStatus.APPLIED, **counts}


def _read_area_rows(path: Path, file_name: str) -> dict:
    try:
        table = read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        return {"error": f"{file_name}: neither a CSV nor an XLSX file ({exc})"}
    if not table:
        return {"error": f"{file_name}: the file is empty"}
    header = [h.strip().lower() for h in table[0]]
    rows = [
        {header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]}
        for row in table[1:]
        if any(cell.strip() for cell in row)
    ]
    return {"rows": rows}


@task
def import_survey_areas_task(upload_id: int) -> dict:
    """Set a draft survey's areas from an uploaded file (survey_files queued it)."""
    uploads = SurveyAreasUpload.objects.select_related("survey__member_state", "uploaded_by")
    upload = uploads.filter(pk=upload_id).first()
    if upload is None:
        return {"status": "missing"}
    if upload.status not in UNFINISHED:
        return {"status": upload.status}
    path = Path(default_storage.path(upload.stored_name))
    name = upload.file_name

    def produce(emit) -> None:
        emit(_read_area_rows(path, name))

    try:
        spool = run_bounded(produce, what=name)
        try:
            read = next(iter(spool))
        finally:
            spool.close()
    except (ParseFailed, OSError) as exc:
        read = {"error": str(exc)}
    problems: list[dict] = []
    if "error" in read:
        problems = [{"line": 0, "column": "", "message": read["error"]}]
    else:
        uploader = upload.uploaded_by
        assert uploader is not None  # kept by register_survey_areas_file, PROTECTed
        try:
            set_survey_areas(
                acting_user=uploader,
                survey=upload.survey,
                rows=read["rows"],
                version=None,
                first_line=2,
            )
        except SurveyProblems as exc:
            problems = [{"line": ln, "column": c, "message": m} for ln, c, m in exc.problems]
        except (ValidationError, PermissionDenied) as exc:
            problems = [
                {
                    "line": 0,
                    "column": "",
                    "message": "; ".join(exc.messages)
                    if isinstance(exc, ValidationError)
                    else str(exc),
                }
            ]
    SurveyAreasUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.FAILED if problems else UploadStatus.APPLIED,
        problems=problems[:1000],
        finished_at=timezone.now(),
    )
    return {"status": "failed" if problems else "applied", "problem_count": len(problems)}
