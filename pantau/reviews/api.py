"""The reviews API (/api/v1/reviews/): review exercises, their builds and their workflow.
Anonymous callers and every role but the Secretariat and ASOD see published reviews only."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.schemas import Error
from pantau.workplan.models import WorkPlan

from . import services
from .choices import FileFormat, ReviewTransition
from .models import ReviewExercise
from .permissions import can_create_review
from .querysets import get_review_or_404, reviews_for

router = Router(tags=["Reviews"])

Kind = Literal["internal", "mid-term", "end-of-term", "final-assessment", "annual"]


class ReviewExerciseOut(Schema):
    id: int
    kind: str
    plan: str
    year: int
    period_start: int
    period_end: int
    state: str
    version: int = Field(description="The newest built version (0: never built)")
    snapshot_hash: str = Field(description="SHA-256 of the newest version's snapshot")
    built_at: datetime | None
    build_status: str
    lock_version: int
    milestone: str | None = Field(None, description="The review calendar entry of section V")
    files: dict[str, str] = Field(description="Links to the newest version's html, pdf, xlsx")


def review_out(request: HttpRequest, r: ReviewExercise) -> dict[str, Any]:
    files = {}
    if r.version:
        files = {
            fmt: request.build_absolute_uri(reverse("reviews:file", args=[r.pk, r.version, fmt]))
            for fmt in FileFormat.values
        }
    return {
        "id": r.pk,
        "kind": r.kind,
        "plan": r.plan.code,
        "year": r.year,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "state": r.state,
        "version": r.version,
        "snapshot_hash": r.snapshot_hash,
        "built_at": r.built_at,
        "build_status": r.build_status,
        "lock_version": r.lock_version,
        "milestone": str(r.milestone) if r.milestone else None,
        "files": files,
    }


@router.get(
    "", response=list[ReviewExerciseOut], auth=public, url_name="reviews", summary="Reviews"
)
def list_reviews(request: HttpRequest):
    return [review_out(request, r) for r in reviews_for(request.user)]


class ReviewIn(Schema):
    kind: Kind
    plan: str = "2016-2025"
    year: int
    period_start: int | None = None
    period_end: int | None = None


@router.post(
    "",
    response={201: ReviewExerciseOut, 400: Error, 403: Error},
    auth=authenticated,
    url_name="review-create",
    summary="Create a review exercise (ASEAN Secretariat)",
)
def create_review(request: HttpRequest, payload: ReviewIn):
    user = caller(request)
    if not can_create_review(user):
        return Status(403, {"detail": "Only the ASEAN Secretariat creates review exercises"})
    plan = WorkPlan.objects.filter(code=payload.plan).first()
    if plan is None:
        return Status(400, {"detail": "plan: not found"})
    try:
        exercise = services.create_review(
            acting_user=user,
            kind=payload.kind,
            plan=plan,
            year=payload.year,
            period_start=payload.period_start,
            period_end=payload.period_end,
        )
    except services.ReviewError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(201, review_out(request, exercise))


@router.get(
    "{review_id}",
    response={200: ReviewExerciseOut, 404: Error},
    auth=public,
    url_name="review",
    summary="A review: state, snapshot hash, build date and files",
)
def get_review(request: HttpRequest, review_id: int):
    return review_out(request, get_review_or_404(request.user, review_id))


class TaskOut(Schema):
    task_id: str
    status_url: str


@router.post(
    "{review_id}/build",
    response={202: TaskOut, 403: Error, 404: Error},
    auth=authenticated,
    url_name="review-build",
    summary="Build a new version in the background (ASEAN Secretariat)",
)
def build_review(request: HttpRequest, review_id: int):
    exercise = get_review_or_404(caller(request), review_id)
    task_id = services.request_build(acting_user=caller(request), exercise=exercise)
    url = request.build_absolute_uri(reverse("api-v1:review", args=[exercise.pk]))
    return Status(202, {"task_id": task_id, "status_url": url})


class ReviewTransitionIn(Schema):
    action: Literal["submit", "return", "approve", "publish"]
    lock_version: int | None = None


@router.post(
    "{review_id}/transitions",
    response={200: ReviewExerciseOut, 403: Error, 404: Error, 409: Error},
    auth=authenticated,
    url_name="review-transition",
    summary="Submit to ASOD, return, approve for the AMMD, publish",
)
def transition_review(request: HttpRequest, review_id: int, payload: ReviewTransitionIn):
    exercise = get_review_or_404(caller(request), review_id)
    try:
        exercise = services.transition(
            acting_user=caller(request),
            exercise=exercise,
            action=ReviewTransition(payload.action),
            lock_version=payload.lock_version,
        )
    except services.ReviewError as exc:
        return Status(409, {"detail": str(exc)})
    return review_out(request, exercise)
