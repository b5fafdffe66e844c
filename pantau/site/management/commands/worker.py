"""`pantau worker`: django_tasks_db's worker, made to survive the database's errors."""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS
from django.tasks.base import DEFAULT_TASK_QUEUE_NAME
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("pantau.worker")


class ResilientWorker(db_worker.Worker):
    """django_tasks_db's worker loop dies on a database error it does not expect: SQLite's
    "database is locked" on the BEGIN EXCLUSIVE that claims a task (after the busy timeout,
    while a long import writes), a connection the server closed, a PostgreSQL lock timeout.
    Under the autoreloader that killed only the worker's thread, and queued tasks waited for
    ever. Here such an error is logged and the loop starts again on fresh connections after a
    back-off: `first_delay` seconds, doubling up to `max_delay`, back to `first_delay` once the
    loop has run for `max_delay` seconds without an error. A task is claimed inside the
    loop's transaction, so a failed claim leaves the task queued for the next round."""

    first_delay = 1.0
    max_delay = 60.0

    def run(self) -> None:
        delay = self.first_delay
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started >= self.max_delay:
                    delay = self.first_delay
                logger.warning(
                    "Database error in worker_id=%s: %s; retrying in %.1f s",
                    self.worker_id,
                    exc,
                    delay,
                    exc_info=True,
                )
                connections.close_all()
                time.sleep(delay)  # Ctrl-C or SIGTERM here exits (Worker.shutdown)
                delay = min(delay * 2, self.max_delay)


class Command(BaseCommand):
    help = "Run the background worker (imports, report builds) from the database task queue."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run queued tasks, then exit.")

    def handle(self, *args, batch: bool, verbosity: int, **options) -> None:
        # django_tasks_db's own command sets up its loggers; its worker is replaced by ours.
        db_worker.Command().configure_logging(verbosity)
        # The signed audit checkpoint runs now, then repeats itself (pantau/audit/tasks.py).
        # Called by name: the worker needs no import of the audit app for it.
        call_command("audit", "checkpoint", "--enqueue", stdout=self.stdout)
        # The reporting calendar's reminders, daily (pantau/reporting/tasks.py).
        call_command("reminders", "send", "--enqueue", stdout=self.stdout)
        worker = ResilientWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=1,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
