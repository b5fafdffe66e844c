"""Centres, staff and episodes made through the services, as the centres make them."""

import datetime

from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.core.actors import SETUP
from pantau.treatment import services
from pantau.treatment.choices import CentreType, Drug, Operator


def make_centre(state: str, name: str) -> object:
    return services.register_centre(
        acting_user=SETUP,
        member_state=state,
        name=name,
        type=CentreType.OUTPATIENT,
        operator=Operator.PUBLIC,
    )


def make_staff(make_user, centre):
    user = make_user("centre_staff", centre.member_state.code)
    services.add_centre_staff(acting_user=SETUP, user=user, centre=centre)
    return user


def make_episode(
    staff,
    centre,
    *,
    initials="AB",
    dob=datetime.date(1990, 5, 1),
    sex="M",
    start=datetime.date(2024, 3, 1),
    drug=Drug.METH_TABLET,
    **items,
):
    items.setdefault("nationality", centre.member_state.code)
    return services.open_episode(
        acting_user=staff,
        centre=centre,
        start_date=start,
        initials=initials,
        date_of_birth=dob,
        sex=sex,
        primary_drug=drug,
        previously_treated="never",
        referral_source="self",
        living_status="parents",
        living_conditions="stable",
        labour_status="employed",
        education="secondary",
        route="smoke",
        frequency="daily",
        injected_ever="no",
        injected_12_months="no",
        injected_30_days="no",
        needle_sharing="no",
        **items,
    )


def last_event_id() -> int:
    """The last treatment event (issuing a test's API token is audited too, elsewhere)."""
    events = AuditEvent.objects.filter(action__startswith="treatment.")
    return events.aggregate(m=Max("id"))["m"] or 0
