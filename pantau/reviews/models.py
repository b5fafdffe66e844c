"""Review exercises (section V of the Work Plan) and their built versions. A version keeps the
snapshot of the data it was built from (canonical JSON and its SHA-256) and its files, so a
later change to a country report never changes a built review: a rebuild is a new version."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import WORKFLOW, BuildStatus, ExerciseKind, FileFormat, ReviewState
from .permissions import sees_all_reviews


class ReviewExerciseQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ReviewExerciseQuerySet":
        """Exercises `user` may read: every one for the Secretariat, ASOD reviewers and
        administrators; published ones for everybody else (the public's one rule)."""
        if sees_all_reviews(user):
            return self
        return self.published()

    def published(self) -> "ReviewExerciseQuerySet":
        return self.filter(state=ReviewState.PUBLISHED)


class ReviewExercise(models.Model):
    """A review of a plan (internal, mid-term, end-of-term, final assessment, annual) over a
    period, linked to the plan's review calendar entry when one matches. Its figures come
    from the snapshot of its newest version; only the texts are edited."""

    kind = models.CharField(max_length=20, choices=ExerciseKind.choices)
    plan = models.ForeignKey("workplan.WorkPlan", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    milestone = models.ForeignKey(
        "workplan.ReviewMilestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exercises",
    )
    state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT)
    # Bumped by every write: two people acting on one exercise at once conflict.
    lock_version = models.PositiveIntegerField(default=1)
    executive_summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    # The newest built version (0: never built), copied here for lists and the API.
    version = models.PositiveIntegerField(default=0)
    snapshot_hash = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    build_status = models.CharField(
        max_length=8, choices=BuildStatus.choices, default=BuildStatus.IDLE
    )
    build_task_id = models.CharField(max_length=64, blank=True)
    build_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)

    objects = ReviewExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="review_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.plan_id and self.plan.code})"

    @property
    def period(self) -> str:
        return f"{self.period_start}-{self.period_end}"

    def can_transition(self, action: str) -> bool:
        """The pure workflow rule (who may do it is in permissions.py). A review is submitted
        only once it has been built."""
        if action not in WORKFLOW or WORKFLOW[action][0] != self.state:
            return False
        return self.version > 0


class ReviewVersion(models.Model):
    """One build of an exercise: the frozen snapshot (canonical JSON), its SHA-256, the texts
    as they were, the files (paths in the default storage) and what changed since the version
    before (figures of the two snapshots)."""

    exercise = models.ForeignKey(ReviewExercise, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.TextField(help_text=_("Canonical JSON of the data the review used"))
    snapshot_hash = models.CharField(max_length=64)
    executive_summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    files = models.JSONField(default=dict)  # format -> storage name
    changes = models.JSONField(default=list)  # [{"figure", "before", "after"}]
    built_at = models.DateTimeField()
    built_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["exercise", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "number"], name="review_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.exercise} version {self.number}"

    def file_name(self, fmt: str) -> str:
        return self.files.get(FileFormat(fmt), "")
