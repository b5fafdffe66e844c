"""Who may record and edit cooperation: the organiser's (or implementer's) focal points and
approvers, and the ASEAN Secretariat, which also records what the Secretariat organises."""

from django.db.models import Q

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator, member_states_for

NATIONAL_EDITORS = (Role.FOCAL_POINT, Role.APPROVER)


def sees_all_cooperation(user) -> bool:
    return (
        has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
        or is_administrator(user)
    )


def own_states(user) -> frozenset[str]:
    return member_states_for(user, *NATIONAL_EDITORS)


def visible_event_filter(user) -> Q | None:
    """None: every event. Otherwise the public ones and those the user's states organise."""
    if sees_all_cooperation(user):
        return None
    visible = Q(is_public=True)
    states = own_states(user)
    if states:
        visible |= Q(organiser__code__in=states)
    return visible


def visible_project_filter(user) -> Q | None:
    """None: every project. Otherwise those the user's states implement (projects have no
    public page yet)."""
    if sees_all_cooperation(user):
        return None
    return Q(implementers__code__in=own_states(user))


def can_record_for(user, organiser_code: str | None) -> bool:
    """Record an event or project organised (implemented) by `organiser_code`, or by the
    Secretariat when None."""
    if has_role(user, Role.SECRETARIAT):
        return True
    return organiser_code is not None and organiser_code in own_states(user)


def can_edit_event(user, event) -> bool:
    return can_record_for(user, event.organiser.code if event.organiser_id else None)


def can_add_mechanism(user) -> bool:
    return has_role(user, Role.SECRETARIAT)
