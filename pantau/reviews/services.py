"""Every write of the reviews app but the build itself (build.py): creating an exercise,
editing its texts, queueing a build, moving it through its workflow. Each checks its predicate
and writes its audit event in the same transaction."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.exceptions import PermissionDenied
from pantau.workplan.models import ReviewMilestone, WorkPlan

from .choices import MILESTONE_KIND, WORKFLOW, BuildStatus, ExerciseKind, ReviewState
from .models import ReviewExercise
from .permissions import (
    can_build_review,
    can_create_review,
    can_edit_review,
    can_transition_review,
)
from .tasks import build_review_task


class ReviewError(ValueError):
    """A request that cannot be done as asked (bad period, wrong state): a 400/409, with why."""


class StaleReview(ReviewError):
    """Somebody else changed the exercise first (its lock_version moved on)."""


def default_period(kind: str, plan: WorkPlan, year: int) -> tuple[int, int]:
    """An annual review covers its year; the final assessment the whole plan; the others the
    plan from its first year to the review's year."""
    if kind == ExerciseKind.ANNUAL:
        return year, year
    if kind == ExerciseKind.FINAL_ASSESSMENT:
        return plan.period_start, plan.period_end
    return plan.period_start, min(year, plan.period_end)


def _milestone(kind: str, plan: WorkPlan, year: int) -> ReviewMilestone | None:
    catalogue_kind = MILESTONE_KIND.get(ExerciseKind(kind))
    if catalogue_kind is None:
        return None
    return ReviewMilestone.objects.filter(plan=plan, kind=catalogue_kind, year=year).first()


@transaction.atomic
def create_review(
    *,
    acting_user: User,
    kind: str,
    plan: WorkPlan,
    year: int,
    period_start: int | None = None,
    period_end: int | None = None,
) -> ReviewExercise:
    if not can_create_review(acting_user):
        raise PermissionDenied(_("Only the ASEAN Secretariat creates review exercises"))
    if kind not in ExerciseKind.values:
        raise ReviewError(_("Unknown kind of review: %(kind)s") % {"kind": kind})
    first, last = default_period(kind, plan, year)
    first = period_start or first
    last = period_end or last
    if not (plan.period_start <= first <= last <= plan.period_end):
        raise ReviewError(
            _("The period covered must lie within the plan's %(period)s") % {"period": plan.period}
        )
    now = timezone.now()
    exercise = ReviewExercise.objects.create(
        kind=kind,
        plan=plan,
        year=year,
        period_start=first,
        period_end=last,
        milestone=_milestone(kind, plan, year),
        created_at=now,
        updated_at=now,
        created_by=acting_user,
        created_by_label=acting_user.get_username()[:150],
    )
    record(
        actor=acting_user,
        action="reviews.review.create",
        obj=exercise,
        after={
            "kind": kind,
            "plan": plan.code,
            "year": year,
            "period": exercise.period,
            "milestone": exercise.milestone_id,
        },
    )
    return exercise


def _locked(exercise: ReviewExercise, lock_version: int | None) -> ReviewExercise:
    current = ReviewExercise.objects.select_for_update().get(pk=exercise.pk)
    if lock_version is not None and current.lock_version != lock_version:
        raise StaleReview(
            _("Somebody else changed this review first; reload the page and try again")
        )
    return current


@transaction.atomic
def update_texts(
    *,
    acting_user: User,
    exercise: ReviewExercise,
    lock_version: int | None,
    executive_summary: str,
    recommendations: str,
) -> ReviewExercise:
    """The executive summary and recommendations (the numbers come from the snapshot and are
    never edited); they go into the documents at the next build."""
    current = _locked(exercise, lock_version)
    if not can_edit_review(acting_user, current):
        raise PermissionDenied(_("Only the ASEAN Secretariat edits a draft review"))
    before = {
        "executive_summary": current.executive_summary,
        "recommendations": current.recommendations,
    }
    current.executive_summary = executive_summary
    current.recommendations = recommendations
    current.lock_version += 1
    current.updated_at = timezone.now()
    current.save(
        update_fields=["executive_summary", "recommendations", "lock_version", "updated_at"]
    )
    record(
        actor=acting_user,
        action="reviews.review.edit",
        obj=current,
        before=before,
        after={"executive_summary": executive_summary, "recommendations": recommendations},
    )
    return current


@transaction.atomic
def request_build(*, acting_user: User, exercise: ReviewExercise) -> str:
    """Queue a build of the review (tasks.build_review_task) and return the task's id. The
    task row is written in this transaction: no build is queued unless this commits."""
    current = _locked(exercise, None)
    if not can_build_review(acting_user, current):
        raise PermissionDenied(_("Only the ASEAN Secretariat builds a draft review"))
    if current.build_status in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return current.build_task_id
    result = build_review_task.enqueue(current.pk, acting_user.pk)
    current.build_status = BuildStatus.QUEUED
    current.build_task_id = str(result.id)
    current.build_error = ""
    current.save(update_fields=["build_status", "build_task_id", "build_error"])
    record(
        actor=acting_user,
        action="reviews.review.build_requested",
        obj=current,
        after={"task": current.build_task_id},
    )
    return current.build_task_id


@transaction.atomic
def transition(
    *,
    acting_user: User,
    exercise: ReviewExercise,
    action: str,
    lock_version: int | None = None,
) -> ReviewExercise:
    """draft -> submitted (Secretariat) -> approved (ASOD) -> published (Secretariat);
    ASOD returns a submitted review to draft."""
    current = _locked(exercise, lock_version)
    if not can_transition_review(acting_user, current, action):
        if current.can_transition(action):
            raise PermissionDenied(_("You may not do this to the review"))
        raise ReviewError(
            _("A review in state %(state)s cannot be %(action)s")
            % {"state": ReviewState(current.state).label, "action": action}
        )
    before = current.state
    current.state = WORKFLOW[action][1]
    current.lock_version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["state", "lock_version", "updated_at"])
    record(
        actor=acting_user,
        action=f"reviews.review.{action}",
        obj=current,
        before={"state": before},
        after={"state": current.state, "version": current.version},
    )
    return current
