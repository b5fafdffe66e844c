"""Background work of the statistics app: imports uploaded on the web, run by the worker
(`pantau worker`), so that the request never does minutes of work."""

from pathlib import Path

from django.core.files.storage import default_storage
from django.tasks import task
from django.utils import timezone

from pantau.core.exceptions import PermissionDenied

from .choices import ImportStatus
from .models import DataImport
from .services import run_import

UNFINISHED = (ImportStatus.PENDING, ImportStatus.RUNNING)


def record_progress(data_import_id: int, phase: str, done: int, total: int | None) -> None:
    """The progress callback of a web import (services.run_import calls it every
    services.PROGRESS_EVERY rows). Only the check pass is recorded: the write pass runs inside
    the import's transaction, which holds the record's row, and whatever it wrote there would
    stay invisible until the end anyway. The page shows that pass as 'writing'."""
    if phase != "check":
        return
    DataImport.objects.filter(pk=data_import_id, status=ImportStatus.RUNNING).update(
        progress=done, total=total
    )


@task
def run_import_task(data_import_id: int, stored_name: str) -> dict:
    """Import an uploaded file (services.register_import queued it). Idempotent: an import
    that has finished is left as it is; one still 'running' (its worker died, its transaction
    was rolled back) is run again from the start."""
    data_import = DataImport.objects.select_related("uploaded_by").filter(pk=data_import_id).first()
    if data_import is None:
        return {"status": "missing"}
    if data_import.status not in UNFINISHED:
        return {"status": data_import.status}
    DataImport.objects.filter(pk=data_import.pk).update(
        status=ImportStatus.RUNNING, progress=0, total=None
    )
    data_import.status = ImportStatus.RUNNING
    try:
        result = run_import(
            acting_user=data_import.uploaded_by,
            path=Path(default_storage.path(stored_name)),
            file_name=data_import.file_name,
            dry_run=data_import.dry_run,
            progress=lambda phase, done, total: record_progress(data_import.pk, phase, done, total),
            data_import=data_import,
        )
    except PermissionDenied as exc:
        # The uploader lost the right to import between the upload and the run.
        _stop(data_import.pk, f"refused: {exc}")
        return {"status": ImportStatus.ERROR, "problem_count": 1}
    except Exception as exc:
        # run_import records failures of its writing pass itself; this covers the rest (a
        # file gone from the storage...). The task is marked failed with the error.
        _stop(data_import.pk, f"stopped by an unexpected error: {exc}")
        raise
    return {
        "status": result.data_import.status,
        "counts": result.counts,
        "problem_count": result.problem_count,
    }


def _stop(data_import_id: int, message: str) -> None:
    DataImport.objects.filter(pk=data_import_id, status__in=UNFINISHED).update(
        status=ImportStatus.ERROR,
        problems=[{"line": 0, "column": "", "message": message}],
        problem_count=1,
        finished_at=timezone.now(),
    )
