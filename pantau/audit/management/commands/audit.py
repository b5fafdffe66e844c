from django.core.management.base import BaseCommand, CommandError

from pantau.audit.services import verify


class Command(BaseCommand):
    help = "Audit log: `audit verify` checks the hash chain end to end (exit 1 when broken)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at event #{result.broken_event_id}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
