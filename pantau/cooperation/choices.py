from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    TRAINING = "training", _("Training")
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    DIALOGUE = "dialogue", _("Dialogue with partners")
    OPERATION = "operation", _("Joint operation")
    UN_FORUM = "un_forum", _("Participation at a UN forum")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda")
    REPORT = "report", _("Report")
    PARTICIPANTS = "participants", _("List of participants")
    OTHER = "other", _("Other document")
