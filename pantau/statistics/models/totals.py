"""Published totals, kept ready for the public API (PublishedTotal), and the one row every
process reads to know whether what it holds is current (StatisticsState).

A PublishedTotal is what `querysets.observation_values` answers the public for an area and a
period with every dimension at its total: the reported total, or the total derived from the
reported parts. The regional row (`ref_area` ASEAN) sums the Member States that were members
in the period and reported. Rows are rebuilt by `totals.refresh_published_totals` in the
transaction that changes published values or the metadata they depend on, never edited."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ObsStatus, UnitKind


class PublishedTotal(models.Model):
    """The published value of an indicator for an area (a Member State, or ASEAN) and a
    period, every dimension at `_T`, per unit kind."""

    # No index of its own: the key's unique index starts with the indicator.
    indicator = models.ForeignKey(
        "statistics.Indicator", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ref_area = models.CharField(max_length=16)  # a Member State (or its area), or ASEAN
    # A (year), Q (quarter) or M (month), as SDMX's FREQ: the years-only default of a request
    # is one range of the key's index.
    frequency = models.CharField(max_length=1)
    time_period = models.CharField(max_length=7)
    year = models.PositiveSmallIntegerField()
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    obs_value = models.FloatField()
    is_derived = models.BooleanField(
        default=False, help_text=_("Some of the value is a total derived from reported parts")
    )
    # The smallest and largest OBS_STATUS of the values summed (one status when they agree).
    status_min = models.CharField(max_length=1, choices=ObsStatus.choices)
    status_max = models.CharField(max_length=1, choices=ObsStatus.choices)
    # Regional rows: the Member States whose values are in the sum, comma-separated.
    reporting = models.TextField(blank=True)

    class Meta:
        constraints = [
            # The order of the reads: an indicator, an area (ASEAN), years, in period order.
            models.UniqueConstraint(
                fields=["indicator", "ref_area", "frequency", "time_period", "unit_kind"],
                name="publishedtotal_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator_id} {self.ref_area} {self.time_period}: {self.obs_value:g} "
            f"({self.unit_kind})"
        )


class StatisticsState(models.Model):
    """One row (pk 1), read by every request for statistics: each process keeps the
    indicators' structures and its recent answers, and uses them while these tokens are the
    ones it read them with. `metadata_token` changes with every change of the metadata a query
    depends on (indicators, codes, canonical units, membership); `totals_token` with every
    refresh of the published totals. `totals_ready`: PublishedTotal holds every published
    total (false until the first full refresh, e.g. after the migration that added it); until
    then answers come from the values themselves."""

    metadata_token = models.CharField(max_length=32)
    totals_token = models.CharField(max_length=32, blank=True)
    totals_ready = models.BooleanField(default=False)
    totals_refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"metadata {self.metadata_token}, totals {self.totals_token or '-'}"
