"""The start page each role lands on after signing in: its own work, composed from reporting
and statistics. Every read starts from a restricted queryset, so nobody sees another
country's drafts here either."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from pantau.accounts.choices import Role
from pantau.accounts.permissions import grants, has_role, member_states_for
from pantau.reporting.choices import ReportStatus
from pantau.reporting.models import CountryReport, ReportingCycle, ReportTransition
from pantau.reporting.permissions import NATIONAL_REPORTERS
from pantau.reporting.querysets import (
    Checklist,
    ComponentProgress,
    completeness,
    components_progress,
    report_checklist,
)
from pantau.statistics.models import ValidationFinding
from pantau.statistics.models.validation import FindingStatus


@dataclass
class CountryWork:
    """A national reporter's open report and what goes with it."""

    report: CountryReport
    checklist: Checklist
    days_left: int
    returned: ReportTransition | None


def _newest_reports(user):
    return (
        CountryReport.objects.restrict(user)
        .newest_versions()
        .select_related("member_state", "cycle__plan")
    )


def country_work(user, today: datetime.date) -> list[CountryWork]:
    """For each of the user's own Member States, its newest cycle's report."""
    work = []
    for code in sorted(member_states_for(user, *NATIONAL_REPORTERS)):
        report = (
            _newest_reports(user).filter(member_state__code=code).order_by("-cycle__year").first()
        )
        if report is None:
            continue
        returned = None
        if report.status == ReportStatus.DRAFT:
            returned = report.transitions.filter(to_status=ReportStatus.DRAFT).last()
        work.append(
            CountryWork(
                report=report,
                checklist=report_checklist(user, report),
                days_left=(report.cycle.deadline - today).days,
                returned=returned,
            )
        )
    return work


def waiting(user, status: str, states: frozenset[str] | None = None):
    reports = _newest_reports(user).filter(status=status).order_by("-cycle__year", "member_state")
    if states is not None:
        reports = reports.filter(member_state__code__in=states)
    return list(reports)


def open_findings(user):
    """Open findings per Member State and year, as the user may see them."""
    return list(
        ValidationFinding.objects.restrict(user)
        .filter(status=FindingStatus.OPEN)
        .values("ref_area", "year")
        .annotate(n=Count("id"))
        .order_by("ref_area", "-year")
    )


def start_context(user) -> dict:
    today = timezone.localdate()
    context: dict = {"today": today, "roles": sorted({g.role for g in grants(user)})}
    if member_states_for(user, *NATIONAL_REPORTERS):
        context["country_work"] = country_work(user, today)
    approver_states = member_states_for(user, Role.APPROVER)
    if approver_states:
        context["to_submit"] = waiting(user, ReportStatus.DRAFT, approver_states)
    if has_role(user, Role.SECRETARIAT):
        context["to_validate"] = waiting(user, ReportStatus.SUBMITTED)
        cycle = ReportingCycle.objects.order_by("-year").first()
        if cycle is not None:
            context["cycle"] = cycle
            context["late"] = [row for row in completeness(cycle, today) if row.overdue]
        context["findings"] = open_findings(user)
    if has_role(user, Role.ASOD_REVIEWER):
        context["to_approve"] = waiting(user, ReportStatus.VALIDATED)
    groups = {g.working_group for g in grants(user) if g.role == Role.WORKING_GROUP_MEMBER}
    groups.discard(None)
    if groups:
        context["wg"] = working_group_view(user, {g for g in groups if g})
    return context


@dataclass
class WorkingGroupView:
    year: int | None
    states: list[str]
    components: list[ComponentProgress]

    @property
    def rows(self) -> list[tuple[ComponentProgress, list[tuple[int | None, int]]]]:
        """Per component, (activities done or None when not reported, activities) a state."""
        return [
            (
                item,
                [
                    (item.done.get(code) if code in item.reported else None, item.activities)
                    for code in self.states
                ],
            )
            for item in self.components
        ]


def working_group_view(user, groups: set[str]) -> WorkingGroupView:
    """The groups' components across countries, in the newest year with an approved report
    the user may see."""
    newest = (
        CountryReport.objects.restrict(user)
        .approved()
        .select_related("cycle__plan")
        .order_by("-cycle__year")
        .first()
    )
    if newest is None:
        return WorkingGroupView(None, [], [])
    plan, year = newest.cycle.plan, newest.cycle.year
    progress = components_progress(user, plan, year, groups)
    states = sorted({code for item in progress for code in item.reported})
    return WorkingGroupView(year, states, progress)
