"""The synthetic data set: the starter metadata (pantau/statistics/data/metadata.json) and the
Member States (pantau/members/data/reference.json), 2015-2025, membership respected (a state
reports only periods ending after it joined: TL from 2025, and in 2025 only its last quarter
and months). Deterministic: the same seed gives the same rows.

A country-year holds every key of every indicator (each combination of its dimensions' codes,
totals `_T` included, per unit kind), for the year, then its quarters, then its months. A data
set of N rows takes the same number of keys from each country-year, in that order, so a small
one still covers every state and year (and every annual DRUG_SEIZURE total)."""

import calendar
import csv
import datetime
import itertools
import json
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "pantau" / "statistics" / "data" / "metadata.json"
REFERENCE = ROOT / "pantau" / "members" / "data" / "reference.json"
YEARS = range(2015, 2026)
TOTAL = "_T"
# DataValue's dimension columns, in the order of its key.
DIMENSIONS = ("DRUG", "PRECURSOR", "SEX", "AGE", "NATIONALITY", "OFFENCE", "CROP")
CSV_HEADER = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    *DIMENSIONS,
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]
# The reported units of each kind, most used first (weights below).
UNIT_WEIGHTS = {"KG": 6, "G": 3, "T": 1, "L": 4, "ML": 1, "TABLET": 4, "UNIT": 1, "M2": 1}
STATUS_WEIGHTS = (("A", 90), ("E", 6), ("P", 4))


# A row: (indicator code, dimension codes (one per DIMENSIONS entry), unit kind, REF_AREA,
# TIME_PERIOD, year, reported unit, OBS_VALUE as written, value in the canonical unit (as the
# importer computes it), reported value, OBS_STATUS). Plain tuples: ten million are generated.
Row = tuple[str, tuple[str, ...], str, str, str, int, str, str, float, float, str]


class Metadata:
    def __init__(self) -> None:
        meta = json.loads(METADATA.read_text())
        reference = json.loads(REFERENCE.read_text())
        self.indicators = meta["indicators"]
        self.codes = {c["code"]: [x["code"] for x in c["codes"]] for c in meta["codelists"]}
        self.units = {u["code"]: (u["kind"], Decimal(str(u["factor"]))) for u in meta["units"]}
        self.units_of_kind: dict[str, list[str]] = {}
        for code, (kind, _factor) in self.units.items():
            self.units_of_kind.setdefault(kind, []).append(code)
        self.members = {
            m["code"]: datetime.date.fromisoformat(m["joined_on"])
            for m in reference["member_states"]
        }

    def combinations(self, indicator: dict) -> list[tuple[str, ...]]:
        used = set(indicator["dimensions"])
        lists = [self.codes[d] if d in used else [TOTAL] for d in DIMENSIONS]
        return list(itertools.product(*lists))


def periods(year: int) -> list[tuple[str, datetime.date]]:
    """The year, its quarters and its months, each with its last day."""
    found = [(str(year), datetime.date(year, 12, 31))]
    for q in range(1, 5):
        month = 3 * q
        found.append((f"{year}-Q{q}", datetime.date(year, month, 31 if q in (1, 4) else 30)))
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        found.append((f"{year}-{month:02d}", datetime.date(year, month, last)))
    return found


def country_year_keys(meta: Metadata, area: str, year: int) -> Iterator[tuple]:
    joined = meta.members[area]
    combos = [(i, meta.combinations(i)) for i in meta.indicators]
    for period, end in periods(year):
        if end < joined:
            continue
        for indicator, combinations in combos:
            code = indicator["code"]
            for kind in indicator["unit_kinds"]:
                for codes in combinations:
                    yield code, codes, kind, area, period, year


def country_year_size(meta: Metadata, area: str, year: int) -> int:
    per_period = sum(len(i["unit_kinds"]) * len(meta.combinations(i)) for i in meta.indicators)
    return per_period * sum(1 for _, end in periods(year) if end >= meta.members[area])


def country_years(meta: Metadata) -> list[tuple[str, int]]:
    return [
        (area, year)
        for area in sorted(meta.members)
        for year in YEARS
        if datetime.date(year, 12, 31) >= meta.members[area]
    ]


def keys(meta: Metadata, n: int) -> Iterator[tuple]:
    """`n` keys, spread evenly over the country-years (grouped by country and year, as
    countries send them)."""
    cys = country_years(meta)
    sizes = {cy: country_year_size(meta, *cy) for cy in cys}
    if n > sum(sizes.values()):
        raise ValueError(f"at most {sum(sizes.values())} keys in the data set")
    # The smallest per-country-year count k with sum(min(k, size)) >= n.
    low, high = 0, max(sizes.values())
    while low < high:
        mid = (low + high) // 2
        if sum(min(mid, s) for s in sizes.values()) >= n:
            high = mid
        else:
            low = mid + 1
    left = n
    for cy in cys:
        take = min(low, sizes[cy], left)
        yield from itertools.islice(country_year_keys(meta, *cy), take)
        left -= take
        if not left:
            return


def rows(meta: Metadata, n: int, seed: int = 2015) -> Iterator[Row]:
    rng = random.Random(seed)
    rand, lognorm, uniform = rng.random, rng.lognormvariate, rng.uniform
    # Per kind: cumulative weights of its units, to pick one with a single random().
    pick: dict[str, list[tuple[float, str, Decimal]]] = {}
    for kind, units in meta.units_of_kind.items():
        total = sum(UNIT_WEIGHTS.get(u, 1) for u in units)
        acc = 0.0
        pick[kind] = []
        for u in units:
            acc += UNIT_WEIGHTS.get(u, 1) / total
            pick[kind].append((acc, u, meta.units[u][1]))
    status_total = sum(w for _, w in STATUS_WEIGHTS)
    status_pick = list(
        itertools.accumulate(((s, w / status_total) for s, w in STATUS_WEIGHTS), _cumulate)
    )
    counts = ("persons", "count", "dosage")
    for indicator, codes, kind, area, period, year in keys(meta, n):
        r = rand()
        unit, factor = pick[kind][-1][1:]
        for bound, u, f in pick[kind]:
            if r < bound:
                unit, factor = u, f
                break
        if kind == "ratio":
            text = f"{uniform(1, 99):.1f}"
        elif kind in counts:
            text = str(int(lognorm(5, 2)))
        else:
            text = f"{lognorm(3, 2):.3f}"
        value = Decimal(text)
        r = rand()
        status = next((s for s, bound in status_pick if r < bound), "A")
        yield (
            indicator,
            codes,
            kind,
            area,
            period,
            year,
            unit,
            text,
            float(value * factor),
            float(value),
            status,
        )


def _cumulate(a: tuple[str, float], b: tuple[str, float]) -> tuple[str, float]:
    return b[0], a[1] + b[1]


def write_csv(meta: Metadata, path: Path, n: int) -> int:
    """The long CSV of docs/architecture.md (SDMX-CSV column names): a dimension an indicator
    does not use is left empty; returns the number of rows."""
    used = {i["code"]: set(i["dimensions"]) for i in meta.indicators}
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for indicator, codes, _kind, area, period, _year, unit, text, _v, _r, status in rows(
            meta, n
        ):
            dims = used[indicator]
            writer.writerow(
                [
                    area,
                    period,
                    indicator,
                    *(c if d in dims else "" for d, c in zip(DIMENSIONS, codes, strict=True)),
                    unit,
                    text,
                    status,
                    "",
                ]
            )
            count += 1
    return count
