from django.core.management.base import BaseCommand

from pantau.narco.services import archive_overdue


class Command(BaseCommand):
    help = (
        "ASEAN-NARCO: `narco review` archives every record past its review date that its "
        "originating Member State has not confirmed (run it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["review"])

    def handle(self, *args, action, **options):
        count = archive_overdue()
        self.stdout.write(f"Archived {count} record(s) past their review date.")
