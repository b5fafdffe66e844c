"""Illustrative ADMN statistics for the demo: every Member State, 2015-2025, in the years it
was a member (Timor-Leste from 2025), for the starter indicators. The magnitudes are
plausible, not real: each state has a made-up profile, a trend and deterministic noise (a
hash of the series, like pantau.site.demo.reporting), so every demo looks the same. Every value
says it is illustrative (comment and source) and carries is_demo.

The values go through the import service, as a file a country would send: the years whose
country report is approved (or that have no reporting cycle) are imported as published
figures, the others (the open 2025 cycle) as drafts, which are published when their report
is approved, like any country's. A state-year that already holds values is left alone, so a
second load changes nothing."""

import csv
import hashlib
import math
import tempfile
from pathlib import Path

from django.db import transaction

from pantau.audit.services import record
from pantau.core.actors import DEMO
from pantau.members.models import MemberState
from pantau.reporting.choices import APPROVED_STATUSES
from pantau.reporting.models import CountryReport, ReportingCycle
from pantau.statistics.checks.services import run_checks
from pantau.statistics.choices import TOTAL
from pantau.statistics.ingest.pipeline import run_import
from pantau.statistics.models import DataValue

from .reporting import OPEN_YEAR

ACTOR = DEMO
SOURCE = "Illustrative demo data"
FIRST_YEAR, LAST_YEAR = 2015, 2025
COLUMNS = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "PRECURSOR",
    "SEX",
    "CROP",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]

# Drug seizures: (drug, unit, profile key, yearly trend). Tablets are counted in dosage
# units, everything else weighed in kilograms.
SEIZURES = [
    ("METH_TABLET", "UNIT", "tablets", 0.14),
    ("METH_CRYSTAL", "KG", "crystal", 0.16),
    ("HEROIN", "KG", "heroin", -0.02),
    ("OPIUM", "KG", "opium", -0.04),
    ("CANNABIS_HERB", "KG", "cannabis", 0.02),
    ("KETAMINE", "KG", "ketamine", 0.12),
    ("MDMA", "UNIT", "mdma", 0.02),
    ("NIMETAZEPAM", "UNIT", "nimetazepam", -0.03),
    ("KRATOM", "KG", "kratom", 0.03),
    ("COCAINE", "KG", "cocaine", 0.02),
]
# A few illustrative anomalies, so that the demo's checks have something to show: a record
# seizure (an outlier against the country's history) and a total that is not the sum of its
# parts (a validation rule). The noise elsewhere is small beside each series' trend.
ANOMALIES = {("MM", 2021, "METH_TABLET"): 3.0, ("VN", 2023, "HEROIN"): 0.3}
MISCOUNTS = {("PH", 2023, "DRUG_ARREST"): 120}

# A made-up population per state at its 2015 level, in millions, so that the demo's rates per
# 100,000 population show something. Rounded magnitudes, NOT the UN World Population Prospects:
# like every demo figure it is labelled illustrative; real figures come from an import that
# names its source (`pantau import ... --source "UN WPP 2024"`).
POPULATION_MILLIONS = {
    "BN": 0.4,
    "KH": 15,
    "ID": 260,
    "LA": 7,
    "MY": 30,
    "MM": 50,
    "PH": 100,
    "SG": 5.5,
    "TH": 70,
    "VN": 90,
    "TL": 1.3,
}

# Precursor seizures: (precursor, unit, share of the state's solid or liquid total).
PRECURSORS = [
    ("EPHEDRINE", "KG", 0.6),
    ("PSEUDOEPHEDRINE", "KG", 0.4),
    ("P2P", "L", 0.4),
    ("SAFROLE", "L", 0.2),
    ("ACETIC_ANHYDRIDE", "L", 0.4),
]

# A made-up profile per state, at its 2015 level ("-": not reported). Seizures in dosage
# units or kilograms, people in persons, precursors in kg and litres, areas in hectares;
# "female" is the women's share of arrests and admissions.
_PROFILE_TABLE = """
    tablets    crystal heroin opium cannabis ketamine mdma    nimetazepam kratom cocaine
    arrests    female  cases  operations labs precursor_kg precursor_l precursor_cases
    treatment  poppy_ha cannabis_ha
BN  200        2       0.1    -     5        0.1      100     500         -      -
    500        0.12    300    150        0    -            -           -
    150        -        -
KH  1500000    500     50     5     2000     100      5000    -           -      1
    10000      0.08    5000   1200       2    500          2000        5
    5000       -        -
ID  500000     3000    20     -     40000    10       1500000 20000       -      20
    45000      0.07    35000  9000       5    200          500         10
    15000      -        300
LA  15000000   300     300    500   5000     5        -       -           -      -
    4000       0.10    2500   600        1    1000         5000        3
    3000       5000     -
MY  5000000    2000    500    20    3000     300      200000  500000      50000  50
    140000     0.07    110000 20000      20   500          200         15
    20000      -        -
MM  100000000  5000    1500   2500  1000     500      -       -           -      -
    12000      0.10    8000   2500       30   20000        60000       50
    8000       40000    -
PH  20000      1500    -      -     10000    -        20000   -           -      100
    50000      0.10    40000  30000      3    100          -           5
    7000       -        200
SG  30000      50      100    -     30       5        3000    20000       -      1
    3000       0.15    2000   400        0    -            -           -
    1500       -        -
TH  120000000  5000    800    300   15000    300      100000  -           60000  5
    280000     0.11    250000 40000      5    2000         5000        30
    180000     300      -
VN  3000000    2000    1000   50    1000     50       200000  -           -      5
    30000      0.07    20000  8000       3    100          1000        5
    30000      100      -
TL  500        2       -      -     20       -        -       -           -      -
    60         0.10    40     15         0    -            -           -
    30         -        -
"""


def _profiles(table: str) -> dict[str, dict[str, float | None]]:
    lines = [line.split() for line in table.strip().splitlines()]
    keys = [k for line in lines[:3] for k in line]
    profiles = {}
    for i in range(3, len(lines), 3):
        code, *values = [v for line in lines[i : i + 3] for v in line]
        profiles[code] = {
            k: None if v == "-" else float(v) for k, v in zip(keys, values, strict=True)
        }
    return profiles


PROFILES = _profiles(_PROFILE_TABLE)


def _draw(*parts) -> float:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4]) / 2**32


def _noise(*parts, spread: float = 0.005) -> float:
    """A deterministic multiplicative noise in [e^-spread, e^spread]."""
    return math.exp(spread * (2 * _draw(*parts) - 1))


def _round(value: float, unit: str) -> float:
    if unit in ("KG", "L", "HA") and value < 100:
        return round(value, 2 if value < 10 else 1)
    return float(round(value))


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def illustrative_rows(code: str, year: int) -> list[dict[str, str]]:
    """The rows of one state and year (long format, SDMX-CSV column names)."""
    profile = PROFILES.get(code)
    if profile is None:
        return []
    t = year - FIRST_YEAR
    rows: list[dict[str, str]] = []

    def add(indicator: str, unit: str, value: float, **dims: str) -> None:
        rows.append(
            {
                "REF_AREA": code,
                "TIME_PERIOD": str(year),
                "INDICATOR": indicator,
                "DRUG": dims.get("drug", TOTAL),
                "PRECURSOR": dims.get("precursor", TOTAL),
                "SEX": dims.get("sex", TOTAL),
                "CROP": dims.get("crop", TOTAL),
                "UNIT_MEASURE": unit,
                "OBS_VALUE": _fmt(value),
                "OBS_STATUS": "A",
                "COMMENT": SOURCE,
            }
        )

    def level(key: str, trend: float) -> float | None:
        base = profile[key]
        if base is None:
            return None
        return base * (1 + trend) ** t * _noise(code, key, year)

    totals: dict[str, float] = {}
    for drug, unit, key, trend in SEIZURES:
        value = level(key, trend)
        if value is None:
            continue
        value = _round(value * ANOMALIES.get((code, year, drug), 1.0), unit)
        totals[unit] = totals.get(unit, 0.0) + value
        add("DRUG_SEIZURE", unit, value, drug=drug)
    for unit, total in totals.items():
        add("DRUG_SEIZURE", unit, _round(total, unit), drug=TOTAL)

    for indicator, key, trend in (
        ("DRUG_ARREST", "arrests", 0.03),
        ("TREATMENT_ADMISSION", "treatment", 0.02),
    ):
        value = level(key, trend)
        if value is None:
            continue
        total = round(value)
        share = float(profile["female"] or 0.1) * _noise(code, key, "female", year, spread=0.002)
        female = round(total * share)
        # An illustrative inconsistency, for the validation rules to find.
        add(indicator, "PERSON", total + MISCOUNTS.get((code, year, indicator), 0), sex=TOTAL)
        add(indicator, "PERSON", female, sex="F")
        add(indicator, "PERSON", total - female, sex="M")

    cases = level("cases", 0.03)
    if cases is not None:
        add("DRUG_CASE", "NUMBER", round(cases))
    operations = level("operations", 0.04)
    if operations is not None:
        add("DRUG_OPERATION", "NUMBER", round(operations))
    labs = profile["labs"]
    if labs is not None:
        add("CLANDESTINE_LAB", "NUMBER", round(labs))
    precursor_cases = level("precursor_cases", 0.0)
    if precursor_cases is not None:
        add("PRECURSOR_CASE", "NUMBER", min(round(precursor_cases), round(cases or 0)))

    precursor_totals: dict[str, float] = {}
    for precursor, unit, share in PRECURSORS:
        value = level("precursor_kg" if unit == "KG" else "precursor_l", 0.05)
        if value is None:
            continue
        value = _round(value * share, unit)
        precursor_totals[unit] = precursor_totals.get(unit, 0.0) + value
        add("PRECURSOR_SEIZURE", unit, value, precursor=precursor)
    for unit, total in precursor_totals.items():
        add("PRECURSOR_SEIZURE", unit, _round(total, unit), precursor=TOTAL)

    areas = {"CULTIVATION_AREA": 0.0, "ERADICATION_AREA": 0.0}
    for crop, key, trend in (
        ("OPIUM_POPPY", "poppy_ha", -0.05),
        ("CANNABIS", "cannabis_ha", -0.02),
    ):
        cultivated = level(key, trend)
        if cultivated is None:
            continue
        cultivated = _round(cultivated, "HA")
        eradicated = _round(cultivated * 0.08 * 1.08**t * _noise(code, key, "erad", year), "HA")
        for indicator, value in (
            ("CULTIVATION_AREA", cultivated),
            ("ERADICATION_AREA", eradicated),
        ):
            add(indicator, "HA", value, crop=crop)
            areas[indicator] += value
    if profile["poppy_ha"] is not None or profile["cannabis_ha"] is not None:
        for indicator, total in areas.items():
            add(indicator, "HA", _round(total, "HA"), crop=TOTAL)

    millions = POPULATION_MILLIONS.get(code)
    if millions is not None:
        people = millions * 1_000_000 * 1.01**t * _noise(code, "population", year, spread=0.001)
        add("POPULATION", "PERSON", round(people, -3))
    return rows


def _approved_state_years(years: range) -> set[tuple[str, int]]:
    """The (state, year) pairs whose country report is approved or published."""
    return set(
        CountryReport.objects.filter(status__in=APPROVED_STATUSES, cycle__year__in=years)
        .values_list("member_state__code", "cycle__year")
        .distinct()
    )


def _import(rows: list[dict[str, str]], *, publish: bool, name: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="pantau-demo-") as folder:
        path = Path(folder) / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        result = run_import(
            acting_user=ACTOR, path=path, publish=publish, source=SOURCE, system=True
        )
    if not result.ok:
        problems = "; ".join(p.format(name) for p in result.problems[:5])
        raise RuntimeError(f"the demo statistics do not import: {problems}")
    DataValue.objects.filter(data_import=result.data_import).update(is_demo=True)
    return result.counts


@transaction.atomic
def load_statistics_demo() -> dict[str, int]:
    """Import the illustrative statistics of the state-years that hold no value yet; returns
    the counts (rows, published, draft, findings)."""
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    filled = set(DataValue.objects.values_list("ref_area", "year").distinct())
    cycle_years = set(ReportingCycle.objects.values_list("year", flat=True))
    approved = _approved_state_years(years)
    published: list[dict[str, str]] = []
    draft: list[dict[str, str]] = []
    for year in years:
        for code in (
            MemberState.objects.members_in_year(year)
            .order_by("code")
            .values_list("code", flat=True)
        ):
            if (code, year) in filled:
                continue
            rows = illustrative_rows(code, year)
            # A year before the demo's open cycle with no cycle of its own holds figures
            # published elsewhere; the open year's figures wait for its report's approval,
            # whichever is loaded first.
            if (year < OPEN_YEAR and year not in cycle_years) or (code, year) in approved:
                published.extend(rows)
            else:
                draft.extend(rows)
    summary = {"published": len(published), "draft": len(draft), "findings": 0}
    if not published and not draft:
        return summary
    if published:
        _import(published, publish=True, name="illustrative-statistics-published.csv")
    if draft:
        _import(draft, publish=False, name="illustrative-statistics-draft.csv")
    areas = sorted({r["REF_AREA"] for r in published + draft})
    first = min(int(r["TIME_PERIOD"]) for r in published + draft)
    checks = run_checks(acting_user=ACTOR, ref_areas=areas, first_year=first, system=True)
    summary["findings"] = checks.created
    record(
        actor=ACTOR,
        action="statistics.demo.load",
        object_type="statistics.datavalue",
        object_repr=SOURCE,
        after={"ref_areas": areas, "years": [first, LAST_YEAR], **summary},
    )
    return summary
