from django.db import models
from django.utils.translation import gettext_lazy as _


class ExerciseKind(models.TextChoices):
    """What kind of review (section V of the 2016-2025 Work Plan; the final assessment of the
    2009-2015 plan; a yearly review)."""

    INTERNAL = "internal", _("Internal review")
    MID_TERM = "mid-term", _("Mid-term review")
    END_OF_TERM = "end-of-term", _("End-of-term review")
    FINAL_ASSESSMENT = "final-assessment", _("Final assessment")
    ANNUAL = "annual", _("Annual review")


# The review calendar of the catalogue (workplan.ReviewKind) spells its kinds with "_".
MILESTONE_KIND = {
    ExerciseKind.INTERNAL: "internal",
    ExerciseKind.MID_TERM: "mid_term",
    ExerciseKind.END_OF_TERM: "end_of_term",
    ExerciseKind.FINAL_ASSESSMENT: "final_assessment",
}


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to ASOD")
    APPROVED = "approved", _("Approved for the AMMD")
    PUBLISHED = "published", _("Published")


class ReviewTransition(models.TextChoices):
    SUBMIT = "submit", _("Submit to ASOD")
    RETURN = "return", _("Return to the Secretariat")
    APPROVE = "approve", _("Approve for the AMMD")
    PUBLISH = "publish", _("Publish")


# action -> (from state, to state)
WORKFLOW: dict[str, tuple[str, str]] = {
    ReviewTransition.SUBMIT: (ReviewState.DRAFT, ReviewState.SUBMITTED),
    ReviewTransition.RETURN: (ReviewState.SUBMITTED, ReviewState.DRAFT),
    ReviewTransition.APPROVE: (ReviewState.SUBMITTED, ReviewState.APPROVED),
    ReviewTransition.PUBLISH: (ReviewState.APPROVED, ReviewState.PUBLISHED),
}


class BuildStatus(models.TextChoices):
    IDLE = "idle", _("Not building")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    FAILED = "failed", _("Failed")


class FileFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
