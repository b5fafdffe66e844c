"""A target's progress: the yearly series of its indicator for a Member State or the region,
read from the statistics (aggregated in the database, from the values the reader may see),
and the verdict of the trend test on it, with every number behind the verdict."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.members.models import MemberState
from pantau.statistics.read.querysets import AREA, REGION, TIME, UNIT, observations

from .choices import Direction, Verdict
from .models import Target
from .trend import MIN_POINTS, TrendTest, mann_kendall


def method_text(target: Target) -> str:
    return _(
        "Mann-Kendall trend test (two-sided, variance corrected for ties, continuity "
        "correction) at significance %(alpha)s on the yearly values %(first)s-%(last)s; "
        "Theil-Sen slope in units per year; on track when the trend is significant and goes "
        "the target's way (%(direction)s), off track when it is significant the other way; "
        "fewer than %(min)s years: insufficient data. Missing years are gaps, never zeros."
    ) % {
        "alpha": f"{target.alpha:g}",
        "first": target.baseline_period,
        "last": target.end_period,
        "direction": target.get_direction_display().lower(),
        "min": MIN_POINTS,
    }


@dataclass
class Progress:
    """The verdict on one series and the numbers behind it."""

    target: Target
    ref_area: str
    unit_measure: str
    series: list[dict[str, Any]]  # {"TIME_PERIOD", "OBS_VALUE"} (+ "coverage" for ASEAN)
    test: TrendTest
    verdict: str
    missing_periods: list[str]
    method: str
    baseline: float | int | None = None
    latest: float | int | None = None
    latest_period: str | None = None
    other_units: list[str] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.baseline:
            return None
        return 100 * self.change / self.baseline

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.pk,
            "REF_AREA": self.ref_area,
            "UNIT_MEASURE": self.unit_measure,
            "verdict": self.verdict,
            "method": self.method,
            "alpha": self.target.alpha,
            "n": self.test.n,
            "s": self.test.s,
            "var_s": self.test.var_s,
            "z": self.test.z,
            "p_value": self.test.p_value,
            "slope": self.test.slope,
            "baseline": self.baseline,
            "latest": self.latest,
            "latest_period": self.latest_period,
            "change": self.change,
            "missing_periods": self.missing_periods,
            "series": self.series,
        }


def _periods(target: Target) -> list[str]:
    last = min(int(target.end_period), timezone.now().year)
    return [str(y) for y in range(int(target.baseline_period), last + 1)]


def _query(user, target: Target, ref_areas: str | list[str] | None) -> list[dict]:
    region = ref_areas == REGION
    return observations(
        user,
        target.indicator.code,
        filters=target.dimension_filter or None,
        ref_areas=ref_areas,
        periods=f"{target.baseline_period}:{target.end_period}",
        group_by=[TIME] if region else [AREA, TIME],
    )


def _verdict(target: Target, test: TrendTest) -> str:
    if test.n < MIN_POINTS:
        return Verdict.INSUFFICIENT_DATA
    if not test.significant(target.alpha) or test.direction == 0:
        return Verdict.NO_SIGNIFICANT_TREND
    wanted = 1 if target.direction == Direction.INCREASE else -1
    return Verdict.ON_TRACK if test.direction == wanted else Verdict.OFF_TRACK


def _progress(target: Target, area: str, rows: list[dict], periods: list[str]) -> Progress:
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_unit[row[UNIT]].append(row)
    unit = target.unit_measure
    if not unit:
        # One unit kind a series, never mixed: the one with the most years.
        unit = min(by_unit, key=lambda u: (-len(by_unit[u]), u)) if by_unit else ""
    chosen = sorted(
        (r for r in by_unit.get(unit, []) if r["OBS_VALUE"] is not None),
        key=lambda r: r[TIME],
    )
    series = []
    for r in chosen:
        point: dict[str, Any] = {TIME: r[TIME], "OBS_VALUE": r["OBS_VALUE"]}
        if "coverage" in r:
            point["coverage"] = r["coverage"]
        series.append(point)
    test = mann_kendall([(int(p[TIME]), float(p["OBS_VALUE"])) for p in series])
    present = {p[TIME] for p in series}
    baseline = next((p["OBS_VALUE"] for p in series if p[TIME] == target.baseline_period), None)
    return Progress(
        target=target,
        ref_area=area,
        unit_measure=unit,
        series=series,
        test=test,
        verdict=_verdict(target, test),
        missing_periods=[p for p in periods if p not in present],
        method=method_text(target),
        baseline=baseline,
        latest=series[-1]["OBS_VALUE"] if series else None,
        latest_period=series[-1][TIME] if series else None,
        other_units=sorted(u for u in by_unit if u != unit),
    )


def target_progress(user, target: Target, ref_area: str) -> Progress:
    """The progress of `target` for one Member State or `ASEAN` (the region: the sum of the
    states that were members in each year and reported, each year's coverage kept), on the
    values `user` may see. Raises QueryError / UnknownIndicator as the statistics read does."""
    area = ref_area.strip().upper()
    rows = _query(user, target, area)
    return _progress(target, area, rows, _periods(target))


def progress_by_area(user, target: Target) -> list[Progress]:
    """The region's progress first, then each Member State's: two queries of values."""
    periods = _periods(target)
    regional = _progress(target, REGION, _query(user, target, REGION), periods)
    rows_by_area: dict[str, list[dict]] = defaultdict(list)
    for row in _query(user, target, None):
        rows_by_area[row[AREA]].append(row)
    states = MemberState.objects.order_by("code").values_list("code", flat=True)
    return [regional] + [_progress(target, c, rows_by_area.get(c, []), periods) for c in states]
