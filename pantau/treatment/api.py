"""The treatment MIS API (15.d.iv): episodes for centre staff (their centres) and national
treatment coordinators (their country, read only), and the yearly aggregates for everybody,
suppressed for anyone but the country's coordinator. Episodes a caller may not see answer
404 exactly like episodes that do not exist; every read is audited by `services`."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from pantau.accounts.api_auth import authenticated, public
from pantau.core.schemas import Error

from . import exchange, services
from .aggregates import DIMENSIONS, table, unknown_dimensions
from .choices import (
    DischargeReason,
    Drug,
    Education,
    FollowUpOutcome,
    Frequency,
    Housing,
    LabourStatus,
    LivingConditions,
    LivingStatus,
    PreviouslyTreated,
    ReferralSource,
    ReviewStage,
    Route,
    Sex,
    VocationalTraining,
    YesNo,
)
from .models import Centre, Episode, staff_centre_ids
from .permissions import sees_unsuppressed

router = Router(tags=["Treatment"])


class EpisodeProblems(Schema):
    detail: str
    problems: dict[str, list[str]] = Field(description="Messages by item, e.g. start_date")


class ClientIn(Schema):
    """Used to derive the pseudonymous client code, then forgotten: never stored."""

    initials: str
    date_of_birth: datetime.date
    sex: Sex


class EpisodeIn(Schema):
    centre: int = Field(description="The id of the centre (one of the caller's)")
    start_date: datetime.date
    client: ClientIn
    primary_drug: Drug = Field(description="A code of the statistics DRUG codelist")
    secondary_drugs: list[Drug] = Field(default_factory=list, max_length=4)
    previously_treated: PreviouslyTreated = PreviouslyTreated.UNKNOWN
    referral_source: ReferralSource = ReferralSource.UNKNOWN
    living_status: LivingStatus = LivingStatus.UNKNOWN
    living_conditions: LivingConditions = LivingConditions.UNKNOWN
    labour_status: LabourStatus = LabourStatus.UNKNOWN
    education: Education = Education.UNKNOWN
    nationality: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    route: Route = Route.UNKNOWN
    frequency: Frequency = Frequency.UNKNOWN
    age_first_use: int | None = Field(default=None, ge=0, le=120)
    injected_ever: YesNo = YesNo.UNKNOWN
    injected_12_months: YesNo = YesNo.UNKNOWN
    injected_30_days: YesNo = YesNo.UNKNOWN
    needle_sharing: YesNo = YesNo.UNKNOWN


class FollowUpOut(Schema):
    months: int
    date: datetime.date
    outcome: str
    notes: str


class TreatmentReviewIn(Schema):
    """An outcome profile (as the UK's Treatment Outcomes Profile): the last 28 days."""

    stage: ReviewStage
    date: datetime.date
    days_used: dict[Drug, int] = Field(
        default_factory=dict, description="Days of use in the last 28 days by DRUG code, 0-28"
    )
    days_injected: int = Field(ge=0, le=28)
    psychological_health: int = Field(ge=0, le=20, description="0 poor - 20 good")
    physical_health: int = Field(ge=0, le=20, description="0 poor - 20 good")
    quality_of_life: int = Field(ge=0, le=20, description="0 poor - 20 good")
    housing: Housing
    days_worked: int = Field(ge=0, le=28)
    days_studied: int = Field(ge=0, le=28)
    offending: YesNo
    vocational_training: VocationalTraining = VocationalTraining.NONE
    notes: str = Field(default="", max_length=2000)


class TreatmentReviewOut(Schema):
    id: int
    stage: str
    date: datetime.date
    days_used: dict[str, int]
    days_injected: int
    psychological_health: int
    physical_health: int
    quality_of_life: int
    housing: str
    days_worked: int
    days_studied: int
    offending: str
    vocational_training: str
    notes: str


class EpisodeOut(Schema):
    id: int
    centre: int
    client_code: str = Field(description="Pseudonymous: HMAC-SHA256 keyed by the Member State")
    start_date: datetime.date
    previously_treated: str
    referral_source: str
    sex: str
    age: int
    living_status: str
    living_conditions: str
    labour_status: str
    education: str
    nationality: str
    primary_drug: str
    secondary_drugs: list[str]
    route: str
    frequency: str
    age_first_use: int | None
    injected_ever: str
    injected_12_months: str
    injected_30_days: str
    needle_sharing: str
    discharge_date: datetime.date | None
    discharge_reason: str
    follow_ups: list[FollowUpOut]
    reviews: list[TreatmentReviewOut]


class DischargeIn(Schema):
    date: datetime.date
    reason: DischargeReason


class FollowUpIn(Schema):
    months: int = Field(description="3, 6 or 12")
    date: datetime.date
    outcome: FollowUpOutcome
    notes: str = ""


class EpisodeFilter(Schema):
    centre: int | None = None
    year: int | None = None


class AggregateQuery(Schema):
    REF_AREA: str = Field(pattern=r"^[A-Za-z]{2}$", description="The Member State, e.g. TH")
    TIME_PERIOD: int = Field(ge=1900, le=2100, description="The year of the start of treatment")
    group_by: str = Field(default="DRUG,SEX", description="Comma-separated: DRUG, SEX, AGE")


class AggregateCell(Schema):
    key: dict[str, str] = Field(description="The cell's codes; _T is the total")
    persons: int | None = Field(description="Distinct clients; null when suppressed")
    episodes: int | None = Field(description="Treatment entries; null when suppressed")
    suppressed: bool


class AggregateOut(Schema):
    REF_AREA: str
    TIME_PERIOD: int
    group_by: list[str]
    suppression_applied: bool
    cells: list[AggregateCell]


def _episode_out(e: Episode) -> dict:
    data = {
        f: getattr(e, f)
        for f in EpisodeOut.model_fields
        if f not in {"centre", "follow_ups", "reviews"}
    }
    data["centre"] = e.centre_id
    data["follow_ups"] = [
        {"months": f.months, "date": f.date, "outcome": f.outcome, "notes": f.notes}
        for f in e.follow_ups.all()
    ]
    data["reviews"] = [_review_out(r) for r in e.reviews.all()]
    return data


def _review_out(r) -> dict:
    return {f: getattr(r, f) for f in TreatmentReviewOut.model_fields}


def _problems(exc: ValidationError) -> Status:
    problems = exc.message_dict
    detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items())
    return Status(400, {"detail": detail, "problems": problems})


@router.post(
    "episodes",
    auth=authenticated,
    response={201: EpisodeOut, 400: EpisodeProblems, 403: Error, 404: Error},
    summary="Open a treatment episode (staff of that centre)",
)
def create_episode(request, payload: EpisodeIn):
    centre = (
        Centre.objects.select_related("member_state")
        .filter(pk=payload.centre, pk__in=staff_centre_ids(request.user))
        .first()
    )
    if centre is None:
        raise Http404("No such centre")
    items: dict[str, Any] = {
        k: (list(map(str, v)) if isinstance(v, list) else v)
        for k, v in payload.dict(exclude={"centre", "start_date", "client"}).items()
    }
    client = payload.client
    try:
        episode = services.open_episode(
            acting_user=request.user,
            centre=centre,
            start_date=payload.start_date,
            initials=client.initials,
            date_of_birth=client.date_of_birth,
            sex=str(client.sex),
            **items,
        )
    except ValidationError as exc:
        return _problems(exc)
    return Status(201, _episode_out(episode))


@router.get(
    "episodes",
    auth=authenticated,
    response=list[EpisodeOut],
    summary="The episodes you may see (your centres', or your country's as coordinator)",
)
def list_episodes(request, filters: Query[EpisodeFilter]):
    rows = services.list_episodes(
        acting_user=request.user, centre=filters.centre, year=filters.year
    )
    return [_episode_out(e) for e in rows]


@router.get(
    "episodes/{id}",
    auth=authenticated,
    response={200: EpisodeOut, 404: Error},
    summary="Read an episode (audited)",
)
def get_episode(request, id: int):
    return _episode_out(services.read_episode(acting_user=request.user, pk=id))


@router.post(
    "episodes/{id}/discharge",
    auth=authenticated,
    response={200: EpisodeOut, 400: EpisodeProblems, 403: Error, 404: Error},
    summary="Discharge the client (staff of the episode's centre)",
)
def discharge(request, id: int, payload: DischargeIn):
    try:
        services.discharge_episode(
            acting_user=request.user, pk=id, discharge_date=payload.date, reason=str(payload.reason)
        )
    except ValidationError as exc:
        return _problems(exc)
    return _episode_out(services.read_episode(acting_user=request.user, pk=id))


@router.post(
    "episodes/{id}/follow-ups",
    auth=authenticated,
    response={201: FollowUpOut, 400: EpisodeProblems, 403: Error, 404: Error},
    summary="Record a follow-up evaluation 3, 6 or 12 months after discharge",
)
def follow_up(request, id: int, payload: FollowUpIn):
    try:
        row = services.add_follow_up(
            acting_user=request.user,
            pk=id,
            months=payload.months,
            date=payload.date,
            outcome=str(payload.outcome),
            notes=payload.notes,
        )
    except ValidationError as exc:
        return _problems(exc)
    return Status(
        201, {"months": row.months, "date": row.date, "outcome": row.outcome, "notes": row.notes}
    )


@router.post(
    "episodes/{id}/reviews",
    auth=authenticated,
    response={201: TreatmentReviewOut, 400: EpisodeProblems, 403: Error, 404: Error},
    summary="Record an outcome profile at entry, during treatment, at exit or at follow-up",
)
def review(request, id: int, payload: TreatmentReviewIn):
    data = payload.dict()
    data["days_used"] = {str(k): v for k, v in data["days_used"].items()}
    for key in ("stage", "housing", "offending", "vocational_training"):
        data[key] = str(data[key])
    try:
        row = services.record_review(acting_user=request.user, pk=id, **data)
    except ValidationError as exc:
        return _problems(exc)
    return Status(201, _review_out(row))


@router.get(
    "aggregates",
    auth=public,
    response={200: AggregateOut, 400: Error},
    summary="Treatment entries of a year, persons and episodes, with small-cell suppression",
    description="Cells of 1 to 4 persons are suppressed, and further cells so that no total "
    "reveals them, for every caller except the country's national treatment coordinator.",
)
def aggregates(request, query: Query[AggregateQuery]):
    group_by = [d.strip().upper() for d in query.group_by.split(",") if d.strip()]
    unknown = unknown_dimensions(group_by)
    if unknown or len(set(group_by)) != len(group_by):
        return Status(400, {"detail": f"group_by: use some of {', '.join(DIMENSIONS)} once each"})
    area = query.REF_AREA.upper()
    suppressed = not sees_unsuppressed(request.user, area)
    cells = table(area, query.TIME_PERIOD, group_by, suppressed=suppressed)
    return {
        "REF_AREA": area,
        "TIME_PERIOD": query.TIME_PERIOD,
        "group_by": group_by,
        "suppression_applied": suppressed,
        "cells": [
            {
                "key": dict(zip(group_by, c.key, strict=True)),
                "persons": None if c.suppressed else c.persons,
                "episodes": None if c.suppressed else c.episodes,
                "suppressed": c.suppressed,
            }
            for c in cells
        ],
    }


class ExportQuery(Schema):
    REF_AREA: str = Field(pattern=r"^[A-Za-z]{2}$", description="The Member State, e.g. TH")
    TIME_PERIOD: int | None = Field(
        default=None, ge=1900, le=2100, description="The year of the start of treatment"
    )
    format: Literal["csv", "xlsx"] = "csv"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "export",
    auth=authenticated,
    summary="The episodes you may see of a Member State, in the TDI 3.0 layout (CSV or XLSX)",
    description="The national treatment coordinator gets the country's episodes, centre staff "
    "their centres'; anybody else only the header. One row an episode, the columns of "
    "docs/treatment-exchange.md (pseudonymous client codes, never an identity). Audited as a "
    "read of the episodes it holds.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The episodes as a file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export(request, query: Query[ExportQuery]):
    state = query.REF_AREA.upper()
    rows = exchange.export_rows(
        acting_user=request.user, member_state=state, year=query.TIME_PERIOD
    )
    body = exchange.export_file(rows, query.format)
    response = HttpResponse(
        body, content_type=XLSX if query.format == "xlsx" else "text/csv; charset=utf-8"
    )
    year = f"-{query.TIME_PERIOD}" if query.TIME_PERIOD else ""
    response["Content-Disposition"] = (
        f'attachment; filename="treatment-episodes-{state}{year}.{query.format}"'
    )
    return response
