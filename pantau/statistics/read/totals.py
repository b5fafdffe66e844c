"""Keeping the published totals (PublishedTotal) equal to what the published values give.

A published total changes only when published values change or when the metadata they are
read with changes, and each of those writes rebuilds the totals it touches in its own
transaction:

- a report approved or published publishes its country-year (publication.py);
- a publishing import (pipeline.run_import with `publish`);
- the metadata: an indicator's dimensions or aggregation, a code's place in its hierarchy
  (derived totals follow it), Member States' membership (regional sums follow it): the
  metadata services call `metadata_changed`, which also tells every process to read the
  indicators' structures again.

Drafts never enter the totals (they are read as the public reads them), so writing drafts
(imports, the data-entry forms, which never change a published value) changes nothing here.
Values written outside the services (a bulk load) need `pantau statistics refresh-totals`.

Each refresh locks StatisticsState's row first (refreshes run one after the other, and each
sees the values the one before it committed) and gives it a new totals token: the answers
the processes keep for the public (api.py) are read again."""

import secrets
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Avg, Case, IntegerField, Max, Min, Q, StringAgg, Sum, Value, When
from django.utils import timezone

from pantau.core.planner import keep_planner_statistics

from ..choices import Aggregation
from ..models import DataValue, Indicator, PublishedTotal, StatisticsState
from .querysets import (
    AREA,
    REGION,
    TIME,
    IndicatorStructure,
    ObservationQuery,
    forget_versions,
    membership,
    observation_values,
    period_frequency,
)

BATCH_SIZE = 2000


def _locked_state() -> StatisticsState:
    """The state's row, locked until the transaction ends; this process reads its tokens
    again at its next request, and again once the change is committed."""
    state, _ = StatisticsState.objects.select_for_update().get_or_create(
        pk=1, defaults={"metadata_token": secrets.token_hex(16)}
    )
    forget_versions()
    transaction.on_commit(forget_versions)
    return state


@transaction.atomic
def refresh_published_totals(
    *,
    ref_areas: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
) -> int:
    """Rebuild the published totals of the indicators `indicator_ids` for the Member States
    `ref_areas` (and their sub-national areas) in `years`, then the regional rows of those
    years; None: every one. Call it in the transaction that changed the published values.
    Returns the number of rows written."""
    state = _locked_state()
    areas = None if ref_areas is None else sorted(set(ref_areas))
    chosen = None if years is None else sorted({int(y) for y in years})
    if areas == [] or chosen == []:
        return 0
    # Answers kept by the processes (keyed by this token) are read again.
    state.totals_token = secrets.token_hex(16)
    state.save(update_fields=["totals_token"])
    # An import or a publication has just written values (and read them): SQLite plans the
    # totals' queries well only with statistics of the values' table.
    keep_planner_statistics()
    indicators = Indicator.objects.order_by("pk")
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=list(indicator_ids))
    written = 0
    for code in indicators.values_list("code", flat=True):
        structure = IndicatorStructure.load(code)
        written += _refresh_areas(structure, areas, chosen)
        written += _refresh_region(structure, chosen)
    return written


@transaction.atomic
def refresh_all_published_totals() -> int:
    """Rebuild every published total and mark them ready for the API (`pantau statistics
    refresh-totals`; after values were written outside the services)."""
    state = _locked_state()
    PublishedTotal.objects.all().delete()
    written = refresh_published_totals()
    state.totals_ready = True
    state.totals_refreshed_at = timezone.now()
    state.save(update_fields=["totals_ready", "totals_refreshed_at"])
    return written


def ensure_published_totals() -> bool:
    """Build the totals once if they were never built (a new installation, or one migrated to
    a version that added them); True when it built them. Run by `pantau setup`."""
    state = StatisticsState.objects.filter(pk=1).first()
    if state is not None and state.totals_ready:
        return False
    refresh_all_published_totals()
    return True


@transaction.atomic
def metadata_changed(*, indicator_ids: Iterable[int] | None = None, refresh: bool = True) -> None:
    """Call in the transaction of every change of the metadata that queries read (an
    indicator, a code, a canonical unit, membership): a new metadata token makes every
    process read the indicators' structures again, and with `refresh` the totals of
    `indicator_ids` (None: every indicator) are rebuilt under the new metadata."""
    state = _locked_state()
    state.metadata_token = secrets.token_hex(16)
    state.save(update_fields=["metadata_token"])
    # Totals never built (a new installation: `pantau setup` builds them all next) are not
    # read by anybody, so there is nothing to keep up to date yet.
    if refresh and state.totals_ready:
        refresh_published_totals(indicator_ids=indicator_ids)


def _scope(areas: list[str] | None, years: list[int] | None) -> Q:
    scope = Q()
    if years is not None:
        scope &= Q(year__in=years)
    if areas is not None:
        # A state and its sub-national areas (TH-10): "TH-" <= code < "TH." ("." follows "-"),
        # a range of the (ref_area, year) index where LIKE 'TH-%' would not use it on SQLite.
        scope &= Q(ref_area__in=areas) | reduce(
            or_, (Q(ref_area__gte=f"{a}-", ref_area__lt=f"{a}.") for a in areas)
        )
    return scope


def _periods(s: IndicatorStructure, scope: Q, years: list[int] | None) -> tuple[str, ...]:
    """Every period of `years` (the year, its quarters, its months); of the published values
    in `scope` when every year is asked for."""
    if years is None:
        return tuple(
            DataValue.objects.published()
            .filter(scope, indicator_id=s.id)
            .order_by("time_period")
            .values_list("time_period", flat=True)
            .distinct()
        )
    return tuple(
        period
        for year in years
        for period in (
            str(year),
            *(f"{year}-Q{q}" for q in range(1, 5)),
            *(f"{year}-{m:02d}" for m in range(1, 13)),
        )
    )


def _refresh_areas(s: IndicatorStructure, areas: list[str] | None, years: list[int] | None) -> int:
    """The rows of each area and period: what observation_values answers the public, grouped
    by REF_AREA and TIME_PERIOD, for every period (years, quarters, months)."""
    scope = _scope(areas, years)
    PublishedTotal.objects.filter(scope, indicator_id=s.id).exclude(ref_area=REGION).delete()
    periods = _periods(s, scope, years)
    if not periods:
        return 0
    query = ObservationQuery(
        structure=s,
        filters={},
        ref_areas=None,
        region=False,
        periods=periods,
        grouped=(AREA, TIME),
        default_layout=False,
    )
    rows = [
        PublishedTotal(
            indicator_id=s.id,
            ref_area=v["ref_area"],
            frequency=period_frequency(v["time_period"]),
            time_period=v["time_period"],
            year=int(v["time_period"][:4]),
            unit_kind=v["unit_kind"],
            obs_value=v["value"],
            is_derived=bool(v["derived"]),
            status_min=v["status_min"],
            status_max=v["status_max"],
        )
        for v in observation_values(AnonymousUser(), query).filter(scope)
    ]
    PublishedTotal.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def _refresh_region(s: IndicatorStructure, years: list[int] | None) -> int:
    """The regional rows of `years`, summed from the areas' rows as observation_values sums
    the values: the states that were members in the year and reported, which it names."""
    in_years = Q() if years is None else Q(year__in=years)
    PublishedTotal.objects.filter(in_years, indicator_id=s.id, ref_area=REGION).delete()
    aggregate = Avg if s.aggregation == Aggregation.MEAN else Sum
    sums = (
        PublishedTotal.objects.filter(in_years, membership(s), indicator_id=s.id)
        .order_by()
        .values("frequency", "time_period", "year", "unit_kind")
        .annotate(
            value=aggregate("obs_value"),
            derived=Max(
                Case(When(is_derived=True, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
            least=Min("status_min"),
            most=Max("status_max"),
            areas=StringAgg("ref_area", delimiter=Value(",")),
        )
    )
    rows = [
        PublishedTotal(
            indicator_id=s.id,
            ref_area=REGION,
            frequency=v["frequency"],
            time_period=v["time_period"],
            year=v["year"],
            unit_kind=v["unit_kind"],
            obs_value=v["value"],
            is_derived=bool(v["derived"]),
            status_min=v["least"],
            status_max=v["most"],
            # In code order: the aggregate's order is the plan's (SQLite's has no ORDER BY).
            reporting=",".join(sorted(v["areas"].split(","))),
        )
        for v in sums
    ]
    PublishedTotal.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)
