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
    # ASOD sends a validated report back: to the Secretariat (to validate again) or to the
    # country (to fill again). Both need a reason.
    RETURN_TO_SECRETARIAT = "return_to_secretariat", _("Return to the Secretariat")
    RETURN_TO_COUNTRY = "return_to_country", _("Return to the country")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")


# Actions that send a report back and need a reason.
RETURNS = (Transition.RETURN, Transition.RETURN_TO_SECRETARIAT, Transition.RETURN_TO_COUNTRY)
# Actions that sign for a government or a body: the page shows what is signed and asks to
# confirm it.
SIGNING = (Transition.SUBMIT, Transition.VALIDATE, Transition.APPROVE)


# The workflow: action -> (from status, to status).
WORKFLOW: dict[str, tuple[str, str]] = {
    Transition.SUBMIT: (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
    Transition.RETURN: (ReportStatus.SUBMITTED, ReportStatus.DRAFT),
    Transition.VALIDATE: (ReportStatus.SUBMITTED, ReportStatus.VALIDATED),
    Transition.RETURN_TO_SECRETARIAT: (ReportStatus.VALIDATED, ReportStatus.SUBMITTED),
    Transition.RETURN_TO_COUNTRY: (ReportStatus.VALIDATED, ReportStatus.DRAFT),
    Transition.APPROVE: (ReportStatus.VALIDATED, ReportStatus.APPROVED),
    Transition.PUBLISH: (ReportStatus.APPROVED, ReportStatus.PUBLISHED),
}

# Statuses whose figures count in the filled Work Plan.
APPROVED_STATUSES = (ReportStatus.APPROVED, ReportStatus.PUBLISHED)


class EvidenceKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("Uploaded file")
    EVENT = "event", _("Event (meeting, training, campaign)")


class DeadlineKind(models.TextChoices):
    """The dates of a reporting cycle, set by the ASEAN Secretariat."""

    TEMPLATE_OPENS = "template_opens", _("Reporting template opens")
    SUBMISSION_DUE = "submission_due", _("Country submission due")
    VALIDATION_DUE = "validation_due", _("Secretariat validation due")
    ASOD_APPROVAL = "asod_approval", _("ASOD approval")
    AMMD_MEETING = "ammd_meeting", _("AMMD meeting")


# The deadlines that wait on the Member States: they drive reminders to those that have not
# submitted. The others are for the Secretariat and ASOD, and only appear in the calendar.
COUNTRY_DEADLINES = (DeadlineKind.SUBMISSION_DUE,)


class ReminderKind(models.TextChoices):
    WEEK_BEFORE = "week_before", _("A week before")
    ON_THE_DAY = "on_the_day", _("On the day")
    OVERDUE = "overdue", _("Overdue")
