"""The cooperation API: events (with ETag / If-Match like the report entries) and funded
projects. Reads start from the restricted querysets; an event the caller may not see answers
404 like one that does not exist. Writes go through `services`."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Router, Schema, Status

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.exceptions import ConflictError
from pantau.core.schemas import Error
from pantau.members.api import etag, parse_if_match

from . import services
from .models import Event, FundingProject

events_router = Router(tags=["Cooperation"])
funding_router = Router(tags=["Cooperation"])

EventKindValue = Literal[
    "meeting", "training", "workshop", "seminar", "dialogue", "operation", "un_forum"
]


class ParticipantsIO(Schema):
    member_state: str
    female: int = Field(default=0, ge=0)
    male: int = Field(default=0, ge=0)


class EventOut(Schema):
    id: int
    kind: str
    title: str
    start_date: date
    end_date: date
    country: str | None
    city: str
    online: bool
    organiser: str | None = Field(description="A Member State's code; null: the Secretariat")
    partners: list[str]
    activities: list[str]
    participants: list[ParticipantsIO]
    outcomes: str
    is_public: bool
    is_demo: bool
    version: int = Field(description="The event's ETag: send it back as If-Match to save")


class EventIn(Schema):
    kind: EventKindValue
    title: str = Field(max_length=300)
    start_date: date
    end_date: date
    activities: list[str] = Field(description='Activity codes, e.g. ["4.a"]', min_length=1)
    organiser: str | None = None
    country: str | None = None
    city: str = ""
    online: bool = False
    partners: list[str] = []
    participants: list[ParticipantsIO] = []
    outcomes: str = ""
    is_public: bool = False


class EventUpdate(Schema):
    """Fields left out keep their value."""

    kind: EventKindValue | None = None
    title: str | None = Field(default=None, max_length=300)
    start_date: date | None = None
    end_date: date | None = None
    activities: list[str] | None = None
    country: str | None = None
    city: str | None = None
    online: bool | None = None
    partners: list[str] | None = None
    participants: list[ParticipantsIO] | None = None
    outcomes: str | None = None
    is_public: bool | None = None


class ProjectOut(Schema):
    id: int
    title: str
    mechanism: str
    amount: Decimal | None
    currency: str
    start_date: date | None
    end_date: date | None
    implementers: list[str]
    partners: list[str]
    activities: list[str]
    status: str
    is_demo: bool


class ProjectIn(Schema):
    title: str = Field(max_length=300)
    mechanism: str = Field(description="A funding mechanism's code, e.g. jaif-2")
    implementers: list[str] = Field(min_length=1)
    activities: list[str] = Field(min_length=1)
    amount: Decimal | None = None
    currency: str = Field(default="", max_length=3)
    start_date: date | None = None
    end_date: date | None = None
    partners: list[str] = []
    status: Literal["proposed", "approved", "ongoing", "completed"] = "proposed"


def event_out(event: Event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "country": event.country.code if event.country else None,
        "city": event.city,
        "online": event.online,
        "organiser": event.organiser.code if event.organiser else None,
        "partners": [p.code for p in event.partners.all()],
        "activities": [a.code for a in event.activities.all()],
        "participants": [
            {"member_state": p.member_state.code, "female": p.female, "male": p.male}
            for p in event.participants.all()
        ],
        "outcomes": event.outcomes,
        "is_public": event.is_public,
        "is_demo": event.is_demo,
        "version": event.version,
    }


def project_out(project: FundingProject) -> dict:
    return {
        "id": project.pk,
        "title": project.title,
        "mechanism": project.mechanism.code,
        "amount": project.amount,
        "currency": project.currency,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "implementers": [s.code for s in project.implementers.all()],
        "partners": [p.code for p in project.partners.all()],
        "activities": [a.code for a in project.activities.all()],
        "status": project.status,
        "is_demo": project.is_demo,
    }


def _events(request):
    return (
        Event.objects.restrict(request.user)
        .select_related("organiser", "country")
        .prefetch_related("partners", "activities", "participants__member_state")
    )


@events_router.get("", response=list[EventOut], auth=public, summary="List events")
def list_events(request):
    return [event_out(e) for e in _events(request)]


@events_router.post(
    "",
    response={201: EventOut, 400: Error, 403: Error},
    auth=authenticated,
    summary="Record an event (the organiser's focal point or the Secretariat)",
)
def create_event(request: HttpRequest, response: HttpResponse, payload: EventIn):
    try:
        event = services.create_event(acting_user=caller(request), **payload.dict())
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    response.headers["ETag"] = etag(event.version)
    return Status(201, event_out(event))


@events_router.get(
    "{event_id}", response={200: EventOut, 404: Error}, auth=public, url_name="event"
)
def get_event(request, response: HttpResponse, event_id: int):
    event = get_object_or_404(_events(request), pk=event_id)
    response.headers["ETag"] = etag(event.version)
    return event_out(event)


@events_router.put(
    "{event_id}",
    response={200: EventOut, 400: Error, 403: Error, 404: Error, 412: Error, 428: Error},
    auth=authenticated,
    summary="Save an event (optimistic concurrency with If-Match)",
    description="412 when somebody saved in between (nothing is overwritten); 428 without "
    "If-Match; 403 for another Member State's event you may see; 404 for one you may not.",
)
def put_event(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int,
    payload: EventUpdate,
    if_match: str = Header(default="", alias="If-Match"),
):
    event = get_object_or_404(_events(request), pk=event_id)
    if not if_match:
        return Status(428, {"detail": "Send If-Match with the ETag of the event you edited"})
    edited = parse_if_match(if_match)
    if edited is None:
        return Status(400, {"detail": f"If-Match is not an ETag of this event: {if_match}"})
    try:
        event = services.update_event(
            acting_user=caller(request),
            event=event,
            version=edited,
            **payload.dict(exclude_unset=True),
        )
    except ConflictError as exc:
        response.headers["ETag"] = etag(exc.current.version)
        return Status(412, {"detail": str(exc)})
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    event = _events(request).get(pk=event.pk)
    response.headers["ETag"] = etag(event.version)
    return Status(200, event_out(event))


@funding_router.get(
    "projects/", response=list[ProjectOut], auth=authenticated, summary="List funded projects"
)
def list_projects(request):
    projects = (
        FundingProject.objects.restrict(request.user)
        .select_related("mechanism")
        .prefetch_related("implementers", "partners", "activities")
    )
    return [project_out(p) for p in projects]


@funding_router.post(
    "projects/",
    response={201: ProjectOut, 400: Error, 403: Error},
    auth=authenticated,
    summary="Record a funded project (its implementers' focal point or the Secretariat)",
)
def create_project(request, payload: ProjectIn):
    try:
        project = services.create_project(acting_user=caller(request), **payload.dict())
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(201, project_out(project))


class FundingTotalOut(Schema):
    key: str
    label: str
    year: int | None = Field(description="The year the projects start; null: no start date")
    usd: Decimal = Field(description="Sum of the converted amounts, in US dollars")
    projects: int
    not_converted: int = Field(description="Projects with an amount in a currency without rate")


class ExchangeRateOut(Schema):
    currency: str
    usd_per_unit: Decimal
    date: date
    source: str
    is_demo: bool


class FundingTotalsOut(Schema):
    currency: Literal["USD"]
    note: str
    rates: list[ExchangeRateOut]
    by_mechanism: list[FundingTotalOut]
    by_member_state: list[FundingTotalOut]
    by_section: list[FundingTotalOut]


@funding_router.get(
    "totals",
    response={200: FundingTotalsOut, 401: Error},
    auth=authenticated,
    summary="Funding totals per mechanism, Member State and Work Plan section, per year, in USD",
    description="Of the funded projects the caller may see, summed in the database in US "
    "dollars with the newest rate of each currency (listed with its date). A project counts "
    "in full for each of its implementers and each section it serves.",
)
def funding_totals(request):
    from dataclasses import asdict

    from . import totals

    return {
        "currency": "USD",
        "note": "Converted with the newest rate of each currency listed in `rates`; a project "
        "counts in full for each implementer and each section it serves",
        "rates": [asdict(r) for r in totals.rates_used(request.user)],
        "by_mechanism": [asdict(r) for r in totals.by_mechanism(request.user)],
        "by_member_state": [asdict(r) for r in totals.by_member_state(request.user)],
        "by_section": [asdict(r) for r in totals.by_section(request.user)],
    }
