import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _default_workers() -> int:
    """One worker process per core this process may run on, at most 4 (each holds --threads
    database connections: keep the total below PostgreSQL's max_connections)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, cores or 1))


# Two threads per worker, not more: each worker runs Python under one GIL, and with four
# threads on a 2-core machine the GIL's hand-offs starved some requests (bench/README.md:
# a hello-world view's p99 265-1,550 ms under 64 connections, 25-29 ms with 1-2 threads, the
# same throughput). The second thread serves while the first waits on the database or a file.
DEFAULT_THREADS = 2


class Command(BaseCommand):
    help = "Serve Pantau with granian (a production-grade WSGI server), static files included."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_WORKERS") or _default_workers())
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("WEB_THREADS") or DEFAULT_THREADS)
        )

    def handle(self, *args, host, port, workers, threads, **options):
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Pantau on http://{host}:{port}/ (granian, {workers} worker(s) of {threads} threads)"
        )
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "config.wsgi:application",
        ]
        # Replaces this process with the server: this Python, fixed arguments, no shell.
        os.execv(sys.executable, argv)  # nosec B606  # noqa: S606
