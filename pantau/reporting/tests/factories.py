"""Country reports in a given state of the workflow, made through the real services.

Nothing here calls `.save()` on a domain model: a report is opened by `open_cycle`, filled by
`save_entry` and moved by `transition`, exactly as people do it, so a helper can never build a
report the application itself could not have produced."""

import datetime

from pantau.accounts.models import User
from pantau.accounts.services import assign_role, create_user
from pantau.core.actors import SystemActor
from pantau.members.models import MemberState
from pantau.reporting import services
from pantau.reporting.choices import Transition
from pantau.reporting.models import ActivityStatus, CountryReport, ReportingCycle
from pantau.workplan.models import WorkPlan

PLAN = "2016-2025"

# The workflow, step by step, with the role that performs each step.
# What the factories' approver states when a test report has empty activities.
EMPTY_REASON = "Left empty in a test report"

STEPS = [
    (Transition.SUBMIT, "approver"),
    (Transition.VALIDATE, "secretariat"),
    (Transition.APPROVE, "asod_reviewer"),
    (Transition.PUBLISH, "secretariat"),
]


def plan() -> WorkPlan:
    return WorkPlan.objects.get(code=PLAN)


def actor(role: str, state: str | None = None) -> User:
    """A user holding `role` (for `state`), created once per test through the services. No
    usable password: tests log in with `client.force_login`."""
    username = f"factory.{role}.{(state or 'region').lower()}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(
            acting_user=SystemActor("test factory"), username=username, password=None
        )
        assign_role(
            acting_user=SystemActor("test factory"),
            user=user,
            role=role,
            member_state=MemberState.objects.get(code=state) if state else None,
        )
    return user


def cycle(year: int, deadline: datetime.date | None = None) -> ReportingCycle:
    """The year's cycle, opened by the Secretariat if it is not open yet."""
    existing = ReportingCycle.objects.filter(plan=plan(), year=year).first()
    if existing is not None:
        return existing
    return services.open_cycle(
        acting_user=actor("secretariat"),
        plan=plan(),
        year=year,
        deadline=deadline or datetime.date(year + 1, 3, 31),
    )


def report_of(state: str, year: int, version: int | None = None) -> CountryReport:
    """A country's report as stored now: the newest version unless `version` is given."""
    reports = CountryReport.objects.filter(member_state__code=state, cycle__year=year)
    if version is not None:
        return reports.get(version=version)
    return reports.order_by("-version").first()


def entry_of(report: CountryReport, code: str) -> ActivityStatus:
    return ActivityStatus.objects.get(report=report, activity__code=code)


def fill(report: CountryReport, statuses: dict[str, str], by: User | None = None, **fields):
    """Save each `code: status` (and the same extra `fields`) as the country's focal point."""
    by = by or actor("focal_point", report.member_state.code)
    for code, status in statuses.items():
        entry = entry_of(report, code)
        services.save_entry(
            acting_user=by, entry=entry, version=entry.version, status=status, **fields
        )
    return report


def advance(report: CountryReport, until: str) -> CountryReport:
    """Walk a draft report through the workflow up to and including the action `until`."""
    for action, role in STEPS:
        state = report.member_state.code if role == "approver" else None
        report = services.transition(
            acting_user=actor(role, state),
            report=report,
            action=action,
            empty_reason=EMPTY_REASON if action == Transition.SUBMIT else "",
        )
        if action == until:
            return report
    raise ValueError(f"Unknown action {until!r}")


def draft_report(state: str, year: int, statuses: dict[str, str] | None = None) -> CountryReport:
    cycle(year)
    return fill(report_of(state, year), statuses or {})


def submitted_report(state: str, year: int, statuses: dict[str, str] | None = None):
    return advance(draft_report(state, year, statuses), Transition.SUBMIT)


def validated_report(state: str, year: int, statuses: dict[str, str] | None = None):
    return advance(draft_report(state, year, statuses), Transition.VALIDATE)


def approved_report(state: str, year: int, statuses: dict[str, str] | None = None):
    return advance(draft_report(state, year, statuses), Transition.APPROVE)


def published_report(state: str, year: int, statuses: dict[str, str] | None = None):
    return advance(draft_report(state, year, statuses), Transition.PUBLISH)
