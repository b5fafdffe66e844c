"""`pantau worker` survives the database's errors: with the queue's table locked by another
writer past the busy timeout, django_tasks_db's loop raises; ours logs it, waits and starts
again, and runs the queued task once the lock is gone. A real task, real locks."""

import logging

from django.tasks import task
from django_tasks_db.models import DBTaskResult

from pantau.site.management.commands.worker import ResilientWorker


@task
def answer() -> int:
    return 42


def test_the_worker_retries_after_a_database_error_then_runs_the_queued_task(worker_db, caplog):
    queued = answer.enqueue()
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,  # returns once the queue is empty
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.first_delay = 0.1

    with worker_db.holding_table(DBTaskResult) as lock, caplog.at_level(logging.WARNING):
        timer = lock.release_after(1.5)
        try:
            worker.run()
        finally:
            timer.cancel()

    retries = [r for r in caplog.records if r.name == "pantau.worker"]
    assert retries, "the worker never met the lock"
    assert "Database error in worker_id=test-worker" in retries[0].getMessage()
    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 42
