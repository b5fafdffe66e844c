"""Treatment centres, their staff, and pseudonymous treatment episodes (TDI 3.0) with their
discharge and follow-up evaluations (15.d.iv).

No identity is stored: a client is a keyed hash (clientcode.py). Episodes are read through
`Episode.objects.restrict(user)`: centre staff see their centres' episodes, the national
treatment coordinator their country's, nobody else any record-level row."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pantau.accounts.choices import Role
from pantau.accounts.permissions import member_states_for

from .choices import (
    CentreType,
    DischargeReason,
    Drug,
    Education,
    FollowUpOutcome,
    FollowUpPoint,
    Frequency,
    Housing,
    LabourStatus,
    LivingConditions,
    LivingStatus,
    Operator,
    PreviouslyTreated,
    ReferralSource,
    ReviewStage,
    Route,
    Sex,
    VocationalTraining,
    YesNo,
)


def staff_centre_ids(user) -> frozenset[int]:
    """Centres the user works at: a CentreStaff row AND the centre_staff role for the centre's
    Member State (removing either removes the access)."""
    states = member_states_for(user, Role.CENTRE_STAFF)
    if not states:
        return frozenset()
    cached = getattr(user, "_pantau_treatment_centres", None)
    if cached is None:
        cached = frozenset(
            CentreStaff.objects.filter(
                user=user, centre__member_state__code__in=states
            ).values_list("centre_id", flat=True)
        )
        user._pantau_treatment_centres = cached
    return cached


def coordinator_states(user) -> frozenset[str]:
    return member_states_for(user, Role.TREATMENT_COORDINATOR)


class Centre(models.Model):
    """A drug treatment centre of a Member State."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=CentreType.choices)
    area = models.CharField(_("sub-national area"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (places)"), null=True, blank=True)
    operator = models.CharField(_("operator"), max_length=16, choices=Operator.choices)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["member_state__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["member_state", "name"], name="centre_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CentreStaff(models.Model):
    """The centre scope of a user holding the centre_staff role (the role names the state)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="centre_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.centre}"


class EpisodeQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """view: the user's centres' episodes and, for a coordinator, the country's;
        change: the user's centres' only. Everybody else: nothing."""
        centres = staff_centre_ids(user)
        scope = Q(centre_id__in=centres)
        if action != "change":
            scope |= Q(centre__member_state__code__in=coordinator_states(user))
        if not centres and action == "change":
            return self.none()
        return self.filter(scope)


class Episode(models.Model):
    """One treatment entry of one client at one centre, with the TDI 3.0 items."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="episodes")
    # The episode's id in the centre's or the country's own system, when it was imported
    # from there (exchange.py): a second import of the same id updates, never duplicates.
    national_id = models.CharField(
        _("episode id in the national system"), max_length=64, blank=True
    )
    client_code = models.CharField(max_length=64, db_index=True)
    start_date = models.DateField(_("date of start of treatment"))
    previously_treated = models.CharField(
        _("ever treated before"), max_length=12, choices=PreviouslyTreated.choices
    )
    referral_source = models.CharField(
        _("source of referral"), max_length=20, choices=ReferralSource.choices
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # The age at the start (a TDI item), not the date of birth, which is never stored.
    age = models.PositiveSmallIntegerField(
        _("age at start"), validators=[MinValueValidator(0), MaxValueValidator(120)]
    )
    living_status = models.CharField(
        _("living status (with whom)"), max_length=16, choices=LivingStatus.choices
    )
    living_conditions = models.CharField(
        _("living conditions (where)"), max_length=12, choices=LivingConditions.choices
    )
    labour_status = models.CharField(
        _("labour status"), max_length=12, choices=LabourStatus.choices
    )
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    nationality = models.CharField(_("nationality"), max_length=2, help_text="ISO 3166-1 alpha-2")
    primary_drug = models.CharField(_("primary drug"), max_length=16, choices=Drug.choices)
    secondary_drugs = models.JSONField(_("secondary drugs"), default=list, blank=True)
    route = models.CharField(
        _("usual route of administration"), max_length=12, choices=Route.choices
    )
    frequency = models.CharField(
        _("frequency of use (last 30 days)"), max_length=16, choices=Frequency.choices
    )
    age_first_use = models.PositiveSmallIntegerField(_("age at first use"), null=True, blank=True)
    injected_ever = models.CharField(_("ever injected"), max_length=8, choices=YesNo.choices)
    injected_12_months = models.CharField(
        _("injected in the last 12 months"), max_length=8, choices=YesNo.choices
    )
    injected_30_days = models.CharField(
        _("injected in the last 30 days"), max_length=8, choices=YesNo.choices
    )
    needle_sharing = models.CharField(_("ever shared needles"), max_length=8, choices=YesNo.choices)
    discharge_date = models.DateField(_("date of discharge"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("reason of discharge"), max_length=16, choices=DischargeReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["centre", "start_date"], name="episode_centre_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "national_id"],
                condition=~Q(national_id=""),
                name="episode_national_id_once_per_centre",
            ),
            models.CheckConstraint(
                condition=Q(discharge_date__isnull=True)
                | Q(discharge_date__gte=models.F("start_date")),
                name="episode_discharge_after_start",
            ),
            models.CheckConstraint(
                condition=Q(age_first_use__isnull=True) | Q(age_first_use__lte=models.F("age")),
                name="episode_first_use_not_after_age",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode #{self.pk}"  # the client code stays out of logs


class FollowUp(models.Model):
    """A follow-up evaluation 3, 6 or 12 months after discharge."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(
        _("months after discharge"), choices=FollowUpPoint.choices
    )
    date = models.DateField(_("date of the evaluation"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["episode", "months"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "months"], name="follow_up_once_per_point")
        ]

    def __str__(self) -> str:
        return f"Follow-up of episode #{self.episode_id} at {self.months} months"


class Review(models.Model):
    """An outcome profile of an episode's client, at entry, during treatment, at exit or at a
    follow-up (the Treatment Outcomes Profile's items): days of use of each drug and days of
    injecting in the last 28 days, health and quality of life rated 0-20, housing, days of
    work and of study in the last 28 days, offending; and the vocational training or
    aftercare given since the last review (15.d.iii)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("stage"), max_length=12, choices=ReviewStage.choices)
    date = models.DateField(_("date of the review"))
    # {DRUG code: days used in the last 28 days}
    days_used = models.JSONField(_("days of use in the last 28 days, by drug"), default=dict)
    days_injected = models.PositiveSmallIntegerField(
        _("days injected in the last 28 days"), validators=[MaxValueValidator(28)]
    )
    psychological_health = models.PositiveSmallIntegerField(
        _("psychological health (0 poor - 20 good)"), validators=[MaxValueValidator(20)]
    )
    physical_health = models.PositiveSmallIntegerField(
        _("physical health (0 poor - 20 good)"), validators=[MaxValueValidator(20)]
    )
    quality_of_life = models.PositiveSmallIntegerField(
        _("quality of life (0 poor - 20 good)"), validators=[MaxValueValidator(20)]
    )
    housing = models.CharField(_("housing"), max_length=12, choices=Housing.choices)
    days_worked = models.PositiveSmallIntegerField(
        _("days of paid work in the last 28 days"), validators=[MaxValueValidator(28)]
    )
    days_studied = models.PositiveSmallIntegerField(
        _("days of college or school in the last 28 days"), validators=[MaxValueValidator(28)]
    )
    offending = models.CharField(
        _("committed an offence in the last 28 days"), max_length=8, choices=YesNo.choices
    )
    vocational_training = models.CharField(
        _("vocational training or aftercare given"),
        max_length=16,
        choices=VocationalTraining.choices,
        default=VocationalTraining.NONE,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["episode", "date", "id"]

    def __str__(self) -> str:
        return f"Review of episode #{self.episode_id} on {self.date}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Refused: the file has problems, nothing was written")
    APPLIED = "applied", _("Applied")


class EpisodeImport(models.Model):
    """A file of episodes from a centre's or a country's own system (exchange.py), imported
    by the background worker: all of it or nothing, its problems by line and column."""

    file_name = models.CharField(max_length=255)
    stored_as = models.CharField(max_length=300)
    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default="pending")
    counts = models.JSONField(default=dict)  # created, updated, unchanged
    problems = models.JSONField(default=list)  # [{"line", "column", "message"}]

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Episode import #{self.pk}"
