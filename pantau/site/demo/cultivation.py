"""The cultivation demo: illustrative boundaries of a few made-up areas of Myanmar and Lao PDR,
and a series of illustrative opium poppy surveys over them. Surveys up to the last approved
reporting year are approved by the demo loader (their national totals replace the demo's
illustrative CULTIVATION_AREA and ERADICATION_AREA figures, published, with the survey as
their source); the open year's survey waits for the national approver. Loading twice creates
nothing new."""

import json
from decimal import Decimal

from django.core.files.base import ContentFile

from pantau.cultivation.boundaries import register_boundary_file
from pantau.cultivation.models import BoundaryVersion, CultivationSurvey
from pantau.cultivation.services import approve_survey, create_survey, set_survey_areas
from pantau.cultivation.tasks import load_boundary_file
from pantau.members.models import MemberState
from pantau.site.demo.accounts import ACTOR

from .reporting import APPROVED_UNTIL, OPEN_YEAR

# (code, name, lon, lat, width, height, share of the national area, yield kg/ha)
AREAS = {
    "MM": [
        ("MM-D01", "Illustrative Northern Hills", 96.0, 23.0, 2.0, 2.0, 0.45, 14.0),
        ("MM-D02", "Illustrative Eastern Valleys", 98.0, 20.5, 1.5, 2.5, 0.30, 12.0),
        ("MM-D03", "Illustrative Southern Plateau", 96.0, 19.5, 2.0, 1.5, 0.15, 10.5),
        ("MM-D04", "Illustrative Western Ranges", 93.5, 21.0, 1.5, 2.0, 0.10, 9.0),
    ],
    "LA": [
        ("LA-D01", "Illustrative Upland North", 101.0, 20.5, 1.5, 1.5, 0.55, 8.0),
        ("LA-D02", "Illustrative Upland East", 102.5, 20.0, 1.5, 1.5, 0.30, 7.0),
        ("LA-D03", "Illustrative Central Hills", 102.0, 18.5, 1.5, 1.0, 0.15, 6.0),
    ],
}
# The national area under opium poppy of the first survey year, and its yearly change.
SERIES = {"MM": (40000, -0.06, 2019), "LA": (5200, -0.04, 2021)}
PRICES = {"MM": ("USD", 320), "LA": ("USD", 550)}


def _geojson(code: str) -> bytes:
    features = []
    for area, name, lon, lat, w, h, *_ in AREAS[code]:
        ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": area, "name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _rows(code: str, year: int) -> list[dict[str, str]]:
    base, trend, first = SERIES[code]
    # A made-up wobble, the same on every load.
    national = base * (1 + trend) ** (year - first) * (1 + 0.03 * ((year * 7) % 5 - 2))
    rows = []
    for index, (area, _name, *_shape, share, yield_kg) in enumerate(AREAS[code]):
        ha = round(national * share)
        margin = 0.18 + 0.02 * index
        rows.append(
            {
                "area_code": area,
                "area_ha": str(ha),
                "area_ha_low": str(round(ha * (1 - margin))),
                "area_ha_high": str(round(ha * (1 + margin))),
                "eradicated_ha": str(round(ha * (0.05 + 0.01 * index))),
                "yield_kg_ha": str(yield_kg),
                "yield_kg_ha_low": str(round(Decimal(str(yield_kg)) * Decimal("0.8"), 1)),
                "yield_kg_ha_high": str(round(Decimal(str(yield_kg)) * Decimal("1.2"), 1)),
                "villages": str(max(1, round(ha / 60))),
                "households": str(max(1, round(ha / 1.4))),
                "farm_gate_price": str(PRICES[code][1] + 10 * ((year + index) % 4)),
            }
        )
    return rows


def load_cultivation_demo() -> int:
    """Load the boundaries and surveys that are missing; returns the surveys created."""
    created = 0
    for code in AREAS:
        state = MemberState.objects.get(code=code)
        if not BoundaryVersion.objects.filter(member_state=state, is_demo=True).exists():
            boundary = register_boundary_file(
                acting_user=ACTOR,
                member_state=state,
                uploaded_file=ContentFile(_geojson(code), name=f"illustrative-{code}.geojson"),
                note="Illustrative demo boundaries: made-up areas",
                system=True,
                is_demo=True,
            )
            load_boundary_file(boundary.pk)  # now, not when a worker runs: the demo shows it
        first = SERIES[code][2]
        for year in range(first, OPEN_YEAR + 1):
            if CultivationSurvey.objects.filter(
                member_state=state, year=year, crop="OPIUM_POPPY"
            ).exists():
                continue
            survey = create_survey(
                acting_user=ACTOR,
                member_state=state,
                year=year,
                crop="OPIUM_POPPY",
                method="satellite",
                sampling_notes=(
                    "Illustrative: satellite imagery of the made-up areas with ground "
                    "truthing in sampled villages; yield from plot measurements."
                ),
                price_currency=PRICES[code][0],
                is_demo=True,
                system=True,
            )
            survey = set_survey_areas(
                acting_user=ACTOR, survey=survey, rows=_rows(code, year), version=None, system=True
            )
            if year <= APPROVED_UNTIL:
                approve_survey(
                    acting_user=ACTOR, survey=survey, version=None, system=True, publish=True
                )
            created += 1
    load_ad_demo()
    return created


def _export(households: int, year: int, seed: int, progress: float) -> bytes:
    """A made-up KoboToolbox-style export of the farmer questionnaire."""
    lines = [
        "start,end,household_id,village,household_size,income_usd,illicit_area_ha,"
        "land_tenure,market_access,satisfaction,_uuid"
    ]
    for n in range(households):
        wobble = ((n * 37 + seed) % 11) / 10
        income = round(700 + 900 * progress + 150 * wobble)
        illicit = max(0.0, round(0.6 * (1 - progress) - 0.05 * wobble, 2))
        tenure = "yes" if (n + seed) % 10 < 3 + 5 * progress else "no"
        market = "yes" if (n * 3 + seed) % 10 < 2 + 6 * progress else "no"
        satisfaction = min(5, 2 + round(2 * progress + wobble))
        lines.append(
            f",,ILL-{year}-{n:03d},Illustrative village {n % 6 + 1},{3 + n % 5},{income},"
            f"{illicit},{tenure},{market},{satisfaction},demo-{seed}-{year}-{n}"
        )
    return ("\n".join(lines) + "\n").encode()


def load_ad_demo() -> int:
    """An illustrative programme in Lao PDR with its baseline and a follow-up round."""
    import datetime

    from pantau.cultivation.ad import (
        add_round,
        create_programme,
        register_submissions_file,
        start_programme,
    )
    from pantau.cultivation.models import ADProgramme
    from pantau.cultivation.tasks import import_submissions_task

    state = MemberState.objects.get(code="LA")
    if ADProgramme.objects.filter(member_state=state, is_demo=True).exists():
        return 0
    programme = create_programme(
        acting_user=ACTOR,
        member_state=state,
        name="Illustrative upland coffee and tea programme",
        system=True,
        is_demo=True,
        area_codes=["LA-D01", "LA-D02"],
        communities="Twelve made-up upland villages",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        implementing_partners="Illustrative provincial agriculture office",
        funding_partners="Government; an illustrative private coffee buyer (CSR)",
        budget=Decimal("1250000"),
        budget_currency="USD",
        households_targeted=600,
        households_reached=410,
        substitute_crops="Arabica coffee, tea, cardamom",
        land_tenure_measures="Illustrative: village land-use plans and household titles",
        market_access_measures="Illustrative: a buyer's contract and a feeder road",
    )
    for number, (day, progress) in enumerate(
        ((datetime.date(2022, 2, 1), 0.0), (datetime.date(2024, 2, 1), 0.7))
    ):
        survey_round = add_round(
            acting_user=ACTOR, programme=programme, started_on=day, system=True
        )
        upload = register_submissions_file(
            acting_user=ACTOR,
            survey_round=survey_round,
            uploaded_file=ContentFile(
                _export(60, day.year, number + 1, progress), name=f"illustrative-{day.year}.csv"
            ),
            system=True,
        )
        import_submissions_task.call(upload.pk)  # now: the demo shows it at once
    start_programme(acting_user=ACTOR, programme=programme, system=True)
    return 1
