"""Checks on the data, as in DHIS2: validation rules (left side, operator, right side over
indicator expressions), bounds per indicator, and the findings that the checks and the
outlier test raise for the Secretariat to follow up. Rules and bounds are loaded from
data/validation_rules.json by rules.load_validation_rules; findings are written only by
pantau.statistics.findings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import UnitKind
from ..permissions import finding_scope


class RuleOperator(models.TextChoices):
    EQ = "==", _("equals")
    NE = "!=", _("differs from")
    LT = "<", _("is less than")
    LE = "<=", _("is at most")
    GT = ">", _("is greater than")
    GE = ">=", _("is at least")


class Importance(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class MissingValueStrategy(models.TextChoices):
    """When a side of a rule is left unevaluated (DHIS2's missing value strategy). A value
    that was not reported is never read as zero, unless the rule says so for a side where
    some parts were reported (SKIP_IF_ALL_MISSING)."""

    SKIP_IF_ANY_MISSING = "skip_if_any_missing", _("Skip when any value of a side is missing")
    SKIP_IF_ALL_MISSING = (
        "skip_if_all_missing",
        _("Skip when every value of a side is missing (the missing ones count as zero)"),
    )


class FindingKind(models.TextChoices):
    RULE = "rule", _("Validation rule")
    OUTLIER = "outlier", _("Outlier against the country's history")
    BOUND = "bound", _("Outside the indicator's bounds")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained by the country")
    RESOLVED = "resolved", _("Resolved")


class ValidationRule(models.Model):
    """A rule the data of a Member State and period must satisfy: `left operator right`,
    each side an expression over indicators, e.g. `DRUG_ARREST[SEX=_T]` ==
    `DRUG_ARREST[SEX=F] + DRUG_ARREST[SEX=M]`. See pantau.statistics.rules for the syntax."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    left = models.CharField(max_length=1000)
    operator = models.CharField(max_length=2, choices=RuleOperator.choices)
    right = models.CharField(max_length=1000)
    importance = models.CharField(
        max_length=8, choices=Importance.choices, default=Importance.MEDIUM
    )
    missing_value_strategy = models.CharField(
        max_length=24,
        choices=MissingValueStrategy.choices,
        default=MissingValueStrategy.SKIP_IF_ANY_MISSING,
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.left} {self.operator} {self.right}"


class IndicatorBound(models.Model):
    """The plausible range of an indicator's values (a purity is at most 100 percent), for
    every Member State or one, for every unit kind or one. Either limit may be left open."""

    indicator = models.ForeignKey(
        "statistics.Indicator", on_delete=models.CASCADE, related_name="bounds"
    )
    unit_kind = models.CharField(
        max_length=16, choices=UnitKind.choices, blank=True, help_text=_("Empty: every kind")
    )
    ref_area = models.CharField(max_length=16, blank=True, help_text=_("Empty: every state"))
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator__code", "ref_area", "unit_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit_kind", "ref_area"], name="bound_unique_scope"
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=False) | Q(maximum__isnull=False),
                name="bound_has_a_limit",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=models.F("maximum")),
                name="bound_minimum_at_most_maximum",
            ),
        ]

    def __str__(self) -> str:
        low = "" if self.minimum is None else f"{self.minimum:g} <= "
        high = "" if self.maximum is None else f" <= {self.maximum:g}"
        scope = " ".join(x for x in (self.ref_area, self.unit_kind) if x)
        return f"{low}{self.indicator_id and self.indicator.code}{high}" + (
            f" ({scope})" if scope else ""
        )


class ValidationFindingQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ValidationFindingQuerySet":
        """Findings `user` may see: every one for the regional roles, their own Member
        States' for national focal points and approvers, none for anybody else."""
        scope = finding_scope(user)
        if scope is None:
            return self
        return self.filter(ref_area__in=scope) if scope else self.none()


class ValidationFinding(models.Model):
    """Something a check flagged in a Member State's data for a period: a rule that failed,
    an outlier against the country's own history, a value out of bounds. The country explains
    it; the Secretariat resolves it. A check that passes again resolves it by itself."""

    kind = models.CharField(max_length=8, choices=FindingKind.choices)
    # What was checked, for one area and period: "rule:ARREST_SEX_TOTAL:persons",
    # "outlier:DRUG_SEIZURE[DRUG=METH_TABLET]:dosage". Unique with the area and period.
    key = models.CharField(max_length=400)
    rule = models.ForeignKey(
        ValidationRule, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    indicator = models.ForeignKey(
        "statistics.Indicator",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    data_value = models.ForeignKey(
        "statistics.DataValue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    series = models.CharField(max_length=400, help_text=_("The series or the rule, as text"))
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices, blank=True)
    ref_area = models.CharField(max_length=16)
    time_period = models.CharField(max_length=7)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True, blank=True, help_text=_("The value, or the left side"))
    expected = models.FloatField(
        null=True, blank=True, help_text=_("The history's median, or the right side")
    )
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text=_("Modified z-score"))
    message = models.TextField()
    status = models.CharField(
        max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    explanation = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_automatically = models.BooleanField(
        default=False, help_text=_("Resolved because the check passes now")
    )
    detected_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ValidationFindingQuerySet.as_manager()

    class Meta:
        ordering = ["ref_area", "time_period", "kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "ref_area", "time_period"], name="finding_unique_check"
            )
        ]
        indexes = [
            models.Index(fields=["ref_area", "year", "status"], name="finding_area_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.ref_area} {self.time_period} {self.series} ({self.get_status_display()})"
