"""`pantau validate [--ref-area TH] [--period 2024 | 2015:2024]`: run the validation rules,
the outlier test and the bounds over statistics already stored, and list the open findings."""

import re

from django.core.management.base import BaseCommand, CommandError

from pantau.core.actors import SystemActor
from pantau.members.models import MemberState

from ...checks.services import run_checks
from ...models import ValidationFinding
from ...models.validation import FindingStatus

PERIOD = re.compile(r"^(\d{4})(?::(\d{4}))?$")


class Command(BaseCommand):
    help = (
        "Check stored statistics: validation rules, outliers against each country's history, "
        "bounds. Findings are opened, updated, or resolved when the check passes now; the "
        "open ones are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ref-area",
            action="append",
            dest="ref_areas",
            metavar="CODE",
            help="A Member State (repeat for several; default: every one)",
        )
        parser.add_argument(
            "--period", help="A year (2024) or a range of years (2015:2024); default: every year"
        )

    def handle(self, *args, ref_areas, period, **options):
        areas = None
        if ref_areas:
            areas = sorted({code.upper() for code in ref_areas})
            known = set(MemberState.objects.filter(code__in=areas).values_list("code", flat=True))
            unknown = [a for a in areas if a not in known]
            if unknown:
                raise CommandError(f"Not a Member State: {', '.join(unknown)}")
        first = last = None
        if period:
            match = PERIOD.match(period.strip())
            if not match:
                raise CommandError(f"--period {period!r}: write a year (2024) or 2015:2024")
            first, last = int(match[1]), int(match[2] or match[1])
            if first > last:
                raise CommandError(f"--period {period!r}: the first year is after the last")
        result = run_checks(
            acting_user=SystemActor("pantau validate"),
            ref_areas=areas,
            first_year=first,
            last_year=last,
            system=True,
        )
        for problem in result.problems:
            self.stderr.write(f"skipped: {problem}")
        findings = ValidationFinding.objects.exclude(status=FindingStatus.RESOLVED).order_by(
            "ref_area", "time_period", "kind", "key"
        )
        if areas is not None:
            findings = findings.filter(ref_area__in=areas)
        if first is not None:
            findings = findings.filter(year__gte=first, year__lte=last)
        shown = 0
        for f in findings.iterator():
            shown += 1
            self.stdout.write(
                f"{f.ref_area} {f.time_period} [{f.get_kind_display()}, "
                f"{f.get_status_display().lower()}] {f.message}"
            )
        counts = result.as_dict()
        self.stdout.write(
            f"Checks: {counts['created']} new, {counts['reopened']} reopened, "
            f"{counts['updated']} updated, {counts['resolved']} resolved (the check passes now), "
            f"{counts['unchanged']} unchanged; {shown} finding(s) to follow up."
        )
