"""Boundaries of sub-national areas (versioned per Member State) and cultivation surveys in
the manner of UNODC's Southeast Asia Opium Survey: per country, year and crop, per area the
cultivated area with its interval, the eradicated area, the yield and the potential production
(computed, its interval carried through), villages and households, and farm-gate prices."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    Crop,
    LocationKind,
    ProgrammeStatus,
    RoundKind,
    SurveyMethod,
    SurveyState,
    UploadStatus,
)


class BoundaryVersionQuerySet(models.QuerySet):
    def current(self) -> "BoundaryVersionQuerySet":
        """The newest loaded version of each Member State."""
        newest = (
            BoundaryVersion.objects.filter(
                member_state=models.OuterRef("member_state"), status=UploadStatus.APPLIED
            )
            .order_by("-version")
            .values("pk")[:1]
        )
        return self.filter(status=UploadStatus.APPLIED, pk=models.Subquery(newest))


class BoundaryVersion(models.Model):
    """One uploaded boundary file of a Member State (GeoJSON or zipped Shapefile), parsed and
    checked by the worker. A file that loads becomes the state's next version; boundaries
    change, so earlier versions (and the surveys drawn on them) are kept. A refused file keeps
    only this record, with every problem found."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="boundary_versions"
    )
    # 1, 2, ... per Member State once loaded; None while waiting or when refused.
    version = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    # [{"feature": 3, "field": "code", "message": "..."}]; feature 0: the file as a whole.
    problems = models.JSONField(default=list)
    area_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    objects = BoundaryVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_state", "version"],
                condition=Q(version__isnull=False),
                name="boundary_version_unique",
            )
        ]

    def __str__(self) -> str:
        label = f"v{self.version}" if self.version else self.get_status_display()
        return f"{self.member_state_id} boundaries {label} ({self.file_name})"


class AdminArea(models.Model):
    """A sub-national administrative area of one boundary version: its code (unique in the
    version), name, parent (by code, in the same version) and boundary as GeoJSON geometry
    text in longitude, latitude order (WGS 84)."""

    boundary = models.ForeignKey(BoundaryVersion, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    parent_code = models.CharField(max_length=32, blank=True)
    level = models.PositiveSmallIntegerField(default=1)
    geometry = models.TextField()

    class Meta:
        ordering = ["boundary", "code"]
        constraints = [
            models.UniqueConstraint(fields=["boundary", "code"], name="admin_area_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CultivationSurvey(models.Model):
    """A Member State's survey of one crop in one year. Drafted by the national focal point,
    approved by the national approver; approval writes the national totals into the statistics
    (CULTIVATION_AREA, ERADICATION_AREA, POTENTIAL_PRODUCTION) with the survey as their source.
    A correction reopens the survey; approving it again replaces those figures."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="cultivation_surveys"
    )
    year = models.PositiveSmallIntegerField()
    crop = models.CharField(max_length=16, choices=Crop.choices)
    method = models.CharField(max_length=16, choices=SurveyMethod.choices)
    sampling_notes = models.TextField(blank=True)
    boundary = models.ForeignKey(
        BoundaryVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )
    price_currency = models.CharField(
        max_length=3, blank=True, help_text=_("ISO 4217 code of the farm-gate prices")
    )
    state = models.CharField(max_length=16, choices=SurveyState.choices, default=SurveyState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    statistics_import = models.ForeignKey(
        "statistics.DataImport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The statistics import that wrote this survey's national figures"),
    )
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    class Meta:
        ordering = ["member_state", "-year", "crop"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_state", "year", "crop"], name="cultivation_survey_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_state_id} {self.year} {self.get_crop_display()} survey"

    @property
    def source(self) -> str:
        """What the statistics written on approval name as their source."""
        return (
            f"Pantau cultivation survey #{self.pk} ({self.member_state_id} {self.year} {self.crop})"
        )


class SurveyArea(models.Model):
    """One area's figures in a survey. Potential production is computed, never typed:
    area x yield, the lower bound from the lower area and lower yield, the upper bound from
    the upper ones (the yield's bounds default to its estimate)."""

    survey = models.ForeignKey(CultivationSurvey, on_delete=models.CASCADE, related_name="areas")
    area_code = models.CharField(max_length=32)
    area_name = models.CharField(max_length=200, blank=True)
    area_ha = models.DecimalField(max_digits=12, decimal_places=2)
    area_ha_low = models.DecimalField(max_digits=12, decimal_places=2)
    area_ha_high = models.DecimalField(max_digits=12, decimal_places=2)
    eradicated_ha = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    yield_kg_ha = models.DecimalField(max_digits=8, decimal_places=2)
    yield_kg_ha_low = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    yield_kg_ha_high = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    villages = models.PositiveIntegerField(null=True, blank=True)
    households = models.PositiveIntegerField(null=True, blank=True)
    farm_gate_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Per kilogram")
    )

    class Meta:
        ordering = ["survey", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "area_code"], name="survey_area_unique"),
            models.CheckConstraint(
                condition=Q(area_ha_low__lte=models.F("area_ha"))
                & Q(area_ha__lte=models.F("area_ha_high"))
                & Q(area_ha_low__gte=0),
                name="survey_area_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} in {self.survey}"

    @property
    def production_kg(self) -> Decimal:
        return self.area_ha * self.yield_kg_ha

    @property
    def production_kg_low(self) -> Decimal:
        return self.area_ha_low * (self.yield_kg_ha_low or self.yield_kg_ha)

    @property
    def production_kg_high(self) -> Decimal:
        return self.area_ha_high * (self.yield_kg_ha_high or self.yield_kg_ha)


class ADProgramme(models.Model):
    """An alternative-development programme of a Member State (18.a/f/h, 19): areas and
    communities covered, period, partners and funds, budget, households targeted and reached,
    substitute crops and products, land-tenure and market-access measures. It is marked started
    only once its baseline round (20.d) holds answers."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="ad_programmes"
    )
    name = models.CharField(max_length=200)
    area_codes = models.JSONField(default=list, help_text=_("Codes of the areas covered"))
    communities = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    implementing_partners = models.TextField(blank=True)
    funding_partners = models.TextField(
        blank=True, help_text=_("Government, private sector and CSR, the funds of component 23")
    )
    budget = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, blank=True)
    households_targeted = models.PositiveIntegerField(null=True, blank=True)
    households_reached = models.PositiveIntegerField(null=True, blank=True)
    substitute_crops = models.TextField(blank=True, help_text=_("Substitute crops and products"))
    land_tenure_measures = models.TextField(blank=True)
    market_access_measures = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PLANNED
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    class Meta:
        ordering = ["member_state", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_state_id})"


class SurveyRound(models.Model):
    """A round of the programme's farmer survey: number 0 is the baseline (20.d), later ones
    are compared with it (20.c)."""

    programme = models.ForeignKey(ADProgramme, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=RoundKind.choices)
    started_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="survey_round_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme}: round {self.number}"


class FarmerSubmission(models.Model):
    """One household's answers to the farmer questionnaire (the XLSForm), as exported from
    ODK Central or KoboToolbox; identified by the submission's instance id."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="submissions")
    instance_id = models.CharField(max_length=100)
    household_id = models.CharField(max_length=100)
    village = models.CharField(max_length=200, blank=True)
    household_size = models.PositiveSmallIntegerField(null=True, blank=True)
    income_usd = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    illicit_area_ha = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    land_tenure = models.BooleanField(null=True, blank=True)
    market_access = models.BooleanField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["round", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "instance_id"], name="farmer_submission_unique_instance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} in {self.round}"


class SubmissionUpload(models.Model):
    """A file of farmer-survey submissions (CSV or XLSX export), imported by the worker: all
    rows or none, every problem with its line and column."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="uploads")
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=500)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    problems = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class SurveyAreasUpload(models.Model):
    """A CSV or XLSX file of a draft survey's area rows, imported by the worker: all rows or
    none, every problem with its line and column."""

    survey = models.ForeignKey(
        CultivationSurvey, on_delete=models.CASCADE, related_name="area_uploads"
    )
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=500)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    problems = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class SensitiveLocation(models.Model):
    """A surveyed field or an eradication site (a GeoJSON Point or Polygon, WGS 84). Sensitive:
    read only by the Member State's law-enforcement (national NARCO officer) and
    alternative-development officers, every read audited; everyone else sees the survey's
    area-level figures only."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    survey = models.ForeignKey(
        CultivationSurvey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
    )
    kind = models.CharField(max_length=24, choices=LocationKind.choices)
    area_code = models.CharField(max_length=64, blank=True)
    geometry = models.TextField(help_text=_("GeoJSON Point or Polygon, longitude latitude"))
    observed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    class Meta:
        ordering = ["member_state", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member_state_id} #{self.pk}"
