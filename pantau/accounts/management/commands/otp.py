"""`pantau otp code USERNAME`: the current TOTP code of a demo account, so that a person
trying the demo can sign in without an authenticator app. Refused for every real account."""

from django.core.management.base import BaseCommand, CommandError

from pantau.accounts.models import User
from pantau.accounts.otp import current_code


class Command(BaseCommand):
    help = "Two-factor codes for DEMO accounts: `otp code USERNAME` prints the current code."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["code"])
        parser.add_argument("username")

    def handle(self, *args, action, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_demo:
            # The same answer for "no such user" and "a real user": this never helps anybody
            # get past a real account's second factor.
            raise CommandError(f"{username!r} is not a demo account: only demo codes are shown")
        found = current_code(user)
        if found is None:
            raise CommandError(f"{username!r} has no two-factor device")
        code, seconds_left = found
        self.stdout.write(code)
        self.stderr.write(f"valid for {seconds_left} more seconds (each code is accepted once)")
