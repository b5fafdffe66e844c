"""`pantau statistics refresh-totals`: rebuild every published total the public API reads
(statistics/totals.py), e.g. after values were written outside the services (a bulk load, a
repair by hand). Publications, publishing imports and metadata edits keep them current."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from pantau.audit.services import record
from pantau.core.actors import SystemActor

from ...read.totals import refresh_all_published_totals


class Command(BaseCommand):
    help = (
        "Statistics maintenance: `refresh-totals` rebuilds the published totals (per Member "
        "State and for ASEAN) from the published values."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="refresh-totals")
        actions.add_parser("refresh-totals", help="rebuild every published total")

    def handle(self, *args, action, **options):
        start = time.perf_counter()
        with transaction.atomic():
            written = refresh_all_published_totals()
            record(
                actor=SystemActor("pantau statistics"),
                action="statistics.totals.refresh",
                object_type="statistics.publishedtotal",
                object_repr="published totals",
                after={"rows": written},
            )
        seconds = time.perf_counter() - start
        self.stdout.write(f"{written} published totals rebuilt in {seconds:.1f} s.")
