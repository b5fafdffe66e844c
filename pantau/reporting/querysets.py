"""Reads for reporting: the filled Work Plan (regional status per activity, from approved
reports only), the Member State x activity matrix and the Secretariat's completeness view.
All counting happens in the database."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404

from pantau.members.models import MemberState
from pantau.statistics.choices import DataStatus
from pantau.statistics.models import DataValue, Indicator, ValidationFinding
from pantau.statistics.models.validation import FindingStatus
from pantau.workplan.models import Component, WorkPlan

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


@dataclass
class Checklist:
    """What a person signs when they submit, validate or approve a report: its activities
    filled and empty, the country-year's statistics and their open findings. Shown on the
    confirmation step and stored with the transition."""

    total: int
    filled: int
    not_applicable: int
    empty: list[tuple[str, str]]  # (activity code, its text), in the plan's order
    indicators: int  # in the catalogue
    indicators_reported: int  # of them, with at least one value for the country-year
    values_draft: int
    values_published: int
    open_findings: list[tuple[str, str]]  # (series, message)

    @property
    def empty_count(self) -> int:
        return len(self.empty)

    @property
    def statistics_complete(self) -> bool:
        return self.indicators > 0 and self.indicators_reported >= self.indicators

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "filled": self.filled,
            "not_applicable": self.not_applicable,
            "empty": [code for code, _text in self.empty],
            "statistics": {
                "indicators": self.indicators,
                "indicators_reported": self.indicators_reported,
                "complete": self.statistics_complete,
                "values_draft": self.values_draft,
                "values_published": self.values_published,
            },
            "open_findings": len(self.open_findings),
        }


def report_checklist(user, report: CountryReport) -> Checklist:
    """The checklist of `report` as `user` may see it (statistics and findings are read
    through their restricted querysets). A handful of queries, all counting in the database."""
    entries = report.entries.select_related("activity").order_by("activity__order")
    empty = [
        (e.activity.code, e.activity.heading or e.activity.text[:120])
        for e in entries.filter(status="")
    ]
    counts = entries.aggregate(
        total=Count("id"),
        filled=Count("id", filter=~Q(status="")),
        not_applicable=Count("id", filter=Q(status=ImplementationStatus.NOT_APPLICABLE)),
    )
    code, year = report.member_state.code, report.cycle.year
    area = Q(ref_area=code) | Q(ref_area__startswith=f"{code}-")
    values = DataValue.objects.restrict(user).filter(area, year=year)
    stats = values.aggregate(
        indicators=Count("indicator", distinct=True),
        draft=Count("id", filter=Q(status=DataStatus.DRAFT)),
        published=Count("id", filter=Q(status=DataStatus.PUBLISHED)),
    )
    findings = (
        ValidationFinding.objects.restrict(user)
        .filter(area, year=year, status=FindingStatus.OPEN)
        .order_by("series")
        .values_list("series", "message")
    )
    return Checklist(
        total=counts["total"],
        filled=counts["filled"],
        not_applicable=counts["not_applicable"],
        empty=empty,
        indicators=Indicator.objects.count(),
        indicators_reported=stats["indicators"],
        values_draft=stats["draft"],
        values_published=stats["published"],
        open_findings=list(findings),
    )


# Statuses that count as done when a working group follows its components.
DONE_STATUSES = (ImplementationStatus.COMPLETED, ImplementationStatus.ONGOING)


@dataclass
class ComponentProgress:
    """One component of a working group across the Member States, from approved reports."""

    component: object
    activities: int
    done: dict[str, int] = field(default_factory=dict)  # state code -> activities done
    reported: dict[str, int] = field(default_factory=dict)  # state code -> with a status


def components_progress(
    user, plan: WorkPlan, year: int, groups: set[str]
) -> list[ComponentProgress]:
    """The components of `groups` (working-group codes), each with how many of its activities
    each Member State reports completed or ongoing in its approved report, of the reports
    `user` may see (one query)."""
    components = list(
        Component.objects.filter(plan=plan, section__working_group__code__in=groups)
        .annotate(n=Count("activities", filter=Q(activities__is_reportable=True)))
        .order_by("number")
    )
    result = {c.pk: ComponentProgress(c, c.n) for c in components}
    rows = (
        ActivityStatus.objects.filter(
            report__in=CountryReport.objects.restrict(user)
            .approved()
            .filter(cycle__plan=plan, cycle__year=year),
            activity__component__in=components,
        )
        .values("activity__component", "report__member_state__code")
        .annotate(
            done=Count("id", filter=Q(status__in=DONE_STATUSES)),
            reported=Count("id", filter=~Q(status="")),
        )
    )
    for row in rows:
        item = result[row["activity__component"]]
        item.done[row["report__member_state__code"]] = row["done"]
        item.reported[row["report__member_state__code"]] = row["reported"]
    return list(result.values())
