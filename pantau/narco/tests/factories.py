"""Records made through the services, as officers make them."""

from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.narco import services
from pantau.narco.choices import Sharing


def make_person(officer, names=("Illustrative Person",), states=None, **fields):
    """states: None (originator only), "all", or a list of codes."""
    if states == "all":
        sharing = {"sharing": Sharing.ALL}
    elif states:
        sharing = {"sharing": Sharing.STATES, "shared_with": list(states)}
    else:
        sharing = {"sharing": Sharing.ORIGINATOR}
    fields.setdefault("nationality", "TH")
    return services.create_person(acting_user=officer, names=list(names), **sharing, **fields)


def make_syndicate(officer, name="Illustrative Syndicate", states=None, **fields):
    if states == "all":
        sharing = {"sharing": Sharing.ALL}
    elif states:
        sharing = {"sharing": Sharing.STATES, "shared_with": list(states)}
    else:
        sharing = {"sharing": Sharing.ORIGINATOR}
    return services.create_syndicate(acting_user=officer, name=name, **sharing, **fields)


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
