"""The trend test against a reference implementation (pymannkendall, a test dependency only)
on known series: verdicts, S, p-values and Theil-Sen slopes agree."""

import math

import pymannkendall
import pytest

from pantau.analytics.trend import MIN_POINTS, mann_kendall

YEARS = list(range(2015, 2026))

SERIES = {
    "clear decrease": [120, 111, 104, 98, 90, 85, 77, 70, 64, 58, 50],
    "clear increase": [10, 14, 13, 19, 22, 25, 24, 31, 35, 38, 41],
    "noise": [50, 61, 47, 58, 52, 45, 60, 49, 55, 51, 57],
    "ties": [10, 10, 12, 12, 12, 15, 15, 18, 18, 18, 20],
    "all equal": [7, 7, 7, 7, 7],
}


def _points(values, years=YEARS):
    return [(y, float(v)) for y, v in zip(years, values, strict=False)]


@pytest.mark.parametrize("name", sorted(SERIES))
def test_matches_pymannkendall(name):
    values = SERIES[name]
    ours = mann_kendall(_points(values))
    ref = pymannkendall.original_test(values, alpha=0.05)
    assert ours.n == len(values)
    assert ours.s == ref.s
    assert ours.var_s == pytest.approx(ref.var_s)
    assert ours.z == pytest.approx(ref.z)
    assert ours.p_value == pytest.approx(ref.p, abs=1e-12)
    assert ours.slope == pytest.approx(ref.slope)
    assert ours.significant(0.05) == bool(ref.h)
    expected = {"increasing": 1, "decreasing": -1}.get(ref.trend, 0)
    assert (ours.direction if ours.significant(0.05) else 0) == expected


def test_known_verdicts_of_the_reference():
    assert pymannkendall.original_test(SERIES["clear decrease"]).trend == "decreasing"
    assert pymannkendall.original_test(SERIES["clear increase"]).trend == "increasing"
    assert pymannkendall.original_test(SERIES["noise"]).trend == "no trend"


def test_gaps_count_as_the_time_they_are():
    """Missing years are left out of the test (its order only matters) and the slope is per
    year: the reference gets the gaps as NaN in a yearly array."""
    present = {2015: 30, 2016: 34, 2018: 41, 2019: 40, 2021: 52, 2022: 55, 2025: 70}
    ours = mann_kendall(sorted((y, float(v)) for y, v in present.items()))
    yearly = [present.get(y, math.nan) for y in YEARS]
    ref = pymannkendall.original_test(yearly, alpha=0.05)
    assert ours.n == len(present)
    assert ours.s == ref.s
    assert ours.p_value == pytest.approx(ref.p, abs=1e-12)
    assert ours.slope == pytest.approx(ref.slope)
    assert ours.slope == pytest.approx(pymannkendall.sens_slope(yearly).slope)


def test_fewer_than_four_points_are_never_significant():
    ours = mann_kendall(_points([1, 2, 3]))
    assert ours.n == 3 < MIN_POINTS
    assert not ours.significant(0.5)


def test_empty_and_single_point():
    assert mann_kendall([]).slope is None
    one = mann_kendall([(2020, 5.0)])
    assert (one.n, one.s, one.p_value, one.slope) == (1, 0, 1.0, None)
