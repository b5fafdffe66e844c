"""`pantau treatment feed-statistics --year Y [--state XX]`: the year's treatment episodes of
one Member State (or of every state that has a treatment centre) into the ADMN statistics as
draft TREATMENT_ADMISSION figures (pantau.treatment.feed), run as the system, audited."""

from django.core.management.base import BaseCommand, CommandError

from pantau.treatment.feed import FEED_ACTOR, feed_statistics
from pantau.treatment.models import Centre


class Command(BaseCommand):
    help = (
        "Treatment MIS: `feed-statistics --year Y [--state XX]` produces the year's treatment "
        "admissions (persons by primary drug, sex and age group, small cells suppressed) from "
        "the episodes and imports them into the statistics as drafts (re-running replaces them)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="feed-statistics")
        feed = actions.add_parser("feed-statistics", help="episodes -> TREATMENT_ADMISSION")
        feed.add_argument("--year", type=int, required=True)
        feed.add_argument(
            "--state", help="ISO code of a Member State (default: every state with a centre)"
        )

    def handle(self, *args, action, year, state=None, **options):
        states = (
            [state.upper()]
            if state
            else sorted(set(Centre.objects.values_list("member_state__code", flat=True)))
        )
        failed = False
        for code in states:
            try:
                result = feed_statistics(acting_user=FEED_ACTOR, member_state=code, year=year)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if result.data_import_id is None:
                self.stdout.write(f"{code} {year}: {result.problems[0]}")
                continue
            counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
            self.stdout.write(
                f"{code} {year}: {result.rows} figure(s) fed, {result.suppressed} suppressed; "
                f"statistics import #{result.data_import_id} {result.status}"
                + (f" ({counts})" if counts else "")
            )
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
            failed = failed or not result.ok
        if failed:
            raise CommandError("Some figures were not fed: see the problems above.")
