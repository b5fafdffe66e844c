"""Who may do what in the treatment MIS. Centre staff act for their centres (the role for the
Member State AND a CentreStaff row); the national treatment coordinator reads their country's
episodes and its unsuppressed aggregates. No other role sees a record-level row."""

from .models import coordinator_states, staff_centre_ids


def can_record_episode(user, centre) -> bool:
    return centre.pk in staff_centre_ids(user)


def can_update_episode(user, episode) -> bool:
    return episode.centre_id in staff_centre_ids(user)


def sees_unsuppressed(user, member_state: str) -> bool:
    """Only the country's coordinator sees its counts without small-cell suppression."""
    return member_state in coordinator_states(user)


def uses_treatment_pages(user) -> bool:
    return bool(staff_centre_ids(user) or coordinator_states(user))
