"""The explore page's table: an indicator for Member States and/or the region over a range of
years, optionally broken down by one dimension, as absolute values, per 100,000 population or
year-on-year change. Every sum runs in the database (pantau.statistics.read.querysets): one
query for the states, one for the region, one for the population; what is computed here is a
ratio or a difference of two figures already summed."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from pantau.members.models import MemberState
from pantau.statistics.models import DataValue, Indicator
from pantau.statistics.read.querysets import (
    AREA,
    REGION,
    TIME,
    UNIT,
    QueryError,
    observations,
)

from .choices import Measure

POPULATION = "POPULATION"
PER = 100_000


@dataclass
class Exploration:
    """What the page shows: the columns and rows of the table (the chart's data), the unit,
    the source, whether any value is illustrative demo data."""

    indicator: Indicator
    measure: str
    breakdown: str
    columns: list[str]
    rows: list[dict[str, Any]]
    units: list[str]
    illustrative: bool
    population_source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def series_field(self) -> str:
        return self.breakdown or AREA


def _key(row: dict, breakdown: str) -> tuple:
    return (row.get(AREA, REGION), row.get(breakdown, "") if breakdown else "", row[UNIT])


def explore(
    user,
    indicator: Indicator,
    *,
    areas: list[str],
    periods: str,
    breakdown: str = "",
    measure: str = Measure.ABSOLUTE,
) -> Exploration:
    """The table for `user` (from the values they may see). Raises QueryError on a request
    that cannot be answered (the message says why)."""
    measure = Measure(measure)
    states = [a for a in areas if a != REGION]
    region = REGION in areas
    if not states and not region:
        raise QueryError(_("Choose at least one Member State, or ASEAN"))
    by = [breakdown] if breakdown else []
    rows: list[dict[str, Any]] = []
    if states:
        rows += observations(
            user, indicator.code, ref_areas=states, periods=periods, group_by=[AREA, TIME, *by]
        )
    if region:
        for row in observations(
            user, indicator.code, ref_areas=REGION, periods=periods, group_by=[TIME, *by]
        ):
            row[AREA] = REGION
            rows.append(row)
    notes: list[str] = []
    population_source = ""
    if measure == Measure.PER_100K:
        population, population_source = _population(user, states, region, periods)
        members = _members_by_year() if region else {}
        for row in rows:
            reporting = _reporting(row, members)
            people = population.get(row[TIME], {})
            total: float | None
            if row[AREA] == REGION:
                # The population of the states that reported (a rate over the same states).
                known = [people.get(s) for s in reporting]
                total = None if None in known or not known else sum(k or 0 for k in known)
            else:
                total = people.get(row[AREA])
            value = row["OBS_VALUE"]
            row["OBS_VALUE"] = None if value is None or not total else round(value * PER / total, 4)
        if any(r["OBS_VALUE"] is None for r in rows):
            notes.append(_("No population figure for some areas and years: left blank."))
    elif measure == Measure.YOY:
        previous: dict[tuple, dict[str, float]] = {}
        for row in sorted(rows, key=lambda r: r[TIME]):
            key = _key(row, breakdown)
            before = previous.setdefault(key, {})
            value = row["OBS_VALUE"]
            last = before.get(str(int(row[TIME]) - 1))
            before[row[TIME]] = value
            row["OBS_VALUE"] = (
                None if value is None or not last else round(100 * (value - last) / last, 2)
            )
    for row in rows:
        coverage = row.get("coverage")
        row["coverage"] = _("%(reporting)s of %(members)s reported") % coverage if coverage else ""
    rows.sort(key=lambda r: (r[AREA] == REGION, r[AREA], r.get(breakdown, ""), r[TIME], r[UNIT]))
    columns = [AREA, TIME, *by, UNIT, "OBS_VALUE", "OBS_STATUS", "coverage"]
    illustrative = (
        DataValue.objects.restrict(user).filter(indicator=indicator, is_demo=True).exists()
    )
    return Exploration(
        indicator=indicator,
        measure=measure,
        breakdown=breakdown,
        columns=columns,
        rows=[{c: row.get(c) for c in columns} for row in rows],
        units=sorted({r[UNIT] for r in rows}),
        illustrative=illustrative,
        population_source=population_source,
        notes=notes,
    )


def _members_by_year() -> dict[str, set[str]]:
    """Member State codes by year (membership at the year's end), from one query."""
    found: dict[str, set[str]] = {}
    for code, joined, left in MemberState.objects.values_list("code", "joined_on", "left_on"):
        for year in range(joined.year, (left.year if left else 2100)):
            found.setdefault(str(year), set()).add(code)
    return found


def _reporting(row: dict, members: dict[str, set[str]]) -> list[str]:
    """The states whose figures a row sums: a state's row its own; a regional row the members
    of its year less the missing ones its coverage names."""
    coverage = row.get("coverage")
    if not coverage:
        return [row[AREA]]
    return sorted(members.get(row[TIME][:4], set()) - set(coverage.get("missing", [])))


def _population(
    user, states: list[str], region: bool, periods: str
) -> tuple[dict[str, dict[str, float]], str]:
    if not Indicator.objects.filter(code=POPULATION).exists():
        raise QueryError(_("No population series: import POPULATION to see rates"))
    by_year: dict[str, dict[str, float]] = {}
    for row in observations(
        user,
        POPULATION,
        ref_areas=None if region else states,
        periods=periods,
        group_by=[AREA, TIME],
    ):
        by_year.setdefault(row[TIME], {})[row[AREA]] = row["OBS_VALUE"]
    source = (
        DataValue.objects.restrict(user)
        .filter(indicator__code=POPULATION)
        .exclude(source="")
        .values_list("source", flat=True)
        .first()
    ) or ""
    return by_year, source
