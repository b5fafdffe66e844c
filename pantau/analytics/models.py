"""Targets (component 9 of the 2016-2025 Work Plan, and any the Secretariat adds): an
indicator that should go one way between a baseline period and an end period."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Direction

DEFAULT_ALPHA = 0.05


class TargetQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "TargetQuerySet":
        """Targets are part of the public Work Plan: everybody reads them (what progress shows
        follows the reader's own view of the values). Writing is the Secretariat's."""
        return self


class Target(models.Model):
    """An indicator (with a dimension filter and a unit) and the direction it should take from
    `baseline_period` to `end_period`. Progress is the verdict of a Mann-Kendall test at
    significance `alpha` on the yearly series (pantau.analytics.progress)."""

    code = models.SlugField(max_length=80, unique=True)
    plan = models.ForeignKey("workplan.WorkPlan", on_delete=models.PROTECT, related_name="+")
    component = models.ForeignKey(
        "workplan.Component", on_delete=models.PROTECT, related_name="analytics_targets"
    )
    # The catalogue's wording of the target (component 9's i, ii, iii), when there is one.
    component_target = models.ForeignKey(
        "workplan.ComponentTarget",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="analytics_targets",
    )
    indicator = models.ForeignKey(
        "statistics.Indicator", on_delete=models.PROTECT, related_name="targets"
    )
    # {"PRECURSOR": ["EPHEDRINE"]}: dimension column -> codes, as in the data API.
    dimension_filter = models.JSONField(default=dict, blank=True)
    unit_measure = models.CharField(
        max_length=16, blank=True, help_text=_("Canonical unit of the series (KG, HA...)")
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    baseline_period = models.CharField(max_length=4)
    end_period = models.CharField(max_length=4)
    alpha = models.FloatField(
        default=DEFAULT_ALPHA, validators=[MinValueValidator(0.001), MaxValueValidator(0.5)]
    )
    text = models.TextField(blank=True)
    is_proxy = models.BooleanField(
        default=False, help_text=_("The indicator stands in for what the target names")
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["component__number", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_period__lt=models.F("end_period")),
                name="target_baseline_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.direction} {self.indicator_id and self.indicator.code}"
