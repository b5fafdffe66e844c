"""Structural metadata, as in SDMX: units (with their conversion to the canonical unit of
their kind), codelists and their codes, and indicators (what is measured, in which kinds of
unit, along which dimensions). Loaded from data/metadata.json by services.load_metadata."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Aggregation, IndicatorGroup, UnitKind


class Unit(models.Model):
    """A unit a country may report in. `factor` converts a value in this unit to the canonical
    unit of its kind (G -> KG: 0.001); factors are data, never code. Tablets are a dosage
    unit: they convert 1:1 to UNIT, never to a mass."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    factor = models.DecimalField(
        max_digits=30,
        decimal_places=12,
        help_text=_("Multiply a value in this unit by this factor to get the canonical unit"),
    )
    is_canonical = models.BooleanField(
        default=False, help_text=_("The unit values of this kind are stored in")
    )

    class Meta:
        ordering = ["kind", "-is_canonical", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_canonical=True), name="unit_one_canonical_per_kind"
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="unit_factor_positive"),
            models.CheckConstraint(
                condition=Q(is_canonical=False) | Q(factor=1), name="unit_canonical_factor_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class Codelist(models.Model):
    """An SDMX codelist (DRUG, SEX...). Every codelist has the code `_T`, the total."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Code(models.Model):
    """One code of a codelist. `parent` builds the hierarchy (METH_TABLET -> METH -> _T) that
    totals are derived along."""

    codelist = models.ForeignKey(Codelist, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["codelist__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["codelist", "code"], name="code_unique_in_codelist")
        ]

    def __str__(self) -> str:
        return f"{self.codelist_id and self.codelist.code}:{self.code}"

    def clean(self) -> None:
        if self.parent is not None and self.parent.codelist_id != self.codelist_id:
            raise ValidationError({"parent": _("The parent must be in the same codelist")})


class Indicator(models.Model):
    """What is measured (DRUG_SEIZURE...): the unit kinds it may be reported in, how it
    aggregates and the dimensions (codelists) it is broken down by. A dimension it does not
    use is always `_T` in its values."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    group = models.CharField(max_length=16, choices=IndicatorGroup.choices)
    # A list of UnitKind values: a handful of fixed kinds, kept in one column (SQLite has no
    # arrays); services validate them.
    unit_kinds = models.JSONField(default=list)
    aggregation = models.CharField(
        max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    dimensions = models.ManyToManyField(Codelist, blank=True, related_name="indicators")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        unknown = [k for k in self.unit_kinds if k not in UnitKind.values]
        if not self.unit_kinds or unknown:
            raise ValidationError(
                {"unit_kinds": _("One or more of: %s") % ", ".join(UnitKind.values)}
            )
