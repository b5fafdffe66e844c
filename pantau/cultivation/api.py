"""The cultivation API, /api/v1/cultivation/: boundary files of sub-national areas (uploaded by
a Member State's focal point, parsed and checked by the background worker), the loaded areas,
and cultivation surveys with their area figures and national totals. Everything needs a
signed-in caller; a draft survey or an upload of another Member State answers 404, exactly
like one that does not exist."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from pantau.accounts.api_auth import authenticated, caller
from pantau.core.exceptions import PermissionDenied
from pantau.core.schemas import Error
from pantau.members.models import MemberState

from . import ad, permissions, querysets, services
from .boundaries import BoundaryFileRefused, register_boundary_file
from .choices import Crop, SurveyMethod, UploadStatus
from .models import ADProgramme, BoundaryVersion, CultivationSurvey

router = Router(tags=["Cultivation"])


class BoundaryProblemOut(Schema):
    feature: int = Field(
        description="Number of the feature in the file, 1 = the first (0: the file)"
    )
    field: str = Field(description="code, name, parent or geometry")
    message: str


class BoundaryOut(Schema):
    id: int
    REF_AREA: str
    status: str = Field(description="pending, running, failed (nothing loaded) or applied")
    version: int | None = Field(description="The state's boundary version, once loaded")
    file_name: str
    area_count: int
    problems: list[BoundaryProblemOut]
    created_at: str
    finished_at: str | None


class AreaOut(Schema):
    code: str
    name: str
    parent_code: str
    level: int
    geometry: dict[str, Any] = Field(description="GeoJSON geometry, longitude, latitude (WGS 84)")


class AreasOut(Schema):
    REF_AREA: str
    version: int | None
    areas: list[AreaOut]


class AreasQuery(Schema):
    REF_AREA: str = Field(min_length=2, max_length=2)
    geometry: bool = Field(default=True, description="Include each area's boundary")


def _boundary(boundary: BoundaryVersion) -> dict:
    return {
        "id": boundary.pk,
        "REF_AREA": boundary.member_state.code,
        "status": boundary.status,
        "version": boundary.version,
        "file_name": boundary.file_name,
        "area_count": boundary.area_count,
        "problems": boundary.problems,
        "created_at": boundary.created_at.isoformat(),
        "finished_at": boundary.finished_at.isoformat() if boundary.finished_at else None,
    }


@router.post(
    "boundaries",
    response={201: BoundaryOut, 202: BoundaryOut, 400: BoundaryOut | Error, 401: Error, 403: Error},
    auth=authenticated,
    url_name="cultivation-boundaries",
    summary="Upload a boundary file of sub-national areas (GeoJSON or zipped Shapefile)",
    description="Multipart `file`: a GeoJSON FeatureCollection or a ZIP holding one Shapefile "
    "(.shp, .shx, .dbf, .prj), each feature an area with the properties `code`, `name` and "
    "optionally `parent` (the code of another area of the file), its boundary a Polygon or "
    "MultiPolygon in WGS 84 longitude, latitude. Only a focal point of `REF_AREA` (or an "
    "administrator) uploads; `REF_AREA` defaults to the caller's own Member State. The file "
    "is kept and parsed by the background worker: 202 while it waits (follow `Location`), "
    "201 once loaded as the state's next boundary version, 400 "
    "with every problem (feature number, field, message) and nothing loaded: an invalid or "
    "self-intersecting geometry, a duplicate code, an unknown parent, an area outside the "
    "country or with latitude and longitude swapped, a file over 50 MB. Needs `write` scope.",
)
def post_boundaries(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    REF_AREA: Form[str] = "",
    note: Form[str] = "",
):
    user = caller(request)
    code = REF_AREA.strip().upper()
    if not code:
        # The caller's own Member State, when they load boundaries for exactly one.
        own = permissions.boundary_upload_states(user)
        if not own:
            raise PermissionDenied("You may not load boundaries")
        if len(own) > 1:
            return Status(400, {"detail": "REF_AREA: name the Member State of the file"})
        code = next(iter(own))
    state = MemberState.objects.filter(code=code).first()
    if state is None:
        return Status(400, {"detail": f"{REF_AREA!r} is not an ASEAN Member State"})
    try:
        boundary = register_boundary_file(
            acting_user=user, member_state=state, uploaded_file=file, note=note
        )
    except BoundaryFileRefused as exc:
        return Status(400, {"detail": str(exc)})
    boundary.refresh_from_db()  # the worker may already have loaded it (an immediate backend)
    response["Location"] = reverse("api-v1:cultivation-boundary", args=[boundary.pk])
    answers: dict[str, int] = {
        UploadStatus.APPLIED: 201,
        UploadStatus.FAILED: 400,
        UploadStatus.ERROR: 400,
    }
    return Status(answers.get(boundary.status, 202), _boundary(boundary))


@router.get(
    "boundaries/{boundary_id}",
    response={200: BoundaryOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-boundary",
    summary="A boundary upload: its status, version and problems",
    description="Seen by the Member State's focal points and approver and the regional roles; "
    "404 for everybody else.",
)
def get_boundary(request: HttpRequest, boundary_id: int):
    return _boundary(querysets.get_boundary_upload_or_404(caller(request), boundary_id))


@router.get(
    "areas",
    response={200: AreasOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-areas",
    summary="The sub-national areas of a Member State (its newest boundary version)",
)
def get_areas(request: HttpRequest, query: Query[AreasQuery]):
    code = query.REF_AREA.upper()
    areas = list(querysets.current_areas(caller(request), code))
    if not MemberState.objects.filter(code=code).exists():
        raise Http404("No such Member State")
    return {
        "REF_AREA": code,
        "version": areas[0].boundary.version if areas else None,
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "parent_code": a.parent_code,
                "level": a.level,
                "geometry": json.loads(a.geometry) if query.geometry else {},
            }
            for a in areas
        ],
    }


# --- Surveys ----------------------------------------------------------------------------------

MEMBER_STATE_CODES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN")


class FiguresOut(Schema):
    area_ha: float = Field(description="Area under cultivation, hectares (the estimate)")
    area_ha_low: float
    area_ha_high: float
    eradicated_ha: float
    production_kg: float = Field(description="Potential production, kg: area x yield")
    production_kg_low: float
    production_kg_high: float
    villages: int | None
    households: int | None


class SurveyAreaOut(FiguresOut):
    area_code: str
    area_name: str
    yield_kg_ha: float
    yield_kg_ha_low: float | None
    yield_kg_ha_high: float | None
    farm_gate_price: float | None = Field(description="Per kg, in the survey's price_currency")


class SurveyOut(Schema):
    id: int
    REF_AREA: str
    year: int
    crop: str
    method: str
    state: str = Field(description="draft or approved")
    version: int
    is_demo: bool = Field(description="Illustrative demo data")


class SurveyDetailOut(SurveyOut):
    sampling_notes: str
    price_currency: str
    boundary_version: int | None
    production_method: str
    statistics_source: str = Field(description="The source the statistics' figures name")
    areas: list[SurveyAreaOut]
    totals: FiguresOut


class SurveysQuery(Schema):
    REF_AREA: str | None = Field(default=None, max_length=2)
    year: int | None = None
    crop: Crop | None = None


class SurveyIn(Schema):
    REF_AREA: str = Field(json_schema_extra={"enum": list(MEMBER_STATE_CODES)})
    year: int
    crop: Crop
    method: SurveyMethod
    sampling_notes: str = ""
    price_currency: str = Field(default="", max_length=3)


class AreaRowIn(Schema):
    area_code: str
    area_name: str = ""
    area_ha: float
    area_ha_low: float | None = None
    area_ha_high: float | None = None
    eradicated_ha: float | None = None
    yield_kg_ha: float
    yield_kg_ha_low: float | None = None
    yield_kg_ha_high: float | None = None
    villages: int | None = None
    households: int | None = None
    farm_gate_price: float | None = None


class AreasIn(Schema):
    version: int = Field(description="The survey's version you edited (412 if it changed)")
    areas: list[AreaRowIn]


class VersionIn(Schema):
    version: int


class ReopenIn(Schema):
    version: int
    reason: str = Field(min_length=1, max_length=500)


class ProblemsOut(Schema):
    detail: str
    problems: list[str] = Field(description="line N, field: message")


def _survey(survey: CultivationSurvey) -> dict:
    return {
        "id": survey.pk,
        "REF_AREA": survey.member_state.code,
        "year": survey.year,
        "crop": survey.crop,
        "method": survey.method,
        "state": survey.state,
        "version": survey.version,
        "is_demo": survey.is_demo,
    }


def _figures(obj) -> dict:
    def number(v):
        return None if v is None else float(v)

    names = (
        "area_ha",
        "area_ha_low",
        "area_ha_high",
        "eradicated_ha",
        "production_kg",
        "production_kg_low",
        "production_kg_high",
    )
    out = {n: number(obj[n] if isinstance(obj, dict) else getattr(obj, n)) for n in names}
    for n in ("villages", "households"):
        out[n] = obj[n] if isinstance(obj, dict) else getattr(obj, n)
    return out


def _survey_detail(survey: CultivationSurvey) -> dict:
    areas = []
    for a in survey.areas.all():
        areas.append(
            {
                "area_code": a.area_code,
                "area_name": a.area_name,
                "yield_kg_ha": float(a.yield_kg_ha),
                "yield_kg_ha_low": None if a.yield_kg_ha_low is None else float(a.yield_kg_ha_low),
                "yield_kg_ha_high": (
                    None if a.yield_kg_ha_high is None else float(a.yield_kg_ha_high)
                ),
                "farm_gate_price": None if a.farm_gate_price is None else float(a.farm_gate_price),
                **_figures(a),
            }
        )
    return {
        **_survey(survey),
        "sampling_notes": survey.sampling_notes,
        "price_currency": survey.price_currency,
        "boundary_version": survey.boundary.version if survey.boundary else None,
        "production_method": services.PRODUCTION_METHOD,
        "statistics_source": survey.source,
        "areas": areas,
        "totals": _figures(services.survey_totals(survey)),
    }


def _problems(exc: ValidationError) -> Status:
    return Status(
        400, {"detail": "The survey has problems; nothing was changed", "problems": exc.messages}
    )


@router.get(
    "surveys",
    response={200: list[SurveyOut], 401: Error},
    auth=authenticated,
    url_name="cultivation-surveys",
    summary="Cultivation surveys (approved ones, and the drafts of the caller's Member State)",
)
def list_surveys(request: HttpRequest, query: Query[SurveysQuery]):
    qs = querysets.surveys(caller(request))
    if query.REF_AREA:
        qs = qs.filter(member_state__code=query.REF_AREA.upper())
    if query.year:
        qs = qs.filter(year=query.year)
    if query.crop:
        qs = qs.filter(crop=query.crop)
    return [_survey(s) for s in qs[:1000]]


@router.post(
    "surveys",
    response={201: SurveyDetailOut, 400: ProblemsOut, 401: Error, 403: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-survey-create",
    summary="Draft a survey (a focal point of REF_AREA)",
    description="A draft survey of a crop in a year, drawn on the state's current boundaries. "
    "Its areas are set with `PUT /surveys/{id}/areas`; the national approver approves it.",
)
def create_survey(request: HttpRequest, body: SurveyIn):
    user = caller(request)
    state = MemberState.objects.filter(code=body.REF_AREA.upper()).first()
    if state is None:
        raise Http404("No such Member State")
    if not permissions.can_edit_survey(user, state.code):
        raise PermissionDenied("You may not draft surveys of this Member State")
    try:
        survey = services.create_survey(
            acting_user=user,
            member_state=state,
            year=body.year,
            crop=body.crop,
            method=body.method,
            sampling_notes=body.sampling_notes,
            price_currency=body.price_currency,
        )
    except ValidationError as exc:
        return _problems(exc)
    return Status(201, _survey_detail(survey))


@router.get(
    "surveys/{survey_id}",
    response={200: SurveyDetailOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-survey",
    summary="A survey with its areas' figures and national totals",
    description="Each area: cultivated area with its interval, eradicated area, yield, potential "
    "production with its interval (computed as `production_method` states), villages, "
    "households and farm-gate price. `totals` are the sums over the areas.",
)
def get_survey(request: HttpRequest, survey_id: int):
    return _survey_detail(querysets.get_survey_or_404(caller(request), survey_id))


@router.put(
    "surveys/{survey_id}/areas",
    response={
        200: SurveyDetailOut,
        400: ProblemsOut,
        401: Error,
        403: Error,
        404: Error,
        412: Error,
    },
    auth=authenticated,
    url_name="cultivation-survey-areas",
    summary="Set a draft survey's areas (all of them, or none when any row has a problem)",
)
def put_areas(request: HttpRequest, survey_id: int, body: AreasIn):
    user = caller(request)
    survey = querysets.get_survey_or_404(user, survey_id)
    rows = [{k: ("" if v is None else str(v)) for k, v in row.dict().items()} for row in body.areas]
    try:
        survey = services.set_survey_areas(
            acting_user=user, survey=survey, rows=rows, version=body.version
        )
    except ValidationError as exc:
        return _problems(exc)
    return _survey_detail(survey)


@router.post(
    "surveys/{survey_id}/approve",
    response={
        200: SurveyDetailOut,
        400: ProblemsOut,
        401: Error,
        403: Error,
        404: Error,
        412: Error,
    },
    auth=authenticated,
    url_name="cultivation-survey-approve",
    summary="Approve a survey (the national approver): its totals go into the statistics",
    description="Writes CULTIVATION_AREA, ERADICATION_AREA (the crop's and all crops') and "
    "POTENTIAL_PRODUCTION of the state and year through the statistics import, as drafts with "
    "the survey as their source; an earlier approval's figures are replaced. 400 with the "
    "statistics' problems (a published figure would change) and nothing changed.",
)
def approve(request: HttpRequest, survey_id: int, body: VersionIn):
    user = caller(request)
    survey = querysets.get_survey_or_404(user, survey_id)
    try:
        survey = services.approve_survey(acting_user=user, survey=survey, version=body.version)
    except ValidationError as exc:
        return _problems(exc)
    return _survey_detail(survey)


@router.post(
    "surveys/{survey_id}/reopen",
    response={
        200: SurveyDetailOut,
        400: ProblemsOut,
        401: Error,
        403: Error,
        404: Error,
        412: Error,
    },
    auth=authenticated,
    url_name="cultivation-survey-reopen",
    summary="Reopen an approved survey for a correction (the national approver)",
)
def reopen(request: HttpRequest, survey_id: int, body: ReopenIn):
    user = caller(request)
    survey = querysets.get_survey_or_404(user, survey_id)
    try:
        survey = services.reopen_survey(
            acting_user=user, survey=survey, version=body.version, reason=body.reason
        )
    except ValidationError as exc:
        return _problems(exc)
    return _survey_detail(survey)


# --- Alternative development --------------------------------------------------------------------

ad_router = Router(tags=["Alternative development"])


class RoundOut(Schema):
    number: int = Field(description="0: the baseline (20.d)")
    kind: str
    started_on: str
    submissions: int
    tabulation: dict[str, float | None] = Field(
        description="households, income_usd (mean), illicit_area_ha (sum), illicit_households, "
        "land_tenure and market_access (% of the households that answered), satisfaction (mean)"
    )


class ADProgrammeOut(Schema):
    id: int
    REF_AREA: str
    name: str
    status: str
    area_codes: list[str]
    start_date: str | None
    end_date: str | None
    implementing_partners: str
    funding_partners: str
    budget: float | None
    budget_currency: str
    households_targeted: int | None
    households_reached: int | None
    substitute_crops: str
    baseline: RoundOut | None
    rounds: list[RoundOut]
    is_demo: bool


class ProgrammesQuery(Schema):
    REF_AREA: str | None = Field(default=None, max_length=2)


def _round(r) -> dict:
    table = ad.tabulate(r)
    return {
        "number": r.number,
        "kind": r.kind,
        "started_on": r.started_on.isoformat(),
        "submissions": table["households"] or 0,
        "tabulation": {k: None if v is None else float(v) for k, v in table.items()},
    }


@ad_router.get(
    "programmes",
    response={200: list[ADProgrammeOut], 401: Error},
    auth=authenticated,
    url_name="ad-programmes",
    summary="Alternative-development programmes with their baseline and survey rounds",
    description="Each round's answers are tabulated (never a household's own answers).",
)
def list_programmes(request: HttpRequest, query: Query[ProgrammesQuery]):
    qs = ADProgramme.objects.select_related("member_state").prefetch_related("rounds")
    if query.REF_AREA:
        qs = qs.filter(member_state__code=query.REF_AREA.upper())
    out = []
    for p in qs[:500]:
        rounds = [_round(r) for r in p.rounds.all()]
        out.append(
            {
                "id": p.pk,
                "REF_AREA": p.member_state.code,
                "name": p.name,
                "status": p.status,
                "area_codes": p.area_codes,
                "start_date": p.start_date.isoformat() if p.start_date else None,
                "end_date": p.end_date.isoformat() if p.end_date else None,
                "implementing_partners": p.implementing_partners,
                "funding_partners": p.funding_partners,
                "budget": None if p.budget is None else float(p.budget),
                "budget_currency": p.budget_currency,
                "households_targeted": p.households_targeted,
                "households_reached": p.households_reached,
                "substitute_crops": p.substitute_crops,
                "baseline": rounds[0] if rounds else None,
                "rounds": rounds,
                "is_demo": p.is_demo,
            }
        )
    return out


class LocationsQuery(Schema):
    REF_AREA: str = Field(min_length=2, max_length=2)


class LocationOut(Schema):
    id: int
    REF_AREA: str
    kind: str = Field(description="field (a surveyed field) or eradication_site")
    survey_id: int | None
    area_code: str
    geometry: dict[str, Any] = Field(description="GeoJSON geometry, longitude, latitude (WGS 84)")
    observed_on: str | None
    note: str
    is_demo: bool


@router.get(
    "locations",
    response={200: list[LocationOut], 401: Error, 403: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-locations",
    summary="Surveyed fields and eradication sites of a Member State (sensitive)",
    description="Only for REF_AREA's law-enforcement officers (national NARCO officer) and "
    "alternative-development officers; everyone else gets 403 and sees the surveys' "
    "area-level figures only. Every read is recorded in the audit log.",
)
def list_locations(request: HttpRequest, query: Query[LocationsQuery]):
    code = query.REF_AREA.upper()
    if not MemberState.objects.filter(code=code).exists():
        raise Http404("No such Member State")
    locations = services.read_locations(acting_user=caller(request), member_state=code)
    return [
        {
            "id": loc.pk,
            "REF_AREA": code,
            "kind": loc.kind,
            "survey_id": loc.survey_id,
            "area_code": loc.area_code,
            "geometry": json.loads(loc.geometry),
            "observed_on": loc.observed_on.isoformat() if loc.observed_on else None,
            "note": loc.note,
            "is_demo": loc.is_demo,
        }
        for loc in locations
    ]
