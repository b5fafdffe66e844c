"""Reads of Member States and agencies. Names and membership are public; what a user may
change is restricted here, through the same predicates the services enforce."""

from pantau.accounts.choices import Role
from pantau.accounts.permissions import is_administrator, member_states_for

from .models import Agency


def agencies_editable_by(user):
    if is_administrator(user):
        return Agency.objects.all()
    return Agency.objects.filter(
        member_state__code__in=member_states_for(user, Role.FOCAL_POINT, Role.APPROVER)
    )
