from django.core.management.base import BaseCommand, CommandError

from pantau.accounts.choices import TokenScope
from pantau.accounts.models import User
from pantau.accounts.services import issue_token
from pantau.core.actors import SystemActor


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (use it as `Authorization: Bearer <token>`)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=None, help="Validity; 0 never expires.")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ,
            help="read (default): GET only; write: also POST, PUT, PATCH and DELETE.",
        )

    def handle(self, *args, username, name, days, scope, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative")
        _, key = issue_token(
            acting_user=SystemActor(f"pantau token ({username})"),
            user=user,
            name=name,
            days=days,
            scope=scope,
        )
        self.stdout.write(key)
