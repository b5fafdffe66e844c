"""Every write on cooperation: events, funding mechanisms and projects. Each is one
transaction with its permission check and its audit event."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts.models import User
from pantau.audit.services import record, snapshot
from pantau.core.actors import Actor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState, Partner
from pantau.workplan.models import Activity

from . import permissions
from .choices import DocumentKind, EventKind, ProjectStatus
from .models import (
    Event,
    EventDocument,
    EventParticipants,
    ExchangeRate,
    FundingMechanism,
    FundingProject,
)

EVENT_FIELDS = (
    "kind",
    "title",
    "start_date",
    "end_date",
    "city",
    "online",
    "outcomes",
    "is_public",
)

# Component 23 names these funds; `pantau setup` seeds them (more can be added).
COMPONENT_23_MECHANISMS = [
    ("accord", "ASEAN and China Cooperative Operations in Response to Dangerous Drugs (ACCORD)"),
    ("jaif-2", "Japan-ASEAN Integration Fund 2.0 (JAIF 2.0)"),
    ("apt-cf", "ASEAN Plus Three Cooperation Fund"),
    ("rok-asean-scf", "ROK-ASEAN Special Cooperation Fund"),
    ("asean-india-fund", "ASEAN-India Cooperation Fund"),
    ("asean-dev-fund", "ASEAN Development Fund"),
]


def _activities(codes: list[str]) -> list[Activity]:
    found = {
        a.code: a for a in Activity.objects.filter(code__in=codes).order_by("plan__period_start")
    }
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValueError(_("Unknown activities: %(codes)s") % {"codes": ", ".join(missing)})
    return list(found.values())


def _state(code: str | None) -> MemberState | None:
    if not code:
        return None
    state = MemberState.objects.filter(code=code.upper()).first()
    if state is None:
        raise ValueError(_("Unknown Member State: %(code)s") % {"code": code})
    return state


def _check_event(values: dict) -> None:
    if values["kind"] not in EventKind.values:
        raise ValueError(_("Unknown kind of event: %(kind)s") % {"kind": values["kind"]})
    if values["end_date"] < values["start_date"]:
        raise ValueError(_("The event ends before it starts"))


def _event_snapshot(event: Event) -> dict:
    data = snapshot(event, [*EVENT_FIELDS, "organiser", "country", "version"])
    data["activities"] = sorted(event.activities.values_list("code", flat=True))
    data["participants"] = {
        p.member_state.code: [p.female, p.male]
        for p in event.participants.select_related("member_state")
    }
    return data


def _set_relations(
    event: Event,
    *,
    activities: list[str] | None,
    partners: list[str] | None,
    participants: list[dict] | None,
) -> None:
    if activities is not None:
        event.activities.set(_activities(activities))
    if partners is not None:
        event.partners.set(Partner.objects.filter(code__in=partners))
    if participants is not None:
        event.participants.all().delete()
        EventParticipants.objects.bulk_create(
            EventParticipants(
                event=event,
                member_state=_state(row["member_state"]),
                female=row.get("female", 0),
                male=row.get("male", 0),
            )
            for row in participants
        )


@transaction.atomic
def create_event(
    *,
    acting_user: Actor,
    organiser: str | None,
    activities: list[str],
    partners: list[str] | None = None,
    participants: list[dict] | None = None,
    country: str | None = None,
    is_demo: bool = False,
    system: bool = False,
    **fields,
) -> Event:
    """Record an event. `organiser`: a Member State's code, or None for the Secretariat."""
    if not system and not permissions.can_record_for(acting_user, organiser):
        raise PermissionDenied(_("You may record only your own Member State's events"))
    values = {f: fields[f] for f in EVENT_FIELDS if f in fields}
    _check_event(values)
    if not activities:
        raise ValueError(_("An event serves at least one Work Plan activity"))
    now = timezone.now()
    event = Event.objects.create(
        organiser=_state(organiser),
        country=_state(country),
        is_demo=is_demo,
        created_at=now,
        updated_at=now,
        **values,
    )
    _set_relations(event, activities=activities, partners=partners, participants=participants)
    record(
        actor=acting_user,
        action="cooperation.event.create",
        obj=event,
        member_state=organiser or "",
        after=_event_snapshot(event),
    )
    return event


@transaction.atomic
def update_event(
    *,
    acting_user: Actor,
    event: Event,
    version: int,
    activities: list[str] | None = None,
    partners: list[str] | None = None,
    participants: list[dict] | None = None,
    country: str | None = None,
    **fields,
) -> Event:
    """Save an event edited from `version`; ConflictError if somebody saved in between."""
    current = (
        Event.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=event.pk)
    )
    if not permissions.can_edit_event(acting_user, current):
        raise PermissionDenied(_("You may edit only your own Member State's events"))
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    before = _event_snapshot(current)
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    _check_event({f: getattr(current, f) for f in EVENT_FIELDS})
    if country is not None:
        current.country = _state(country)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    _set_relations(current, activities=activities, partners=partners, participants=participants)
    record(
        actor=acting_user,
        action="cooperation.event.update",
        obj=current,
        member_state=current.organiser.code if current.organiser else "",
        before=before,
        after=_event_snapshot(current),
    )
    return current


@transaction.atomic
def seed_funding_mechanisms(*, acting_user: Actor) -> int:
    """Create the mechanisms component 23 names that are missing (idempotent)."""
    created = 0
    for code, name in COMPONENT_23_MECHANISMS:
        mechanism, new = FundingMechanism.objects.get_or_create(code=code, defaults={"name": name})
        if new:
            created += 1
            record(
                actor=acting_user,
                action="cooperation.mechanism.create",
                obj=mechanism,
                after={"code": code, "name": name},
            )
    return created


@transaction.atomic
def create_project(
    *,
    acting_user: Actor,
    title: str,
    mechanism: str,
    implementers: list[str],
    activities: list[str],
    amount: Decimal | None = None,
    currency: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    partners: list[str] | None = None,
    status: str = ProjectStatus.PROPOSED,
    is_demo: bool = False,
    system: bool = False,
) -> FundingProject:
    """Record a funded project. A focal point records projects their state implements."""
    if not implementers:
        raise ValueError(_("A project has at least one implementing Member State"))
    if not system and not all(
        permissions.can_record_for(acting_user, code.upper()) for code in implementers
    ):
        raise PermissionDenied(_("You may record only your own Member State's projects"))
    if status not in ProjectStatus.values:
        raise ValueError(_("Unknown project status: %(status)s") % {"status": status})
    if start_date and end_date and end_date < start_date:
        raise ValueError(_("The project ends before it starts"))
    found = FundingMechanism.objects.filter(code=mechanism).first()
    if found is None:
        raise ValueError(_("Unknown funding mechanism: %(code)s") % {"code": mechanism})
    project = FundingProject.objects.create(
        title=title,
        mechanism=found,
        amount=amount,
        currency=currency.upper(),
        start_date=start_date,
        end_date=end_date,
        status=status,
        is_demo=is_demo,
        created_at=timezone.now(),
    )
    project.implementers.set([s for s in map(_state, implementers) if s])
    project.activities.set(_activities(activities))
    if partners:
        project.partners.set(Partner.objects.filter(code__in=partners))
    record(
        actor=acting_user,
        action="cooperation.project.create",
        obj=project,
        member_state=implementers[0].upper() if len(implementers) == 1 else "",
        after=snapshot(project) | {"implementers": sorted(implementers), "activities": activities},
    )
    return project


@transaction.atomic
def add_event_document(
    *, acting_user: Actor, event: Event, kind: str, file, title: str = ""
) -> EventDocument:
    """Attach an agenda, report or list of participants (a file) to an event."""
    current = Event.objects.select_related("organiser").get(pk=event.pk)
    if not permissions.can_edit_event(acting_user, current):
        raise PermissionDenied(_("You may add documents only to your own Member State's events"))
    if kind not in DocumentKind.values:
        raise ValueError(_("Unknown kind of document: %(kind)s") % {"kind": kind})
    if not file:
        raise ValueError(_("file: choose a file to upload"))
    document = EventDocument(
        event=current,
        kind=kind,
        title=title.strip() or file.name,
        uploaded_at=timezone.now(),
        uploaded_by=acting_user if isinstance(acting_user, User) else None,
    )
    document.file.save(file.name, file, save=False)
    document.save()
    record(
        actor=acting_user,
        action="cooperation.event.document.add",
        obj=document,
        member_state=current.organiser.code if current.organiser else "",
        after={
            "event": current.pk,
            "kind": kind,
            "title": document.title,
            "file": document.file.name,
        },
    )
    return document


@transaction.atomic
def set_exchange_rate(
    *,
    acting_user: Actor,
    currency: str,
    date: datetime.date,
    usd_per_unit: Decimal,
    source: str = "",
    is_demo: bool = False,
    system: bool = False,
) -> ExchangeRate:
    """Record (or correct) the USD value of one unit of `currency` on `date`."""
    if not system and not permissions.can_add_mechanism(acting_user):
        raise PermissionDenied(_("Only the ASEAN Secretariat records exchange rates"))
    if usd_per_unit <= 0:
        raise ValueError(_("An exchange rate is positive"))
    currency = currency.upper()
    current = ExchangeRate.objects.filter(currency=currency, date=date).first()
    before = {"usd_per_unit": current.usd_per_unit, "source": current.source} if current else None
    rate, _created = ExchangeRate.objects.update_or_create(
        currency=currency,
        date=date,
        defaults={"usd_per_unit": usd_per_unit, "source": source, "is_demo": is_demo},
    )
    record(
        actor=acting_user,
        action="cooperation.exchange_rate.set",
        obj=rate,
        before=before,
        after={"currency": currency, "date": date, "usd_per_unit": usd_per_unit, "source": source},
    )
    return rate
