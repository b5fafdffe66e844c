"""Outliers against a country's own history, and values outside an indicator's bounds.

A value is an outlier when its modified z-score (Iglewicz and Hoaglin),
0.6745 * (x - median) / MAD, over the previous years of the same series (indicator,
dimensions, unit kind, Member State, and the same quarter or month for sub-annual periods)
exceeds 3.5 in absolute value. At least four previous values are needed. When the MAD is
zero (most of the history is one value) the mean absolute deviation stands in for it
(1.253314 * mean |x - median|); when that is zero too (a constant history) any other value
is flagged. Values derived from reported parts are not tested (their parts are)."""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from ..choices import DIMENSION_FIELDS, TOTAL, UnitKind
from ..models import DataValue, IndicatorBound
from ..models.validation import FindingKind
from .rules import format_number, scope_filter

MIN_HISTORY = 4
THRESHOLD = 3.5
CONSISTENCY = 0.6745  # makes the MAD estimate the standard deviation of a normal sample
MEAN_AD_FACTOR = 1.253314  # the same, for the mean absolute deviation


@dataclass(frozen=True)
class OutlierTest:
    median: float
    score: float | None  # None: a constant history
    lower: float
    upper: float
    flagged: bool
    history: int  # how many previous values


def modified_z_test(value: float, history: Iterable[float]) -> OutlierTest | None:
    """The test of `value` against its `history`; None when the history is too short."""
    previous = list(history)
    if len(previous) < MIN_HISTORY:
        return None
    median = statistics.median(previous)
    deviations = [abs(x - median) for x in previous]
    mad = statistics.median(deviations)
    score: float | None
    if mad > 0:
        score = CONSISTENCY * (value - median) / mad
        half_width = THRESHOLD * mad / CONSISTENCY
    elif (mean_ad := statistics.fmean(deviations)) > 0:
        score = (value - median) / (MEAN_AD_FACTOR * mean_ad)
        half_width = THRESHOLD * MEAN_AD_FACTOR * mean_ad
    else:
        score, half_width = None, 0.0
    if score is None:
        flagged = not math.isclose(value, median, rel_tol=1e-9, abs_tol=1e-12)
    else:
        flagged = abs(score) > THRESHOLD
    return OutlierTest(
        median=median,
        score=score,
        lower=max(0.0, median - half_width),
        upper=median + half_width,
        flagged=flagged,
        history=len(previous),
    )


@dataclass(frozen=True)
class Flag:
    """Something a check found, before it becomes (or updates) a ValidationFinding."""

    kind: str
    key: str
    series: str
    ref_area: str
    time_period: str
    year: int
    message: str
    unit_kind: str = ""
    rule_id: int | None = None
    indicator_id: int | None = None
    data_value_id: int | None = None
    value: float | None = None
    expected: float | None = None
    lower: float | None = None
    upper: float | None = None
    score: float | None = None


def series_label(indicator: str, dimensions: dict[str, str]) -> str:
    named = [f"{f.upper()}={c}" for f, c in dimensions.items() if c != TOTAL]
    return indicator + (f"[{','.join(named)}]" if named else "")


def _unit(kind: str) -> str:
    return UnitKind(kind).label.lower() if kind in UnitKind.values else kind


_VALUE_FIELDS = (
    "id",
    "indicator_id",
    *DIMENSION_FIELDS,
    "unit_kind",
    "ref_area",
    "time_period",
    "year",
    "obs_value",
)
_DIMS = slice(2, 2 + len(DIMENSION_FIELDS))


def find_outliers(
    *,
    ref_areas: Iterable[str] | None,
    first_year: int | None,
    last_year: int | None,
    indicator_codes: dict[int, str],
) -> list[Flag]:
    """Outliers among the values of the areas and years in scope, each tested against the
    previous years of its series. One query: the scope's values and their history."""
    rows = (
        DataValue.objects.filter(is_derived=False)
        .filter(scope_filter(ref_areas, None, last_year))
        .order_by()
        .values_list(*_VALUE_FIELDS)
    )
    series: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        # The same quarter or month of earlier years: "-Q1", "-03", or "" for a year.
        suffix = row[-3][4:]
        series[(row[1], row[_DIMS], row[-5], row[-4], suffix)].append(row)
    flags = []
    for (indicator_id, dims, unit_kind, ref_area, _suffix), values in series.items():
        values.sort(key=lambda r: r[-2])
        for i, row in enumerate(values):
            year = row[-2]
            if first_year is not None and year < first_year:
                continue
            test = modified_z_test(row[-1], (r[-1] for r in values[:i] if r[-2] < year))
            if test is None or not test.flagged:
                continue
            label = series_label(
                indicator_codes[indicator_id], dict(zip(DIMENSION_FIELDS, dims, strict=True))
            )
            flags.append(
                Flag(
                    kind=FindingKind.OUTLIER,
                    key=f"outlier:{label}:{unit_kind}",
                    series=f"{label} ({_unit(unit_kind)})",
                    ref_area=ref_area,
                    time_period=row[-3],
                    year=year,
                    unit_kind=unit_kind,
                    indicator_id=indicator_id,
                    data_value_id=row[0],
                    value=row[-1],
                    expected=test.median,
                    lower=test.lower,
                    upper=test.upper,
                    score=test.score,
                    message=_outlier_message(label, unit_kind, row, test),
                )
            )
    return flags


def _outlier_message(label: str, unit_kind: str, row: tuple, test: OutlierTest) -> str:
    value, period, area = row[-1], row[-3], row[-4]
    spread = (
        f"modified z-score {test.score:+.1f}, beyond {THRESHOLD}"
        if test.score is not None
        else "every previous value was the same"
    )
    return (
        f"{label} ({_unit(unit_kind)}) is {format_number(value)} in {period}, far from {area}'s "
        f"previous years: median {format_number(test.median)} over {test.history} values, expected "
        f"between {format_number(test.lower)} and {format_number(test.upper)} ({spread})."
    )


def find_out_of_bounds(
    *,
    ref_areas: Iterable[str] | None,
    first_year: int | None,
    last_year: int | None,
    indicator_codes: dict[int, str],
) -> list[Flag]:
    """Values outside their indicator's bounds: one query per indicator that has bounds. A
    value is held to its most specific bound (its own state's over every state's, its own
    unit kind's over every kind's)."""
    by_indicator: dict[int, list[IndicatorBound]] = defaultdict(list)
    for bound in IndicatorBound.objects.all():
        by_indicator[bound.indicator_id].append(bound)
    flags = []
    scope = scope_filter(ref_areas, first_year, last_year)
    for indicator_id, bounds in by_indicator.items():
        outside = Q()
        for b in bounds:
            limits = Q()
            if b.minimum is not None:
                limits |= Q(obs_value__lt=b.minimum)
            if b.maximum is not None:
                limits |= Q(obs_value__gt=b.maximum)
            applies = Q(**({"unit_kind": b.unit_kind} if b.unit_kind else {}))
            applies &= Q(**({"ref_area": b.ref_area} if b.ref_area else {}))
            outside |= applies & limits
        rows = (
            DataValue.objects.filter(indicator_id=indicator_id, is_derived=False)
            .filter(scope)
            .filter(outside)
            .order_by()
            .values_list(*_VALUE_FIELDS)
        )
        for row in rows:
            unit_kind, ref_area, value = row[-5], row[-4], row[-1]
            applicable = [
                b for b in bounds if b.unit_kind in ("", unit_kind) and b.ref_area in ("", ref_area)
            ]
            bound = max(applicable, key=lambda b: (bool(b.ref_area), bool(b.unit_kind)))
            too_low = bound.minimum is not None and value < bound.minimum
            too_high = bound.maximum is not None and value > bound.maximum
            if not (too_low or too_high):
                continue  # within its own (more specific) bound
            label = series_label(
                indicator_codes[indicator_id],
                dict(zip(DIMENSION_FIELDS, row[_DIMS], strict=True)),
            )
            limit = bound.minimum if too_low else bound.maximum
            assert limit is not None
            flags.append(
                Flag(
                    kind=FindingKind.BOUND,
                    key=f"bound:{label}:{unit_kind}",
                    series=f"{label} ({_unit(unit_kind)})",
                    ref_area=ref_area,
                    time_period=row[-3],
                    year=row[-2],
                    unit_kind=unit_kind,
                    indicator_id=indicator_id,
                    data_value_id=row[0],
                    value=value,
                    lower=bound.minimum,
                    upper=bound.maximum,
                    message=(
                        f"{label} ({_unit(unit_kind)}) is {format_number(value)} in {row[-3]}: "
                        f"{'below the minimum' if too_low else 'above the maximum'} "
                        f"{format_number(limit)}" + (f" ({bound.note})" if bound.note else "") + "."
                    ),
                )
            )
    return flags
