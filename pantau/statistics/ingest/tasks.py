"""Background work of the statistics app: imports uploaded on the web, run by the worker
(`pantau worker`), so that the request never does minutes of work."""

import json
from pathlib import Path

from django.core.files.storage import default_storage
from django.tasks import task
from django.utils import timezone

from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied

from ..choices import ImportStatus
from ..models import DataImport
from .pipeline import run_import

UNFINISHED = (ImportStatus.PENDING, ImportStatus.RUNNING)


def _progress_path(data_import_id: int) -> Path:
    return Path(default_storage.path(f"imports/progress/{data_import_id}.json"))


def record_progress(data_import_id: int, phase: str, done: int, total: int | None) -> None:
    """The progress callback of a web import (pipeline.run_import calls it every
    pipeline.PROGRESS_EVERY rows, then per chunk written). The import runs in one transaction,
    which no other connection sees into before it ends, so the progress is not kept in the
    database: it goes to a small file beside the uploads, which the import's page reads."""
    path = _progress_path(data_import_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
    partial.replace(path)  # atomic: the page never reads half a file


def read_progress(data_import_id: int) -> dict | None:
    """`{"phase": "check" | "apply", "done": n, "total": n}` of a running import, if any."""
    try:
        return json.loads(_progress_path(data_import_id).read_text())
    except (OSError, ValueError):
        return None


def _clear_progress(data_import_id: int) -> None:
    _progress_path(data_import_id).unlink(missing_ok=True)


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
            acting_user=data_import.uploaded_by or SystemActor(data_import.uploaded_by_label),
            path=Path(default_storage.path(stored_name)),
            file_name=data_import.file_name,
            dry_run=data_import.dry_run,
            publish=data_import.publish,
            source=data_import.source,
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
    finally:
        _clear_progress(data_import.pk)
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
