"""The ASEAN-NARCO API, for officers' own tools: the same rules as the pages.

Only ASEAN-NARCO officers get anything; everybody else (the Secretariat and administrators
included) gets 404 on every operation, so the module reveals nothing. A record not shared
with the caller answers exactly like a record that does not exist. Every read and write
goes through `services`, which audits it."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status

from pantau.accounts.api_auth import authenticated
from pantau.core.exceptions import ConflictError
from pantau.core.schemas import Error
from pantau.members.api import etag, parse_if_match

from . import services
from .models import NarcoRecord, Person, Syndicate
from .names import WordMatch
from .permissions import can_edit_record, is_officer, officer_states

# One body for "does not exist", "not shared with you" and "you are not an officer".
NOT_FOUND = "No such record"


def _officers_only(auth):
    """The same scheme as `auth` (one of pantau.accounts.api_auth.authenticated), answering 404 to
    any other signed-in user before the request is even parsed: a non-officer learns
    nothing from a 422 about a payload either. Anonymous callers (no token, no session) get
    the same 404; only a token that is not valid gets 401."""
    scheme = type(auth)

    class OfficersOnly(scheme):  # type: ignore[valid-type,misc]
        def __call__(self, request):
            if not request.META.get("HTTP_AUTHORIZATION") and not request.user.is_authenticated:
                raise Http404(NOT_FOUND)
            return super().__call__(request)

        def authenticate(self, request, *args):
            user = super().authenticate(request, *args)
            if user is not None and not is_officer(user):
                raise Http404(NOT_FOUND)
            return user

    OfficersOnly.__name__ = scheme.__name__  # the same security scheme in the OpenAPI document
    return OfficersOnly()


router = Router(tags=["ASEAN-NARCO"], auth=[_officers_only(a) for a in authenticated])


def _require_officer(request: HttpRequest) -> None:
    # Also checked here: a handler must never rely on the router's auth alone.
    if not is_officer(request.user):
        raise Http404(NOT_FOUND)


# --- Schemas ----------------------------------------------------------------------------------


class SharingIn(Schema):
    originator: str | None = Field(
        default=None, description="Always the caller's Member State (REF_AREA); may be left out"
    )
    states: list[str] | Literal["all"] = Field(
        default_factory=list,
        description='REF_AREA codes of the Member States it is shared with, "all" for every '
        "ASEAN-NARCO officer, or [] for the originating agency only",
    )


class SharingOut(Schema):
    originator: str
    states: list[str] | Literal["all"]


class Problems(Schema):
    detail: str
    problems: list[str]


class IdentityDocument(Schema):
    type: str = Field(default="", description="passport, national identity card, ...")
    number: str
    country: str = Field(default="", description="Issuing country (ISO 3166-1 alpha-2)")


class PersonIn(Schema):
    names: list[str] = Field(description="Names and aliases, in their own script or romanised")
    nationality: str = Field(description="ISO 3166-1 alpha-2, e.g. TH")
    date_of_birth: date | None = None
    identity_documents: list[IdentityDocument] | None = None
    wanted_by: str | None = Field(default=None, description="REF_AREA of the Member State")
    wanted_for: str = ""
    status: str | None = Field(
        default=None, description="wanted, of_interest, in_custody, extradited, closed"
    )
    notes: str = ""
    originating_agency: str = ""
    sharing: SharingIn = Field(default_factory=SharingIn)


class PersonPatch(Schema):
    """The fields to change; fields left out keep their value."""

    names: list[str] | None = None
    nationality: str | None = None
    date_of_birth: date | None = None
    identity_documents: list[IdentityDocument] | None = None
    wanted_by: str | None = None
    wanted_for: str | None = None
    status: str | None = None
    notes: str | None = None
    originating_agency: str | None = None
    sharing: SharingIn | None = None


class PersonOut(Schema):
    id: int
    names: list[str]
    nationality: str
    date_of_birth: str | None
    identity_documents: list[IdentityDocument] | None
    wanted_by: str | None
    wanted_for: str
    status: str
    notes: str
    originating_agency: str
    sharing: SharingOut
    review_date: date
    archived: bool
    version: int = Field(description="The record's ETag: send it back as If-Match with PUT")
    created_at: datetime
    updated_at: datetime


class SyndicateIn(Schema):
    name: str
    aliases: list[str] = Field(default_factory=list)
    areas_of_operation: list[str] = Field(default_factory=list)
    routes: str = ""
    drug_types: list[str] = Field(default_factory=list)
    precursors: list[str] = Field(default_factory=list)
    modus_operandi: str = ""
    linked_organisations: str = ""
    members: list[int] = Field(default_factory=list, description="Ids of linked persons")
    status: str | None = Field(default=None, description="active, disrupted, dismantled")
    originating_agency: str = ""
    sharing: SharingIn = Field(default_factory=SharingIn)


class SyndicatePatch(Schema):
    """The fields to change; fields left out keep their value."""

    name: str | None = None
    aliases: list[str] | None = None
    areas_of_operation: list[str] | None = None
    routes: str | None = None
    drug_types: list[str] | None = None
    precursors: list[str] | None = None
    modus_operandi: str | None = None
    linked_organisations: str | None = None
    members: list[int] | None = None
    status: str | None = None
    originating_agency: str | None = None
    sharing: SharingIn | None = None


class SyndicateOut(Schema):
    id: int
    name: str
    aliases: list[str]
    areas_of_operation: list[str]
    routes: str
    drug_types: list[str]
    precursors: list[str]
    modus_operandi: str
    linked_organisations: str
    members: list[int] = Field(description="The linked persons shared with the caller")
    status: str
    originating_agency: str
    sharing: SharingOut
    review_date: date
    archived: bool
    version: int = Field(description="The record's ETag: send it back as If-Match with PUT")
    created_at: datetime
    updated_at: datetime


class WordMatchOut(Schema):
    query: str = Field(description="The word of the query (the whole query for whole_name)")
    part: str = Field(description="The part of the recorded name it matched, as recorded")
    name: str = Field(description="The recorded name (or alias) that part belongs to")
    how: str = Field(description="exact, transliterated, one_edit, phonetic or whole_name")
    score: float


class PersonMatch(Schema):
    id: int
    names: list[str]
    nationality: str
    status: str
    originator: str
    score: float
    explanation: list[WordMatchOut] = Field(
        description="Why it matched: which part of which name matched each word of the query"
    )


class SyndicateMatch(Schema):
    id: int
    name: str
    aliases: list[str]
    status: str
    originator: str
    score: float
    explanation: list[WordMatchOut] = Field(
        description="Why it matched: which part of which name matched each word of the query"
    )


class SearchOut(Schema):
    persons: list[PersonMatch]
    syndicates: list[SyndicateMatch]


class SearchQuery(Schema):
    name: str = ""


# --- Helpers ----------------------------------------------------------------------------------


def _sharing_out(obj: NarcoRecord) -> dict:
    states: list[str] | str
    if obj.sharing == "all":
        states = "all"
    elif obj.sharing == "states":
        states = sorted(s.code for s in obj.shared_with.all())
    else:
        states = []
    return {"originator": obj.originator.code, "states": states}


def _sharing_args(sharing: dict | None, originator: str, problems: list[str]) -> dict:
    """The API's {"originator", "states"} as the services' sharing and shared_with."""
    if sharing is None:
        return {}
    claimed = (sharing.get("originator") or "").upper()
    if claimed and claimed != originator:
        problems.append(
            f"sharing.originator: the originator is the record's Member State, {originator}"
        )
    states = sharing.get("states")
    if states == "all":
        return {"sharing": "all", "shared_with": []}
    if states:
        return {"sharing": "states", "shared_with": list(states)}
    return {"sharing": "originator", "shared_with": []}


def _record_out(obj: NarcoRecord) -> dict:
    return {
        "id": obj.pk,
        "originating_agency": obj.originating_agency,
        "sharing": _sharing_out(obj),
        "review_date": obj.review_date,
        "archived": obj.archived_at is not None,
        "version": obj.version,
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
    }


def _person_out(p: Person) -> dict:
    return _record_out(p) | {
        "names": p.names,
        "nationality": p.nationality,
        "date_of_birth": p.date_of_birth,
        "identity_documents": p.identity_documents,
        "wanted_by": p.wanted_by.code if p.wanted_by else None,
        "wanted_for": p.wanted_for,
        "status": p.status,
        "notes": p.notes,
    }


def _syndicate_out(s: Syndicate, member_ids: list[int]) -> dict:
    return _record_out(s) | {
        "name": s.name,
        "aliases": s.aliases,
        "areas_of_operation": s.areas_of_operation,
        "routes": s.routes,
        "drug_types": s.drug_types,
        "precursors": s.precursors,
        "modus_operandi": s.modus_operandi,
        "linked_organisations": s.linked_organisations,
        "members": member_ids,
        "status": s.status,
    }


def _visible_members(request, syndicate: Syndicate) -> list[int]:
    return list(
        syndicate.members.filter(
            pk__in=Person.objects.restrict(request.user).values("pk")
        ).values_list("pk", flat=True)
    )


def _own_code(request) -> str:
    return sorted(officer_states(request.user))[0]


def _changes(payload: Schema) -> dict:
    """The fields a PUT sends; null clears a text field (it never stores a null)."""
    changes = payload.dict(exclude_unset=True)
    return {k: "" if v is None and k in TEXT_FIELDS else v for k, v in changes.items()}


TEXT_FIELDS = frozenset(
    {
        "wanted_for",
        "notes",
        "originating_agency",
        "routes",
        "modus_operandi",
        "linked_organisations",
    }
)


def _problems(problems: list[str]) -> Status:
    return Status(400, {"detail": "; ".join(problems), "problems": problems})


def _editable_or_404(request, model, pk: int):
    """The record as the caller may see it (404 otherwise); 403 when it is a partner's."""
    obj = model.objects.restrict(request.user).select_related("originator").filter(pk=pk).first()
    if obj is None:
        raise Http404(NOT_FOUND)
    if not can_edit_record(request.user, obj):
        return None
    return obj


def _if_match(if_match: str) -> int | Status:
    if not if_match:
        return Status(428, {"detail": "Send If-Match with the ETag of the version you edited"})
    version = parse_if_match(if_match)
    if version is None:
        return _problems([f"If-Match is not an ETag of this record: {if_match}"])
    return version


NOT_YOURS = "Only the originating Member State's officers change this record"


def _explanation(why: list[WordMatch]) -> list[dict]:
    """Why a search matched a record, for the API: the word matches, as plain values."""
    return [
        {"query": w.query, "part": w.part, "name": w.name, "how": w.how.value, "score": w.score}
        for w in why
    ]


# --- Persons ----------------------------------------------------------------------------------


@router.get(
    "persons",
    response={200: list[PersonOut], 404: Error},
    summary="Persons of interest and fugitives shared with your Member State",
)
def list_persons(request):
    _require_officer(request)
    rows = services.list_records(acting_user=request.user, model=Person, select=("wanted_by",))
    return [_person_out(p) for p in rows]


@router.post(
    "persons",
    response={201: PersonOut, 400: Problems, 404: Error},
    summary="Record a person of interest or fugitive (originated by your Member State)",
)
def create_person(request, response: HttpResponse, payload: PersonIn):
    return _create_record(request, response, payload, services.create_person, _person_out)


@router.get("persons/{id}", response={200: PersonOut, 404: Error}, summary="Read a person")
def get_person(request, response: HttpResponse, id: int):
    _require_officer(request)
    person = services.read_record(acting_user=request.user, model=Person, pk=id)
    response.headers["ETag"] = etag(person.version)
    return _person_out(person)


@router.put(
    "persons/{id}",
    response={200: PersonOut, 400: Problems, 403: Error, 404: Error, 412: Error, 428: Error},
    summary="Change a person (originator only; If-Match with the record's ETag)",
    description="Fields left out keep their value. 412 when somebody saved in between "
    "(nothing is overwritten), 428 without If-Match, 403 on a partner's record.",
)
def put_person(
    request,
    response: HttpResponse,
    id: int,
    payload: PersonPatch,
    if_match: str = Header(default="", alias="If-Match"),
):
    return _update_record(
        request, response, Person, id, payload, if_match, services.update_person, _person_out
    )


# --- Syndicates -------------------------------------------------------------------------------


@router.get(
    "syndicates",
    response={200: list[SyndicateOut], 404: Error},
    summary="Drug syndicates shared with your Member State",
)
def list_syndicates(request):
    _require_officer(request)
    visible = Person.objects.restrict(request.user).only("pk")
    rows = services.list_records(
        acting_user=request.user,
        model=Syndicate,
        prefetch=(Prefetch("members", queryset=visible, to_attr="visible_members"),),
    )
    return [_syndicate_out(s, [m.pk for m in s.visible_members]) for s in rows]


@router.post(
    "syndicates",
    response={201: SyndicateOut, 400: Problems, 404: Error},
    summary="Record a drug syndicate (originated by your Member State)",
)
def create_syndicate(request, response: HttpResponse, payload: SyndicateIn):
    return _create_record(
        request,
        response,
        payload,
        services.create_syndicate,
        lambda syndicate: _syndicate_out(syndicate, _visible_members(request, syndicate)),
    )


@router.get("syndicates/{id}", response={200: SyndicateOut, 404: Error}, summary="Read a syndicate")
def get_syndicate(request, response: HttpResponse, id: int):
    _require_officer(request)
    syndicate = services.read_record(acting_user=request.user, model=Syndicate, pk=id)
    response.headers["ETag"] = etag(syndicate.version)
    return _syndicate_out(syndicate, _visible_members(request, syndicate))


@router.put(
    "syndicates/{id}",
    response={200: SyndicateOut, 400: Problems, 403: Error, 404: Error, 412: Error, 428: Error},
    summary="Change a syndicate (originator only; If-Match with the record's ETag)",
    description="Fields left out keep their value. 412 when somebody saved in between "
    "(nothing is overwritten), 428 without If-Match, 403 on a partner's record.",
)
def put_syndicate(
    request,
    response: HttpResponse,
    id: int,
    payload: SyndicatePatch,
    if_match: str = Header(default="", alias="If-Match"),
):
    return _update_record(
        request,
        response,
        Syndicate,
        id,
        payload,
        if_match,
        services.update_syndicate,
        lambda syndicate: _syndicate_out(syndicate, _visible_members(request, syndicate)),
    )


# --- Creating and changing a person or a syndicate --------------------------------------------


def _create_record(request, response: HttpResponse, payload: Schema, create: Callable, out):
    """POST persons or syndicates: recorded as originated by the caller's Member State."""
    _require_officer(request)
    data = payload.dict()
    problems: list[str] = []
    sharing = _sharing_args(data.pop("sharing"), _own_code(request), problems)
    if problems:
        return _problems(problems)
    try:
        record = create(acting_user=request.user, **data, **sharing)
    except services.NarcoValidationError as exc:
        return _problems(exc.problems)
    response.headers["ETag"] = etag(record.version)
    return Status(201, out(record))


def _update_record(
    request,
    response: HttpResponse,
    model: type[NarcoRecord],
    id: int,
    payload: Schema,
    if_match: str,
    update: Callable,
    out,
):
    """PUT persons/{id} or syndicates/{id}: the originator only, at the version it read."""
    _require_officer(request)
    record = _editable_or_404(request, model, id)
    if record is None:
        return Status(403, {"detail": NOT_YOURS})
    version = _if_match(if_match)
    if isinstance(version, Status):
        return version
    changes = _changes(payload)
    problems: list[str] = []
    sharing = _sharing_args(changes.pop("sharing", None), record.originator.code, problems)
    if problems:
        return _problems(problems)
    name = str(model._meta.model_name)  # the service's argument: person=, syndicate=
    try:
        record = update(
            acting_user=request.user, version=version, **{name: record}, **changes, **sharing
        )
    except ConflictError as exc:
        response.headers["ETag"] = etag(exc.current.version)
        return Status(412, {"detail": str(exc)})
    except services.NarcoValidationError as exc:
        return _problems(exc.problems)
    response.headers["ETag"] = etag(record.version)
    return out(record)


# --- Search -----------------------------------------------------------------------------------


@router.get(
    "search",
    response={200: SearchOut, 400: Problems, 404: Error},
    summary="Search names across borders (transliteration and spelling variants)",
    description="Only records shared with you are returned. A match on a record you may not "
    "see is never shown; its originating Member State is told that a partner searched a "
    "matching name, so the two can talk through official channels.",
)
def search(request, query: Query[SearchQuery]):
    _require_officer(request)
    try:
        result = services.search(acting_user=request.user, query=query.name)
    except services.NarcoValidationError as exc:
        return _problems(exc.problems)
    return {
        "persons": [
            {
                "id": p.pk,
                "names": p.names,
                "nationality": p.nationality,
                "status": p.status,
                "originator": p.originator.code,
                "score": score,
                "explanation": _explanation(why),
            }
            for p, score, why in result.persons
        ],
        "syndicates": [
            {
                "id": s.pk,
                "name": s.name,
                "aliases": s.aliases,
                "status": s.status,
                "originator": s.originator.code,
                "score": score,
                "explanation": _explanation(why),
            }
            for s, score, why in result.syndicates
        ],
    }
