"""The codelists of a treatment episode: the EUDA Treatment Demand Indicator protocol 3.0,
extended where ASEAN needs it (kratom, yaba, crystal methamphetamine, nimetazepam, compulsory
referral by law enforcement). Drug codes are the statistics DRUG codelist's
(pantau/statistics/data/metadata.json), so the aggregates feed TREATMENT_ADMISSION as they are."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CentreType(models.TextChoices):
    OUTPATIENT = "outpatient", _("Outpatient treatment centre")
    INPATIENT = "inpatient", _("Inpatient treatment centre")
    COMPULSORY = "compulsory", _("Compulsory treatment centre")
    PRISON = "prison", _("Treatment unit in prison")
    LOW_THRESHOLD = "low_threshold", _("Low-threshold agency")
    GENERAL_PRACTITIONER = "gp", _("General practitioner")
    OTHER = "other", _("Other")


class Operator(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    NGO = "ngo", _("Non-governmental organisation")
    COMMUNITY = "community", _("Community-based")


class Drug(models.TextChoices):
    """The statistics DRUG codes (leaves and groups) a client can name as a drug."""

    METH = "METH", _("Methamphetamine, form not known")
    METH_TABLET = "METH_TABLET", _("Methamphetamine tablets (yaba)")
    METH_CRYSTAL = "METH_CRYSTAL", _("Crystalline methamphetamine (ice, shabu)")
    HEROIN = "HEROIN", _("Heroin")
    OPIUM = "OPIUM", _("Opium")
    OPIATES = "OPIATES", _("Other opiates")
    CANNABIS = "CANNABIS", _("Cannabis")
    MDMA = "MDMA", _("MDMA (ecstasy)")
    KETAMINE = "KETAMINE", _("Ketamine")
    COCAINE = "COCAINE", _("Cocaine")
    KRATOM = "KRATOM", _("Kratom")
    NIMETAZEPAM = "NIMETAZEPAM", _("Nimetazepam (Erimin-5)")
    NPS = "NPS", _("New psychoactive substances")
    OTHER = "OTHER", _("Other drugs")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class PreviouslyTreated(models.TextChoices):
    NEVER = "never", _("Never treated before")
    PREVIOUSLY = "previously", _("Previously treated")
    UNKNOWN = "unknown", _("Not known")


class ReferralSource(models.TextChoices):
    SELF = "self", _("Self-referral")
    FAMILY = "family", _("Family or friends")
    OTHER_TREATMENT = "treatment_centre", _("Other drug treatment centre")
    GP = "gp", _("General practitioner")
    HEALTH = "health", _("Hospital or other medical source")
    SOCIAL = "social", _("Educational or social services")
    COURT = "court", _("Court, probation or police")
    # ASEAN: referral to compulsory treatment by law enforcement, distinct from a court order.
    COMPULSORY_LAW_ENFORCEMENT = "compulsory_le", _("Compulsory, by law enforcement")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class LivingStatus(models.TextChoices):
    """With whom the client lives."""

    ALONE = "alone", _("Alone")
    PARENTS = "parents", _("With parents or family")
    PARTNER = "partner", _("With a partner")
    FRIENDS = "friends", _("With friends or others")
    ALONE_WITH_CHILDREN = "alone_children", _("Alone with children")
    INSTITUTION = "institution", _("In an institution or prison")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class LivingConditions(models.TextChoices):
    """Where the client lives."""

    STABLE = "stable", _("Stable accommodation")
    UNSTABLE = "unstable", _("Unstable accommodation or homeless")
    INSTITUTION = "institution", _("Institution or prison")
    UNKNOWN = "unknown", _("Not known")


class LabourStatus(models.TextChoices):
    EMPLOYED = "employed", _("Regularly employed")
    STUDENT = "student", _("Pupil or student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    INACTIVE = "inactive", _("Economically inactive")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Education(models.TextChoices):
    """ISCED levels, as TDI 3.0 groups them."""

    NONE = "none", _("Never went to school or did not complete primary")
    PRIMARY = "primary", _("Primary (ISCED 1)")
    SECONDARY = "secondary", _("Secondary (ISCED 2-3)")
    HIGHER = "higher", _("Higher (ISCED 4-8)")
    UNKNOWN = "unknown", _("Not known")


class Route(models.TextChoices):
    INJECT = "inject", _("Inject")
    SMOKE = "smoke", _("Smoke or inhale")
    EAT_DRINK = "eat_drink", _("Eat or drink")
    SNIFF = "sniff", _("Sniff")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Frequency(models.TextChoices):
    """Frequency of use of the primary drug in the last 30 days."""

    NOT_USED = "not_used", _("Not used in the last 30 days")
    WEEKLY_OR_LESS = "weekly_or_less", _("Once a week or less")
    SOME_DAYS = "2_6_days", _("2 to 6 days a week")
    DAILY = "daily", _("Daily")
    UNKNOWN = "unknown", _("Not known")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    REFERRED = "referred", _("Referred")
    TRANSFERRED = "transferred", _("Transferred")
    INCARCERATED = "incarcerated", _("Incarcerated")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class FollowUpPoint(models.IntegerChoices):
    """Months after discharge."""

    M3 = 3, _("3 months")
    M6 = 6, _("6 months")
    M12 = 12, _("12 months")


class FollowUpOutcome(models.TextChoices):
    ABSTINENT = "abstinent", _("Abstinent")
    REDUCED = "reduced", _("Reduced use")
    RELAPSED = "relapsed", _("Relapsed")
    LOST = "lost", _("Lost to follow-up")


class ReviewStage(models.TextChoices):
    """When an outcome profile is taken (as the UK's Treatment Outcomes Profile)."""

    ENTRY = "entry", _("At the start of treatment")
    REVIEW = "review", _("Review during treatment")
    EXIT = "exit", _("At discharge")
    FOLLOW_UP = "follow_up", _("Follow-up after discharge")


class Housing(models.TextChoices):
    STABLE = "stable", _("Stable housing")
    AT_RISK = "at_risk", _("Housing at risk")
    HOMELESS = "homeless", _("No fixed abode")
    INSTITUTION = "institution", _("Institution or prison")


class VocationalTraining(models.TextChoices):
    """Vocational training and aftercare given since the last review (15.d.iii)."""

    # A context: Django admin's own Indonesian catalogue leaves a bare "None" in English.
    NONE = "none", pgettext_lazy("vocational training", "None")
    SKILLS = "skills", _("Vocational skills training")
    EDUCATION = "education", _("Education or literacy")
    JOB_PLACEMENT = "job_placement", _("Job placement or supported work")
    AFTERCARE = "aftercare", _("Aftercare or community reintegration")
