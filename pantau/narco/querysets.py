"""Restricted reads of the ASEAN-NARCO module that live outside its own models."""

from pantau.audit.models import AuditEvent

from .permissions import officer_states


def access_events(user):
    """Who read or changed the records of the user's Member State, for its ASEAN-NARCO
    officers: every read of the module is an event carrying the originator's code. Nobody
    else sees these events (AuditEvent.objects.restrict leaves them out)."""
    states = officer_states(user)
    if not states:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(action__startswith="narco.", member_state__in=states)
