"""The worker's periodic checkpoint of the audit chain (checkpoints.py).

django-tasks-db (0.13) has no periodic schedule, but it runs deferred tasks (`run_after`): the
task queues its own next run before it works, so a failed checkpoint (an unreadable key, a
broken chain) is tried again at the next interval and the schedule never stops. `pantau
worker` queues one run at start. Duplicates converge: a run that finds another run already
waiting in the queue does not queue a third, and a checkpoint of a head that has not moved
writes nothing. No broker, no cron entry, no second process."""

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .services import write_checkpoint

logger = logging.getLogger(__name__)


@task
def checkpoint_task() -> dict:
    schedule_next_checkpoint()
    result = write_checkpoint()
    logger.info("%s", result.message)
    checkpoint = result.checkpoint
    return {"written": result.written, "event_id": checkpoint.event_id if checkpoint else None}


def schedule_next_checkpoint() -> bool:
    """Queue the next run in PANTAU_AUDIT_CHECKPOINT_SECONDS unless one is already waiting.
    Does nothing on a backend that cannot defer (tests' immediate backend would recurse)."""
    if not checkpoint_task.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=checkpoint_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    run_after = timezone.now() + timedelta(seconds=settings.PANTAU_AUDIT_CHECKPOINT_SECONDS)
    checkpoint_task.using(run_after=run_after).enqueue()
    return True
