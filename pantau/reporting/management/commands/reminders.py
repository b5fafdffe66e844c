import datetime

from django.core.management.base import BaseCommand, CommandError

from pantau.reporting import reminders
from pantau.reporting.tasks import schedule_next_reminders


class Command(BaseCommand):
    help = "Reminders of the reporting calendar. `send`: send those due today (once each)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Send the reminders due today that were not sent.")
        send.add_argument("--today", help="The day to act as (YYYY-MM-DD); default: today")
        send.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the daily run in the worker instead (it then repeats itself).",
        )

    def handle(self, *args, **options):
        if options.get("enqueue"):
            queued = schedule_next_reminders(now=True)
            self.stdout.write("Daily reminders queued." if queued else "Daily reminders waiting.")
            return
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {exc}") from exc
        sent = reminders.send_due(today)
        for reminder in sent:
            self.stdout.write(str(reminder))
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
