from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    NATIONAL_DRUG_AGENCY = "national_drug_agency", _("National drug agency")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class PartnerKind(models.TextChoices):
    DIALOGUE_PARTNER = "dialogue_partner", _("Dialogue Partner")
    INTERNATIONAL_BODY = "international_body", _("International body")
    REGIONAL_BODY = "regional_body", _("Regional body")
