"""The programmes API: national programmes (/api/v1/programmes/) and the services offered to
groups at risk (/api/v1/programme-services/). Anonymous callers read published entries only
(the restricted querysets); a Member State's focal points and approver write drafts (ETag /
If-Match), its approver publishes and withdraws (the transitions endpoint)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.exceptions import ConflictError
from pantau.core.schemas import Error
from pantau.members.api import etag, parse_if_match

from . import permissions, querysets, services
from .models import NationalProgramme, Service

programmes_router = Router(tags=["Programmes"])
services_router = Router(tags=["Programmes"])

GroupValue = Literal[
    "youth",
    "children",
    "students",
    "women",
    "families",
    "workers",
    "prisoners",
    "people_who_use_drugs",
    "communities",
    "farmers",
    "general",
]
KindValue = Literal[
    "prevention",
    "early_intervention",
    "treatment",
    "rehabilitation",
    "aftercare",
    "harm_reduction",
    "counselling",
    "alternative_development",
]
StatusValue = Literal["draft", "published", "withdrawn"]
ActionValue = Literal["publish", "withdraw", "revise"]


class ProgrammeEntryFilter(Schema):
    REF_AREA: str = Field(default="", description="A Member State's code (ISO alpha-2)")
    group: GroupValue | Literal[""] = Field(default="", description="A group at risk served")
    status: StatusValue | Literal[""] = Field(
        default="", description="Anonymous callers see published entries only"
    )


class ServiceFilter(ProgrammeEntryFilter):
    kind: KindValue | Literal[""] = ""


class ProgrammeEntryMeta(Schema):
    id: int
    member_state: str
    groups: list[str]
    status: str
    published_at: datetime | None
    is_demo: bool = Field(description="Illustrative demo data")
    version: int = Field(description="The entry's ETag: send it back as If-Match to save")
    allowed_transitions: list[str] = Field(description="What the caller may do now")


class ProgrammeOut(ProgrammeEntryMeta):
    title: str
    summary: str
    objectives: str
    lead_agency: str
    period_start: int | None
    period_end: int | None
    url: str


class ProgrammeIn(Schema):
    member_state: str = Field(description="A Member State's code, e.g. TH", max_length=2)
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1)
    lead_agency: str = Field(min_length=1, max_length=300)
    objectives: str = ""
    groups: list[GroupValue] = []
    period_start: int | None = Field(default=None, ge=1950, le=2100)
    period_end: int | None = Field(default=None, ge=1950, le=2100)
    url: str = Field(default="", max_length=500)


class ProgrammeUpdate(Schema):
    """Fields left out keep their value."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, min_length=1)
    lead_agency: str | None = Field(default=None, min_length=1, max_length=300)
    objectives: str | None = None
    groups: list[GroupValue] | None = None
    period_start: int | None = Field(default=None, ge=1950, le=2100)
    period_end: int | None = Field(default=None, ge=1950, le=2100)
    url: str | None = Field(default=None, max_length=500)


class ServiceOut(ProgrammeEntryMeta):
    name: str
    description: str
    kind: str
    programme: int | None = Field(description="The national programme it belongs to, if any")
    provider: str
    coverage: str
    contact: str
    url: str


class ServiceIn(Schema):
    member_state: str = Field(description="A Member State's code, e.g. TH", max_length=2)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1)
    kind: KindValue
    groups: list[GroupValue] = Field(min_length=1)
    programme: int | None = None
    provider: str = Field(default="", max_length=300)
    coverage: str = Field(default="", max_length=300)
    contact: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=500)


class ServiceUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, min_length=1)
    kind: KindValue | None = None
    groups: list[GroupValue] | None = Field(default=None, min_length=1)
    programme: int | None = None
    provider: str | None = Field(default=None, max_length=300)
    coverage: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=500)


class ProgrammeTransitionIn(Schema):
    action: ActionValue = Field(
        description="publish, withdraw (the national approver) or revise (back to draft)"
    )


def _meta(request, entry) -> dict:
    return {
        "id": entry.pk,
        "member_state": entry.member_state.code,
        "groups": entry.group_codes,
        "status": entry.status,
        "published_at": entry.published_at,
        "is_demo": entry.is_demo,
        "version": entry.version,
        "allowed_transitions": permissions.allowed_transitions(request.user, entry),
    }


def programme_out(request, p: NationalProgramme) -> dict:
    return _meta(request, p) | {
        "title": p.title,
        "summary": p.summary,
        "objectives": p.objectives,
        "lead_agency": p.lead_agency,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "url": p.url,
    }


def service_out(request, s: Service) -> dict:
    return _meta(request, s) | {
        "name": s.name,
        "description": s.description,
        "kind": s.kind,
        "programme": s.programme_id,
        "provider": s.provider,
        "coverage": s.coverage,
        "contact": s.contact,
        "url": s.url,
    }


def _version_from(if_match: str) -> int | Status:
    if not if_match:
        return Status(428, {"detail": "Send If-Match with the ETag of the entry you edited"})
    edited = parse_if_match(if_match)
    if edited is None:
        return Status(400, {"detail": f"If-Match is not an ETag of this entry: {if_match}"})
    return edited


def _write(response: HttpResponse, do, reread, out):
    try:
        entry = do()
    except ConflictError as exc:
        response.headers["ETag"] = etag(exc.current.version)
        return Status(412, {"detail": str(exc)})
    except services.InvalidEntry as exc:
        return Status(400, {"detail": str(exc)})
    entry = reread(entry.pk)
    response.headers["ETag"] = etag(entry.version)
    return Status(200, out(entry))


# --- National programmes -----------------------------------------------------------------------


@programmes_router.get(
    "", response=list[ProgrammeOut], auth=public, summary="List national programmes"
)
def list_programmes(request, filters: Query[ProgrammeEntryFilter]):
    found = querysets.filtered(
        querysets.programmes_for(request.user),
        ref_area=filters.REF_AREA,
        group=filters.group,
        status=filters.status,
    ).distinct()
    return [programme_out(request, p) for p in found]


@programmes_router.post(
    "",
    response={201: ProgrammeOut, 400: Error, 403: Error},
    auth=authenticated,
    summary="Write a draft national programme (the Member State's focal point or approver)",
)
def create_programme(request: HttpRequest, response: HttpResponse, payload: ProgrammeIn):
    try:
        programme = services.create_programme(acting_user=caller(request), **payload.dict())
    except services.InvalidEntry as exc:
        return Status(400, {"detail": str(exc)})
    response.headers["ETag"] = etag(programme.version)
    return Status(201, programme_out(request, programme))


@programmes_router.get(
    "{programme_id}",
    response={200: ProgrammeOut, 404: Error},
    auth=public,
    summary="A national programme",
)
def get_programme(request, response: HttpResponse, programme_id: int):
    programme = querysets.get_programme_or_404(request.user, programme_id)
    response.headers["ETag"] = etag(programme.version)
    return programme_out(request, programme)


@programmes_router.put(
    "{programme_id}",
    response={200: ProgrammeOut, 400: Error, 403: Error, 404: Error, 412: Error, 428: Error},
    auth=authenticated,
    summary="Save a draft national programme (optimistic concurrency with If-Match)",
    description="412 when somebody saved in between (nothing is overwritten); 428 without "
    "If-Match; 400 for a published or withdrawn entry (revise it first); 403 for another "
    "Member State's entry you may see; 404 for one you may not.",
)
def put_programme(
    request: HttpRequest,
    response: HttpResponse,
    programme_id: int,
    payload: ProgrammeUpdate,
    if_match: str = Header(default="", alias="If-Match"),
):
    programme = querysets.get_programme_or_404(request.user, programme_id)
    version = _version_from(if_match)
    if isinstance(version, Status):
        return version
    return _write(
        response,
        lambda: services.update_programme(
            acting_user=caller(request),
            programme=programme,
            version=version,
            **payload.dict(exclude_unset=True),
        ),
        lambda pk: querysets.get_programme_or_404(request.user, pk),
        lambda p: programme_out(request, p),
    )


@programmes_router.post(
    "{programme_id}/transitions",
    response={200: ProgrammeOut, 400: Error, 403: Error, 404: Error, 412: Error},
    auth=authenticated,
    summary="Publish, withdraw or revise a national programme",
    description="publish and withdraw: the Member State's national approver; revise (back to "
    "draft, off the portal until published again): its focal points and approver. If-Match is "
    "optional here: when sent, 412 if the entry changed since.",
)
def transition_programme(
    request: HttpRequest,
    response: HttpResponse,
    programme_id: int,
    payload: ProgrammeTransitionIn,
    if_match: str = Header(default="", alias="If-Match"),
):
    programme = querysets.get_programme_or_404(request.user, programme_id)
    version = parse_if_match(if_match) if if_match else None
    return _write(
        response,
        lambda: services.transition(
            acting_user=caller(request), entry=programme, action=payload.action, version=version
        ),
        lambda pk: querysets.get_programme_or_404(request.user, pk),
        lambda p: programme_out(request, p),
    )


# --- Services to groups at risk ----------------------------------------------------------------


@services_router.get(
    "", response=list[ServiceOut], auth=public, summary="List services to groups at risk"
)
def list_services(request, filters: Query[ServiceFilter]):
    found = querysets.filtered(
        querysets.services_for(request.user),
        ref_area=filters.REF_AREA,
        group=filters.group,
        status=filters.status,
        kind=filters.kind,
    ).distinct()
    return [service_out(request, s) for s in found]


@services_router.post(
    "",
    response={201: ServiceOut, 400: Error, 403: Error},
    auth=authenticated,
    summary="Write a draft service (the Member State's focal point or approver)",
)
def create_service(request: HttpRequest, response: HttpResponse, payload: ServiceIn):
    try:
        service = services.create_service(acting_user=caller(request), **payload.dict())
    except services.InvalidEntry as exc:
        return Status(400, {"detail": str(exc)})
    response.headers["ETag"] = etag(service.version)
    return Status(201, service_out(request, service))


@services_router.get(
    "{service_id}", response={200: ServiceOut, 404: Error}, auth=public, summary="A service"
)
def get_service(request, response: HttpResponse, service_id: int):
    service = querysets.get_service_or_404(request.user, service_id)
    response.headers["ETag"] = etag(service.version)
    return service_out(request, service)


@services_router.put(
    "{service_id}",
    response={200: ServiceOut, 400: Error, 403: Error, 404: Error, 412: Error, 428: Error},
    auth=authenticated,
    summary="Save a draft service (optimistic concurrency with If-Match)",
    description="412 when somebody saved in between; 428 without If-Match; 400 for a "
    "published or withdrawn entry (revise it first).",
)
def put_service(
    request: HttpRequest,
    response: HttpResponse,
    service_id: int,
    payload: ServiceUpdate,
    if_match: str = Header(default="", alias="If-Match"),
):
    service = querysets.get_service_or_404(request.user, service_id)
    version = _version_from(if_match)
    if isinstance(version, Status):
        return version
    return _write(
        response,
        lambda: services.update_service(
            acting_user=caller(request),
            service=service,
            version=version,
            **payload.dict(exclude_unset=True),
        ),
        lambda pk: querysets.get_service_or_404(request.user, pk),
        lambda s: service_out(request, s),
    )


@services_router.post(
    "{service_id}/transitions",
    response={200: ServiceOut, 400: Error, 403: Error, 404: Error, 412: Error},
    auth=authenticated,
    summary="Publish, withdraw or revise a service",
)
def transition_service(
    request: HttpRequest,
    response: HttpResponse,
    service_id: int,
    payload: ProgrammeTransitionIn,
    if_match: str = Header(default="", alias="If-Match"),
):
    service = querysets.get_service_or_404(request.user, service_id)
    version = parse_if_match(if_match) if if_match else None
    return _write(
        response,
        lambda: services.transition(
            acting_user=caller(request), entry=service, action=payload.action, version=version
        ),
        lambda pk: querysets.get_service_or_404(request.user, pk),
        lambda s: service_out(request, s),
    )
