"""Who may read and write national programmes and services. One Member State's focal points
and approvers write drafts for it; its approver publishes and withdraws; the Secretariat, ASOD
reviewers and administrators read everything; everybody else (the public included) reads the
published entries only."""

from django.db.models import Q

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator, member_states_for

from .choices import TRANSITIONS, PublicationStatus, Transition

NATIONAL_EDITORS = (Role.FOCAL_POINT, Role.APPROVER)


def sees_all(user) -> bool:
    return (
        has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
        or is_administrator(user)
    )


def editable_states(user) -> frozenset[str]:
    """The Member States whose programmes and services the user writes."""
    return member_states_for(user, *NATIONAL_EDITORS)


def approver_states(user) -> frozenset[str]:
    return member_states_for(user, Role.APPROVER)


def is_editor(user) -> bool:
    return bool(editable_states(user))


def visible_filter(user) -> Q | None:
    """None: every entry. Otherwise the published ones (the public's one rule) and every
    entry of the user's own Member States."""
    if sees_all(user):
        return None
    visible = Q(status=PublicationStatus.PUBLISHED)
    states = editable_states(user)
    if states:
        visible |= Q(member_state__code__in=states)
    return visible


def can_create_for(user, member_state_code: str) -> bool:
    return member_state_code in editable_states(user)


def can_edit(user, entry) -> bool:
    """Edit the text of a draft of the user's own Member State."""
    return entry.status == PublicationStatus.DRAFT and can_create_for(user, entry.member_state.code)


def can_transition(user, entry, action: str) -> bool:
    if action not in TRANSITIONS or entry.status not in TRANSITIONS[action][0]:
        return False
    code = entry.member_state.code
    if action == Transition.REVISE:
        return code in editable_states(user)
    return code in approver_states(user)


def allowed_transitions(user, entry) -> list[str]:
    return [a for a in TRANSITIONS if can_transition(user, entry, a)]
