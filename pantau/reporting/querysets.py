"""Reads for reporting: the filled Work Plan (regional status per activity, from approved
reports only), the Member State x activity matrix and the Secretariat's completeness view.
All counting happens in the database."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404

from pantau.members.models import MemberState
from pantau.workplan.models import WorkPlan

from .choices import ImplementationStatus, ReportStatus
from .models import ActivityStatus, CountryReport, ReportingCycle

STATUS_ORDER = list(ImplementationStatus.values)


@dataclass
class RegionalStatus:
    """How many Member States report each status for one activity in one year."""

    code: str
    counts: dict[str, int] = field(default_factory=dict)
    members: int = 0  # states that were members that year
    approved: int = 0  # of them, with an approved report

    @property
    def segments(self) -> list[tuple[str, str, int, int]]:
        """(status, label, x, width) for a stacked bar over the Member States."""
        out, x = [], 0
        for s in STATUS_ORDER:
            if n := self.counts.get(s, 0):
                out.append((s, str(ImplementationStatus(s).label), x, n))
                x += n
        return out

    @property
    def summary(self) -> str:
        # The most frequent status first: "completed in 7 of 10 Member States; in progress in 2".
        ranked = sorted(
            ((n, s) for s in STATUS_ORDER if (n := self.counts.get(s, 0))),
            key=lambda item: (-item[0], STATUS_ORDER.index(item[1])),
        )
        parts = [f"{ImplementationStatus(s).label.lower()} in {n}" for n, s in ranked]
        if not parts:
            return "no approved report yet" if not self.approved else "not reported"
        return f"{parts[0]} of {self.members} Member States" + (
            "; " + "; ".join(parts[1:]) if parts[1:] else ""
        )


def counted_reports(user, plan: WorkPlan, year: int):
    """The reports of `year` the filled Work Plan counts for `user`: approved ones that user may
    see, published ones only for the public (CountryReportQuerySet.counted)."""
    return CountryReport.objects.counted(user).filter(cycle__plan=plan, cycle__year=year)


def regional_status(user, plan: WorkPlan, year: int) -> dict[str, RegionalStatus]:
    """activity code -> RegionalStatus, computed from the reports counted for `user` (approved
    ones; published ones only for the public), in one query."""
    members = MemberState.objects.members_in_year(year).count()
    approved = counted_reports(user, plan, year).count()
    result: dict[str, RegionalStatus] = {}
    rows = (
        ActivityStatus.objects.filter(report__in=counted_reports(user, plan, year))
        .exclude(status="")
        .values("activity__code", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        item = result.setdefault(row["activity__code"], RegionalStatus(row["activity__code"]))
        item.counts[row["status"]] = row["n"]
    for item in result.values():
        item.members, item.approved = members, approved
    return defaultdict(lambda: RegionalStatus("", members=members, approved=approved), result)


def status_matrix(
    user, plan: WorkPlan, year: int
) -> tuple[list[MemberState], dict[tuple[str, str], str]]:
    """The Member State x activity heat map: (states, {(state code, activity code): status})."""
    states = list(MemberState.objects.members_in_year(year).order_by("code"))
    cells = {
        (r["report__member_state__code"], r["activity__code"]): r["status"]
        for r in ActivityStatus.objects.filter(report__in=counted_reports(user, plan, year)).values(
            "report__member_state__code", "activity__code", "status"
        )
    }
    return states, cells


def country_statuses(user, plan: WorkPlan, year: int, code: str):
    """Drill-down: each state's entry for one activity, from the reports counted for `user`."""
    return (
        ActivityStatus.objects.filter(
            report__in=counted_reports(user, plan, year), activity__code=code
        )
        .select_related("report__member_state")
        .order_by("report__member_state__name")
    )


@dataclass
class CompletenessRow:
    report: CountryReport
    filled: int
    total: int
    last_change: datetime.datetime | None
    days_to_deadline: int
    overdue: bool


def completeness(cycle: ReportingCycle, today: datetime.date) -> list[CompletenessRow]:
    """The Secretariat's dashboard: one row per Member State (its newest version), one query."""
    reports = (
        cycle.reports.newest_versions()
        .select_related("member_state")
        .annotate(
            filled=Count("entries", filter=~Q(entries__status="")),
            total=Count("entries"),
            last_change=Max("entries__updated_at"),
        )
        .order_by("member_state__name")
    )
    days = (cycle.deadline - today).days
    return [
        CompletenessRow(
            r,
            r.filled,
            r.total,
            r.last_change,
            days,
            overdue=days < 0 and r.status == ReportStatus.DRAFT,
        )
        for r in reports
    ]


def get_report_or_404(user, ref_area: str, year: int, version: int | None = None) -> CountryReport:
    """The newest (or a given) version of a country's report, if `user` may see it; 404 alike
    for reports that do not exist and reports the user may not see."""
    reports = CountryReport.objects.restrict(user).select_related("member_state", "cycle__plan")
    reports = reports.filter(member_state__code=ref_area.upper(), cycle__year=year)
    if version is not None:
        return get_object_or_404(reports, version=version)
    report = reports.order_by("-version").first()
    if report is None:
        from django.http import Http404

        raise Http404("No such report")
    return report
