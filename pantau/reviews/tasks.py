"""Background work of the reviews app: building a review (`pantau worker` runs it), with its
progress in a small file the review's page reads (the build writes in one transaction at the
end, so the database cannot show the progress before)."""

import json
from pathlib import Path

from django.core.files.storage import default_storage
from django.tasks import task

from pantau.accounts.models import User
from pantau.core.exceptions import PermissionDenied

from .build import build_review
from .choices import BuildStatus
from .models import ReviewExercise

UNFINISHED = (BuildStatus.QUEUED, BuildStatus.RUNNING)


def _progress_path(exercise_id: int) -> Path:
    return Path(default_storage.path(f"reviews/progress/{exercise_id}.json"))


def record_progress(exercise_id: int, step: str, done: int, total: int) -> None:
    path = _progress_path(exercise_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"step": step, "done": done, "total": total}))
    partial.replace(path)  # atomic: the page never reads half a file


def read_progress(exercise_id: int) -> dict | None:
    """`{"step": ..., "done": n, "total": n}` of a running build, if any."""
    try:
        return json.loads(_progress_path(exercise_id).read_text())
    except (OSError, ValueError):
        return None


@task
def build_review_task(exercise_id: int, user_id: int) -> dict:
    """Build the review that services.request_build queued, as the user who asked for it.
    Idempotent: a build no longer queued or running (done, or the review moved on) is left."""
    exercise = ReviewExercise.objects.filter(pk=exercise_id).first()
    user = User.objects.filter(pk=user_id).first()
    if exercise is None or user is None:
        return {"status": "missing"}
    if exercise.build_status not in UNFINISHED:
        return {"status": exercise.build_status, "version": exercise.version}
    ReviewExercise.objects.filter(pk=exercise_id).update(build_status=BuildStatus.RUNNING)
    try:
        version = build_review(
            acting_user=user,
            exercise=exercise,
            progress=lambda step, done, total: record_progress(exercise_id, step, done, total),
        )
    except PermissionDenied as exc:
        _stop(exercise_id, f"refused: {exc}")
        return {"status": BuildStatus.FAILED}
    except Exception as exc:
        _stop(exercise_id, f"stopped by an unexpected error: {exc}")
        raise
    finally:
        _progress_path(exercise_id).unlink(missing_ok=True)
    return {"status": "built", "version": version.number, "snapshot_hash": version.snapshot_hash}


def _stop(exercise_id: int, message: str) -> None:
    ReviewExercise.objects.filter(pk=exercise_id, build_status__in=UNFINISHED).update(
        build_status=BuildStatus.FAILED, build_error=message[:2000]
    )
