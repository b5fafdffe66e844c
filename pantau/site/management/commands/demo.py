from django.core.management.base import BaseCommand, CommandError

from pantau.members.models import MemberState
from pantau.site.demo.accounts import (
    DEMO_PASSWORD,
    demo_accounts,
    demo_two_factor_secrets,
    load_demo,
)


class Command(BaseCommand):
    help = "Demo data: `demo load` creates illustrative accounts for every role and Member State."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "accounts"])

    def handle(self, *args, action, **options):
        if not MemberState.objects.exists():
            raise CommandError("Run `pantau setup` first: the demo needs the Member States.")
        if action == "load":
            from pantau.site.demo.reporting import load_reporting_demo

            created = load_demo()
            self.stdout.write(f"Demo accounts: {len(created)} created (illustrative data).")
            cycles = load_reporting_demo()
            self.stdout.write(f"Demo reporting cycles: {cycles} created (illustrative statuses).")
            from pantau.site.demo.statistics import load_statistics_demo

            stats = load_statistics_demo()
            self.stdout.write(
                f"Demo statistics: {stats['published']} published and {stats['draft']} draft "
                f"values imported, {stats['findings']} findings (illustrative figures)."
            )
            from pantau.site.demo.narco import load_narco_demo

            self.stdout.write("\n".join(load_narco_demo()))
            from pantau.site.demo.clearinghouse import load_clearinghouse_demo

            items = load_clearinghouse_demo()
            self.stdout.write(f"Demo clearinghouse: {items} items created (illustrative).")
            from pantau.site.demo.treatment import load_treatment_demo

            episodes = load_treatment_demo()
            self.stdout.write(f"Demo treatment: {episodes} episodes created (illustrative).")
            from pantau.site.demo.programmes import load_programmes_demo

            entries = load_programmes_demo()
            self.stdout.write(f"Demo programmes: {entries} entries created (illustrative).")
            from pantau.site.demo.cooperation import load_cooperation_demo

            coop = load_cooperation_demo()
            self.stdout.write(
                f"Demo cooperation: {coop['events']} events, {coop['projects']} funded projects, "
                f"{coop['rates']} exchange rates, {coop['links']} report entries linked "
                "(illustrative)."
            )
            from pantau.site.demo.cultivation import load_cultivation_demo

            surveys = load_cultivation_demo()
            self.stdout.write(f"Demo cultivation: {surveys} surveys created (illustrative).")
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD!r}):")
        for username, display, *_ in demo_accounts():
            self.stdout.write(f"  {username:16} {display}")
        two_factor = demo_two_factor_secrets()
        if two_factor:
            self.stdout.write(
                "Two-factor (TOTP) secrets of the demo accounts that need a code at sign-in: add "
                "one to an authenticator app, or print the current code with "
                "`pantau otp code USERNAME` (demo accounts only):"
            )
            for username, secret in two_factor:
                self.stdout.write(f"  {username:16} {secret}")
