"""The one scoping mechanism: every permission check in Pantau is a predicate here (or in an
app's permissions.py built on these), and every restricted queryset asks these functions.

A user's roles are read once per request and cached on the user object.
"""

from dataclasses import dataclass

from .choices import Role


@dataclass(frozen=True)
class Grant:
    role: str
    member_state: str | None  # ISO code, for national roles
    working_group: str | None  # working-group code, for working-group members


def grants(user) -> frozenset[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_pantau_grants", None)
    if cached is None:
        rows = user.role_assignments.values_list(
            "role", "member_state__code", "working_group__code"
        )
        cached = frozenset(Grant(*row) for row in rows)
        if user.is_superuser:
            cached = cached | {Grant(Role.ADMINISTRATOR, None, None)}
        user._pantau_grants = cached
    return cached


def has_role(user, role: str, member_state: str | None = None) -> bool:
    """True when the user holds `role` (for `member_state`, when given)."""
    return any(
        g.role == role and (member_state is None or g.member_state == member_state)
        for g in grants(user)
    )


def member_states_for(user, *roles: str) -> frozenset[str]:
    """The Member States for which the user holds any of `roles`."""
    return frozenset(g.member_state for g in grants(user) if g.role in roles and g.member_state)


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_secretariat(user) -> bool:
    return has_role(user, Role.SECRETARIAT)


# --- predicates used by services and pages ---------------------------------------------------


def can_manage_catalogue(user) -> bool:
    return is_administrator(user)


def can_edit_agency(user, agency) -> bool:
    """National focal points and approvers keep their own agencies' details up to date."""
    if is_administrator(user):
        return True
    code = agency.member_state.code
    return code in member_states_for(user, Role.FOCAL_POINT, Role.APPROVER)


def audit_scope(user) -> frozenset[str] | None:
    """None: every event; otherwise the Member States whose events the user may read."""
    if is_administrator(user) or is_secretariat(user):
        return None
    return member_states_for(user, Role.FOCAL_POINT, Role.APPROVER)


def can_view_audit(user) -> bool:
    scope = audit_scope(user)
    return scope is None or bool(scope)


# --- two-factor authentication ---------------------------------------------------------------

# Roles whose holders must sign in with a second factor (superusers count as administrators).
TWO_FACTOR_ROLES = frozenset(
    {
        Role.NARCO_OFFICER,
        Role.APPROVER,
        Role.SECRETARIAT,
        Role.ASOD_REVIEWER,
        Role.ADMINISTRATOR,
    }
)


def requires_two_factor(user) -> bool:
    """True when the user's roles make a second factor mandatory (whatever the setting)."""
    return any(g.role in TWO_FACTOR_ROLES for g in grants(user))


def can_turn_off_two_factor(user) -> bool:
    """People whose roles do not require a second factor may remove the one they set up."""
    return not requires_two_factor(user)
