"""Who may see and do what with country reports. Services enforce these predicates; pages
use them to show or hide buttons; restricted querysets use `visible_report_filter`."""

from django.db.models import Q

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator, member_states_for

from .choices import APPROVED_STATUSES, ReportStatus, Transition

NATIONAL_REPORTERS = (Role.FOCAL_POINT, Role.APPROVER)


def sees_all_reports(user) -> bool:
    return (
        has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
        or is_administrator(user)
    )


def sees_unpublished_reports(user) -> bool:
    """The public's rule, named once: False for anonymous visitors and for signed-in users
    without a reporting role, who see PUBLISHED reports only, on every page, download, feed
    and API answer (the filled Work Plan, its drill-down, heat map and exports included).
    The counterpart of `pantau.statistics.permissions.sees_published_values_only`."""
    return (
        sees_all_reports(user)
        or has_role(user, Role.WORKING_GROUP_MEMBER)
        or bool(member_states_for(user, *NATIONAL_REPORTERS))
    )


def visible_report_filter(user) -> Q | None:
    """None: every report. Otherwise a filter: the user's own states' reports in any status,
    approved reports for working-group members, published reports for everybody."""
    if sees_all_reports(user):
        return None
    visible = Q(status=ReportStatus.PUBLISHED)
    if not sees_unpublished_reports(user):
        return visible
    own = member_states_for(user, *NATIONAL_REPORTERS)
    if own:
        visible |= Q(member_state__code__in=own)
    if has_role(user, Role.WORKING_GROUP_MEMBER):
        visible |= Q(status__in=APPROVED_STATUSES)
    return visible


def is_national_reporter(user, report) -> bool:
    return report.member_state.code in member_states_for(user, *NATIONAL_REPORTERS)


def can_edit_report(user, report) -> bool:
    """Focal points and approvers fill their own country's report while it is a draft."""
    return report.is_editable and is_national_reporter(user, report)


def can_transition(user, report, action: str) -> bool:
    if not report.can_transition(action):
        return False
    if action == Transition.SUBMIT:
        return has_role(user, Role.APPROVER, report.member_state.code)
    if action in (Transition.RETURN, Transition.VALIDATE, Transition.PUBLISH):
        return has_role(user, Role.SECRETARIAT)
    if action in (
        Transition.APPROVE,
        Transition.RETURN_TO_SECRETARIAT,
        Transition.RETURN_TO_COUNTRY,
    ):
        return has_role(user, Role.ASOD_REVIEWER)
    return False


def takes_part_in_workflow(user, report) -> bool:
    """Holds a role that moves this report at some step (whatever its status now)."""
    return (
        has_role(user, Role.APPROVER, report.member_state.code)
        or has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
    )


def allowed_transitions(user, report) -> list[str]:
    return [a for a in Transition.values if can_transition(user, report, a)]


def can_open_cycle(user) -> bool:
    return has_role(user, Role.SECRETARIAT)


def can_open_correction(user, report) -> bool:
    """An approved report is corrected by a new version (by its approver or the Secretariat)."""
    if not report.is_approved:
        return False
    return has_role(user, Role.APPROVER, report.member_state.code) or has_role(
        user, Role.SECRETARIAT
    )


def can_comment(user, report) -> bool:
    if has_role(user, Role.SECRETARIAT) or has_role(user, Role.ASOD_REVIEWER):
        return True
    return is_national_reporter(user, report)


def can_view_dashboard(user) -> bool:
    return sees_all_reports(user)


def can_set_deadlines(user) -> bool:
    """The ASEAN Secretariat sets the dates of a reporting cycle."""
    return has_role(user, Role.SECRETARIAT)


def sees_reporting_calendar(user) -> bool:
    """Who the reporting calendar concerns: the national reporters, the Secretariat and ASOD."""
    return sees_all_reports(user) or bool(member_states_for(user, *NATIONAL_REPORTERS))
