from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOCAL_POINT = "focal_point", _("National focal point")
    APPROVER = "approver", _("National approver")
    NARCO_OFFICER = "narco_officer", _("ASEAN-NARCO officer")
    SECRETARIAT = "secretariat", _("ASEAN Secretariat officer")
    ASOD_REVIEWER = "asod_reviewer", _("ASOD reviewer")
    WORKING_GROUP_MEMBER = "wg_member", _("Working-group member")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Treatment MIS (15.d.iv): staff are scoped to a Member State here and to their centre(s)
    # in pantau.treatment (CentreStaff), so that accounts never imports treatment.
    CENTRE_STAFF = "centre_staff", _("Treatment centre staff")
    TREATMENT_COORDINATOR = "treatment_coordinator", _("National treatment coordinator")
    # Alternative development (18-20): programmes, their baselines and farmer surveys.
    AD_OFFICER = "ad_officer", _("Alternative-development officer")


# Roles that act for one Member State and must name it.
NATIONAL_ROLES = frozenset(
    {
        Role.FOCAL_POINT,
        Role.APPROVER,
        Role.NARCO_OFFICER,
        Role.CENTRE_STAFF,
        Role.TREATMENT_COORDINATOR,
        Role.AD_OFFICER,
    }
)
# Roles that act for the region; they must not name a Member State.
REGIONAL_ROLES = frozenset({Role.SECRETARIAT, Role.ASOD_REVIEWER, Role.ADMINISTRATOR})


class TokenScope(models.TextChoices):
    """What an API token may do: read-only tokens are refused every unsafe method."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")
