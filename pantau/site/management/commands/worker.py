from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (imports, report builds) from the database task queue."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run queued tasks, then exit.")

    def handle(self, *args, batch, **options):
        # The signed audit checkpoint runs now, then repeats itself (pantau/audit/tasks.py).
        # Called by name: core imports no app.
        call_command("audit", "checkpoint", "--enqueue", stdout=self.stdout)
        # The reporting calendar's reminders, daily (pantau/reporting/tasks.py).
        call_command("reminders", "send", "--enqueue", stdout=self.stdout)
        extra = ["--batch"] if batch else []
        call_command("db_worker", *extra, "--interval", "1")
