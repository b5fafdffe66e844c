"""Observations (DataValue), the values they replaced (DataValueHistory) and the imports they
came from (DataImport)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from ..choices import (
    DIMENSION_FIELDS,
    TOTAL,
    DataStatus,
    ImportFormat,
    ImportStatus,
    ObsStatus,
    UnitKind,
)
from ..permissions import sees_all_imports, visible_value_filter

# The key of an observation, in the order of its unique index: the indicator, every dimension,
# the unit kind, then REF_AREA and TIME_PERIOD. The usual query fixes the indicator and every
# dimension and groups by unit kind, area and period, which this order serves directly.
KEY_FIELDS: tuple[str, ...] = (
    "indicator",
    *DIMENSION_FIELDS,
    "unit_kind",
    "ref_area",
    "time_period",
)


class DataValueQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "DataValueQuerySet":
        """Values `user` may read: published values for everybody, a Member State's drafts for
        its own reporters, everything for the regional roles."""
        visible = visible_value_filter(user)
        return self if visible is None else self.filter(visible)

    def published(self) -> "DataValueQuerySet":
        return self.filter(status=DataStatus.PUBLISHED)


class DataImportQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "DataImportQuerySet":
        """Imports `user` may see: their own uploads; every one for administrators and the
        Secretariat. A file's problems quote its rows, drafts included."""
        if sees_all_imports(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(uploaded_by=user)


# Between the fields of an observation's key in its one-string form (imports.validation).
KEY_SEPARATOR = "\x1f"


class Joined(models.Func):
    """Texts joined with ||, flat: Concat nests a pair per argument, which SQLite's parser
    refuses beyond a few. The key's columns are NOT NULL, so no COALESCE is needed."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = models.CharField()


def _key_expression() -> Joined:
    parts: list = []
    for name in KEY_FIELDS:
        if parts:
            parts.append(models.Value(KEY_SEPARATOR))
        parts.append(Cast(name, models.CharField()) if name == "indicator" else models.F(name))
    return Joined(*parts)


def _dimension_field() -> models.CharField:
    return models.CharField(max_length=32, default=TOTAL)


class DataImport(models.Model):
    """One file imported (or checked, with a dry run): who, what, and the outcome. A refused
    file leaves only this record, with every problem found."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=16, choices=ImportFormat.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    dry_run = models.BooleanField(default=False)
    source = models.CharField(max_length=300, blank=True)
    publish = models.BooleanField(
        default=False, help_text=_("Values published directly (administrators only)")
    )
    reference = models.BooleanField(
        default=False, help_text=_("A reference table (ReferenceValue), not national figures")
    )
    # {"rows": n, "created": n, "updated": n, "unchanged": n}
    counts = models.JSONField(default=dict)
    # [{"line": 12, "column": "UNIT_MEASURE", "message": "..."}], capped; problem_count is exact.
    problems = models.JSONField(default=list)
    problem_count = models.PositiveIntegerField(default=0)
    # The Member States the file's rows are for: who may see this import follows from them.
    ref_areas = models.JSONField(default=list)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)

    objects = DataImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class DataValue(models.Model):
    """One observation: indicator x REF_AREA x TIME_PERIOD x dimensions x unit kind -> value.
    OBS_VALUE is in the canonical unit of the kind (kg, litre, unit, ha, person...); the unit
    and value the country reported are kept beside it."""

    # No index of its own: the key's unique index starts with the indicator.
    indicator = models.ForeignKey(
        "statistics.Indicator", on_delete=models.PROTECT, related_name="values", db_index=False
    )
    ref_area = models.CharField(max_length=16)  # ISO 3166 code of a Member State or area
    time_period = models.CharField(max_length=7)  # "2020", "2020-Q1", "2020-03"
    year = models.PositiveSmallIntegerField()  # of time_period, for filters
    drug = _dimension_field()
    precursor = _dimension_field()
    sex = _dimension_field()
    age = _dimension_field()
    nationality = _dimension_field()
    offence = _dimension_field()
    crop = _dimension_field()
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    obs_value = models.FloatField()
    reported_unit = models.CharField(max_length=16)
    reported_value = models.FloatField()
    obs_status = models.CharField(max_length=1, choices=ObsStatus.choices, default=ObsStatus.NORMAL)
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    # No index on data_import or updated_by (bench/README.md, "Ingest and the values' table's
    # indexes"): no read filters on them, and each costs every import's insert. Their rows are
    # never deleted (no service deletes an import or a user; the admin is read-only), so
    # PROTECT and SET_NULL never need to find the values of one.
    data_import = models.ForeignKey(
        DataImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
    )
    status = models.CharField(max_length=16, choices=DataStatus.choices, default=DataStatus.DRAFT)
    is_derived = models.BooleanField(
        default=False, help_text=_("Computed from reported parts, not reported itself")
    )
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The key as one string, computed and stored by the database: an import compares a file
    # with the stored values by this string, and reading one column is much cheaper than
    # building it from eleven at each re-import (bench/README.md, "reimport").
    key = models.GeneratedField(
        expression=_key_expression(),
        output_field=models.CharField(max_length=400),
        db_persist=True,
    )

    objects = DataValueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(KEY_FIELDS), name="datavalue_unique_key"),
            models.CheckConstraint(
                condition=models.Q(obs_value__gte=0), name="datavalue_obs_value_not_negative"
            ),
        ]
        indexes = [
            # A country's year: data-entry forms, publication with the country report.
            models.Index(fields=["ref_area", "year"], name="datavalue_area_year"),
        ]

    def __str__(self) -> str:
        dims = ",".join(
            f"{f.upper()}={getattr(self, f)}" for f in DIMENSION_FIELDS if getattr(self, f) != TOTAL
        )
        return (
            f"{self.indicator_id and self.indicator.code} {self.ref_area} {self.time_period}"
            f"{' ' + dims if dims else ''}: {self.obs_value:g} ({self.get_unit_kind_display()})"
        )


class DataValueHistory(models.Model):
    """A value as it was before an import (or an edit) replaced it."""

    value = models.ForeignKey(DataValue, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField()
    obs_value = models.FloatField()
    reported_unit = models.CharField(max_length=16)
    reported_value = models.FloatField()
    obs_status = models.CharField(max_length=1, choices=ObsStatus.choices)
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=DataStatus.choices)
    is_derived = models.BooleanField(default=False)
    data_import = models.ForeignKey(
        DataImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField()
    replaced_by_import = models.ForeignKey(
        DataImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["value", "-version"]
        verbose_name_plural = _("data value history")
        constraints = [
            models.UniqueConstraint(fields=["value", "version"], name="history_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.value_id} v{self.version}: {self.obs_value:g}"


class ReferenceValueQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ReferenceValueQuerySet":
        """Reference figures are already published elsewhere (a cited source): everybody
        reads them, but only as a reference, never as a Member State's own figure."""
        return self


class ReferenceValue(models.Model):
    """A figure of a published reference table (UNODC's World Drug Report annex, DAINAP...)
    for an observation's key, imported with `pantau import --reference --source S`. Kept apart
    from DataValue (whose key has no source): it is never a country's own figure, never summed
    into totals and never shown as a national figure; only the cross-source check reads it."""

    indicator = models.ForeignKey(
        "statistics.Indicator", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    drug = _dimension_field()
    precursor = _dimension_field()
    sex = _dimension_field()
    age = _dimension_field()
    nationality = _dimension_field()
    offence = _dimension_field()
    crop = _dimension_field()
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    ref_area = models.CharField(max_length=16)
    time_period = models.CharField(max_length=7)
    year = models.PositiveSmallIntegerField()
    obs_value = models.FloatField()
    reported_unit = models.CharField(max_length=16)
    reported_value = models.FloatField()
    source = models.CharField(max_length=300)
    data_import = models.ForeignKey(
        DataImport, on_delete=models.PROTECT, related_name="reference_values"
    )
    updated_at = models.DateTimeField()

    objects = ReferenceValueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", *KEY_FIELDS], name="referencevalue_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.ref_area} {self.time_period} {self.obs_value:g}"
