"""ASEAN-NARCO access: only officers holding the narco_officer role for a Member State. No
other role (Secretariat, administrator, focal point) grants anything in this module."""

from pantau.accounts.choices import Role
from pantau.accounts.permissions import member_states_for


def officer_states(user) -> frozenset[str]:
    return member_states_for(user, Role.NARCO_OFFICER)


def is_officer(user) -> bool:
    return bool(officer_states(user))


def can_edit_record(user, record) -> bool:
    """Only the originating Member State's officers change, confirm or re-share a record."""
    return record.originator.code in officer_states(user)
