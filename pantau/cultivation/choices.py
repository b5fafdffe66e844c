"""Fixed vocabularies of the cultivation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Refused: the file has problems, nothing was loaded")
    APPLIED = "applied", _("Loaded")
    ERROR = "error", _("Stopped by an unexpected error, nothing was loaded")


class Crop(models.TextChoices):
    """The crops of a survey; the codes are the statistics' CROP codelist."""

    OPIUM_POPPY = "OPIUM_POPPY", _("Opium poppy")
    CANNABIS = "CANNABIS", _("Cannabis")
    KRATOM = "KRATOM", _("Kratom")


class SurveyMethod(models.TextChoices):
    SATELLITE = "satellite", _("Satellite imagery with ground truthing")
    AERIAL = "aerial", _("Aerial or drone imagery")
    GROUND = "ground", _("Ground survey")
    MIXED = "mixed", _("Mixed methods")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


# Production of each crop (what the statistics' POTENTIAL_PRODUCTION counts, as a mass):
# dry opium for poppy, dried herb for cannabis, dried leaf for kratom.
PRODUCT = {
    Crop.OPIUM_POPPY: _("dry opium"),
    Crop.CANNABIS: _("cannabis herb"),
    Crop.KRATOM: _("kratom leaf"),
}


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STARTED = "started", _("Started")
    CLOSED = "closed", _("Closed")


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline (20.d)")
    FOLLOW_UP = "follow_up", _("Follow-up farmer survey (20.c)")


class LocationKind(models.TextChoices):
    FIELD = "field", _("Surveyed field")
    ERADICATION_SITE = "eradication_site", _("Eradication site")
