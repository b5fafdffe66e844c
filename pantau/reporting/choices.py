from django.db import models
from django.utils.translation import gettext_lazy as _


class ImplementationStatus(models.TextChoices):
    """An activity's implementation status in a country report (API values are these keys)."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ONGOING = "ongoing", _("Ongoing / continuous")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return with comments")
    VALIDATE = "validate", _("Validate")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")


# The workflow: action -> (from status, to status).
WORKFLOW: dict[str, tuple[str, str]] = {
    Transition.SUBMIT: (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
    Transition.RETURN: (ReportStatus.SUBMITTED, ReportStatus.DRAFT),
    Transition.VALIDATE: (ReportStatus.SUBMITTED, ReportStatus.VALIDATED),
    Transition.APPROVE: (ReportStatus.VALIDATED, ReportStatus.APPROVED),
    Transition.PUBLISH: (ReportStatus.APPROVED, ReportStatus.PUBLISHED),
}

# Statuses whose figures count in the filled Work Plan.
APPROVED_STATUSES = (ReportStatus.APPROVED, ReportStatus.PUBLISHED)


class EvidenceKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("Uploaded file")
    EVENT = "event", _("Event (meeting, training, campaign)")
