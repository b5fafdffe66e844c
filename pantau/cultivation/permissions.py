"""Who may do what in the cultivation app, built on pantau.accounts.permissions. Every write is
scoped to a Member State: its focal points upload boundaries and draft surveys, its approver
approves them. Draft surveys are seen by that state's national roles and the regional roles;
approved surveys and the loaded boundaries by every signed-in user."""

from django.db.models import Q

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator, member_states_for

from .choices import SurveyState

NATIONAL_READERS = (Role.FOCAL_POINT, Role.APPROVER)


def sees_every_state(user) -> bool:
    return (
        is_administrator(user)
        or has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
    )


def can_upload_boundaries(user, member_state: str) -> bool:
    return is_administrator(user) or member_state in member_states_for(user, Role.FOCAL_POINT)


def boundary_upload_states(user) -> frozenset[str] | None:
    """None: every state (administrators); otherwise those whose boundaries the user loads."""
    if is_administrator(user):
        return None
    return member_states_for(user, Role.FOCAL_POINT)


def can_edit_survey(user, member_state: str) -> bool:
    """Drafting a survey and its areas: the state's focal points (and its approver)."""
    return is_administrator(user) or member_state in member_states_for(
        user, Role.FOCAL_POINT, Role.APPROVER
    )


def can_approve_survey(user, member_state: str) -> bool:
    return member_state in member_states_for(user, Role.APPROVER)


def survey_filter(user) -> Q | None:
    """None: every survey. Otherwise approved surveys (signed-in users) and the drafts of the
    user's own Member States; nothing for anonymous."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_every_state(user):
        return None
    visible = Q(state=SurveyState.APPROVED)
    own = member_states_for(user, *NATIONAL_READERS)
    if own:
        visible |= Q(member_state__code__in=own)
    return visible


def boundary_upload_filter(user) -> Q | None:
    """Uploads (with their problems) a user may see: their own state's, or every one."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_every_state(user):
        return None
    return Q(member_state__code__in=member_states_for(user, *NATIONAL_READERS))


AD_EDITORS = (Role.FOCAL_POINT, Role.AD_OFFICER)


def can_manage_programmes(user, member_state: str) -> bool:
    """Alternative-development programmes, their rounds and farmer-survey imports: the
    state's focal points and alternative-development officers."""
    return is_administrator(user) or member_state in member_states_for(user, *AD_EDITORS)


def programme_states(user) -> frozenset[str] | None:
    if is_administrator(user):
        return None
    return member_states_for(user, *AD_EDITORS)


# Sensitive locations (fields, eradication sites): the Member State's law-enforcement officers
# (the national NARCO officer) and alternative-development officers, and nobody else: not
# the focal point, not the regional roles, not the administrator, never the public.
LOCATION_READERS = (Role.NARCO_OFFICER, Role.AD_OFFICER)


def can_read_locations(user, member_state: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return member_state in member_states_for(user, *LOCATION_READERS)
