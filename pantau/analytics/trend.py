"""The trend test of the targets: Mann-Kendall (with the correction for ties) and the
Theil-Sen slope, on a short yearly series (Mann 1945, Kendall 1975, Gilbert 1987; Theil 1950,
Sen 1968). Pure standard-library arithmetic: a series has a dozen points at most, so the
O(n^2) pairs cost nothing, and no numerical library is needed at run time."""

import math
from collections import Counter
from dataclasses import dataclass
from statistics import NormalDist, median

# Fewer points than this: no verdict (a Mann-Kendall test on 3 points can never be significant
# at 0.05, and says nothing).
MIN_POINTS = 4


@dataclass(frozen=True)
class TrendTest:
    """The numbers behind a verdict: n points, Mann-Kendall's S, its variance (ties
    corrected), Z and the two-sided p-value, and the Theil-Sen slope in units per year."""

    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    slope: float | None

    def significant(self, alpha: float) -> bool:
        return self.n >= MIN_POINTS and self.p_value < alpha

    @property
    def direction(self) -> int:
        """+1 increasing, -1 decreasing, 0 none (by the sign of S)."""
        return (self.s > 0) - (self.s < 0)


def mann_kendall_s(values: list[float]) -> int:
    return sum((b > a) - (b < a) for i, a in enumerate(values) for b in values[i + 1 :])


def variance_s(values: list[float]) -> float:
    """Var(S) with the tie correction: each group of t equal values takes t(t-1)(2t+5)."""
    n = len(values)
    ties = sum(t * (t - 1) * (2 * t + 5) for t in Counter(values).values() if t > 1)
    return (n * (n - 1) * (2 * n + 5) - ties) / 18


def theil_sen_slope(points: list[tuple[float, float]]) -> float | None:
    """The median of the slopes between every pair of points (x, y), x in years: a gap in
    the series counts as the time it is, not as one step."""
    slopes = [
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
        if x2 != x1
    ]
    return median(slopes) if slopes else None


def mann_kendall(points: list[tuple[float, float]]) -> TrendTest:
    """The test on (year, value) points in time order (gaps allowed: the test uses their
    order only; the slope their spacing)."""
    values = [y for _, y in points]
    n = len(values)
    s = mann_kendall_s(values)
    var_s = variance_s(values) if n > 1 else 0.0
    # Continuity correction: S moves in steps of 2.
    z = 0.0 if s == 0 or var_s <= 0 else (s - (1 if s > 0 else -1)) / math.sqrt(var_s)
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    return TrendTest(n=n, s=s, var_s=var_s, z=z, p_value=p_value, slope=theil_sen_slope(points))
