"""The writes of cultivation surveys: draft a survey, set its areas' figures, approve it (which
writes the national totals into the statistics through the statistics import, so the rules
of published data and the validations apply), reopen it for a correction. Each write checks
its predicate, runs in one transaction and records its audit event."""

import csv
import json
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.actors import Actor, SystemActor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState
from pantau.statistics.choices import TOTAL
from pantau.statistics.ingest.pipeline import run_import
from pantau.statistics.models import DataValue

from . import permissions
from .choices import Crop, LocationKind, SurveyMethod, SurveyState
from .models import AdminArea, BoundaryVersion, CultivationSurvey, SensitiveLocation, SurveyArea

# The columns of a survey's area rows (the form, the API, the CSV/XLSX import).
AREA_FIELDS = (
    "area_code",
    "area_ha",
    "area_ha_low",
    "area_ha_high",
    "eradicated_ha",
    "yield_kg_ha",
    "yield_kg_ha_low",
    "yield_kg_ha_high",
    "villages",
    "households",
    "farm_gate_price",
)
REQUIRED = ("area_code", "area_ha", "yield_kg_ha")
INTEGERS = ("villages", "households")
PRODUCTION_METHOD = (
    "Potential production = area under cultivation x yield per hectare. Its lower bound is the "
    "lower bound of the area x the lower bound of the yield, its upper bound the upper bounds "
    "multiplied (a yield without bounds counts as its estimate). National totals are the sums "
    "of the areas' figures."
)
STATISTICS_COLUMNS = (
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "CROP",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
)


class SurveyProblems(ValidationError):
    """The survey's rows have problems: `problems` lists (line, field, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        super().__init__(
            [
                f"line {line}, {field}: {message}" if line else message
                for line, field, message in problems
            ]
        )


def check_editable(
    acting_user, survey: CultivationSurvey, version: int | None, system: bool = False
) -> None:
    if not system and not permissions.can_edit_survey(acting_user, survey.member_state.code):
        raise PermissionDenied("You may not edit this survey")
    if survey.state != SurveyState.DRAFT:
        raise ValidationError("An approved survey is reopened before it is corrected")
    if version is not None and version != survey.version:
        raise ConflictError(current=survey, submitted_version=version)


@transaction.atomic
def create_survey(
    *,
    acting_user: Actor,
    member_state: MemberState,
    year: int,
    crop: str,
    method: str,
    sampling_notes: str = "",
    price_currency: str = "",
    is_demo: bool = False,
    system: bool = False,
) -> CultivationSurvey:
    """A draft survey of `crop` in `year`, drawn on the state's current boundaries."""
    if not system and not permissions.can_edit_survey(acting_user, member_state.code):
        raise PermissionDenied("You may not draft surveys of this Member State")
    problems = {}
    if crop not in Crop.values:
        problems["crop"] = f"{crop!r} is not one of {', '.join(Crop.values)}"
    if method not in SurveyMethod.values:
        problems["method"] = f"{method!r} is not one of {', '.join(SurveyMethod.values)}"
    if not 1990 <= year <= timezone.now().year:
        problems["year"] = f"{year} is not a survey year (1990 to this year)"
    currency = price_currency.strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        problems["price_currency"] = "an ISO 4217 code of three letters (USD, MMK, LAK...)"
    if CultivationSurvey.objects.filter(member_state=member_state, year=year, crop=crop).exists():
        problems["year"] = f"{member_state.code} already has a {crop} survey of {year}"
    if problems:
        raise ValidationError(problems)
    survey = CultivationSurvey.objects.create(
        member_state=member_state,
        year=year,
        crop=crop,
        method=method,
        sampling_notes=sampling_notes.strip(),
        price_currency=currency,
        boundary=BoundaryVersion.objects.current().filter(member_state=member_state).first(),
        created_by=acting_user if not isinstance(acting_user, SystemActor) else None,
        created_at=timezone.now(),
        is_demo=is_demo,
    )
    record(
        actor=acting_user,
        action="cultivation.survey.create",
        obj=survey,
        member_state=member_state.code,
        after={"year": year, "crop": crop, "method": method},
    )
    return survey


def _decimal(text, field: str, line: int, problems: list) -> Decimal | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        problems.append((line, field, f"{str(text)[:30]!r} is not a number"))
        return None
    if not value.is_finite() or value < 0:
        problems.append((line, field, "a number of zero or more"))
        return None
    if value >= Decimal("1e10"):
        problems.append((line, field, "too large"))
        return None
    return value


def check_area_rows(
    survey: CultivationSurvey, rows: list[dict], *, first_line: int = 1
) -> tuple[list[SurveyArea], list[tuple[int, str, str]]]:
    """The area rows as SurveyArea objects (not saved), or every problem with its line."""
    problems: list[tuple[int, str, str]] = []
    known: dict[str, AdminArea] | None = None
    if survey.boundary_id:
        known = {a.code: a for a in AdminArea.objects.filter(boundary_id=survey.boundary_id)}
    seen: dict[str, int] = {}
    out: list[SurveyArea] = []
    for offset, row in enumerate(rows):
        line = first_line + offset
        found = len(problems)
        unknown = sorted(set(row) - set(AREA_FIELDS) - {"area_name"})
        if unknown:
            problems.append((line, unknown[0], "not a column of a survey's areas"))
        code = str(row.get("area_code") or "").strip()
        for name in REQUIRED:
            if str(row.get(name) or "").strip() == "":
                problems.append((line, name, "empty"))
        if code in seen:
            problems.append((line, "area_code", f"{code!r} is already on line {seen[code]}"))
        elif code:
            seen[code] = line
        if code and known is not None and code not in known:
            problems.append(
                (line, "area_code", f"{code!r} is not an area of the survey's boundaries")
            )
        values = {
            name: _decimal(row.get(name), name, line, problems)
            for name in AREA_FIELDS
            if name != "area_code" and name not in INTEGERS
        }
        integers = {}
        for name in INTEGERS:
            number = _decimal(row.get(name), name, line, problems)
            if number is not None and number != number.to_integral_value():
                problems.append((line, name, "a whole number"))
            integers[name] = int(number) if number is not None else None
        if len(problems) > found:
            continue
        area = values["area_ha"]
        y, ylow, yhigh = (
            values["yield_kg_ha"],
            values["yield_kg_ha_low"],
            values["yield_kg_ha_high"],
        )
        assert area is not None and y is not None  # required, and numbers: checked above
        low = values["area_ha_low"] if values["area_ha_low"] is not None else area
        high = values["area_ha_high"] if values["area_ha_high"] is not None else area
        if not (low <= area <= high):
            problems.append(
                (line, "area_ha", f"the estimate {area} is not within its bounds {low} to {high}")
            )
        if (ylow is not None and ylow > y) or (yhigh is not None and yhigh < y):
            problems.append((line, "yield_kg_ha", "the yield is not within its bounds"))
        eradicated = values["eradicated_ha"] or Decimal(0)
        if len(problems) > found:
            continue
        out.append(
            SurveyArea(
                survey=survey,
                area_code=code,
                area_name=(
                    str(row.get("area_name") or "").strip()[:200]
                    or (known[code].name if known else "")
                ),
                area_ha=area,
                area_ha_low=low,
                area_ha_high=high,
                eradicated_ha=eradicated,
                yield_kg_ha=y,
                yield_kg_ha_low=ylow,
                yield_kg_ha_high=yhigh,
                villages=integers["villages"],
                households=integers["households"],
                farm_gate_price=values["farm_gate_price"],
            )
        )
    if not rows:
        problems.append((0, "", "a survey has at least one area"))
    return out, problems


@transaction.atomic
def set_survey_areas(
    *,
    acting_user: Actor,
    survey: CultivationSurvey,
    rows: list[dict],
    version: int | None,
    system: bool = False,
    first_line: int = 1,
) -> CultivationSurvey:
    """Replace the survey's areas with `rows` (all of them, or none when any has a problem).
    `system`: the demo loader or the operator. `first_line`: the line of the first row in its
    file (2 below a header), for the problems."""
    survey = (
        CultivationSurvey.objects.select_for_update()
        .select_related("member_state")
        .get(pk=survey.pk)
    )
    check_editable(acting_user, survey, version, system)
    areas, problems = check_area_rows(survey, rows, first_line=first_line)
    if problems:
        raise SurveyProblems(problems)
    before = survey_totals(survey)
    SurveyArea.objects.filter(survey=survey).delete()
    SurveyArea.objects.bulk_create(areas)
    CultivationSurvey.objects.filter(pk=survey.pk).update(version=F("version") + 1)
    survey.refresh_from_db()
    record(
        actor=acting_user,
        action="cultivation.survey.areas",
        obj=survey,
        member_state=survey.member_state.code,
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in survey_totals(survey).items()},
    )
    return survey


def survey_totals(survey: CultivationSurvey) -> dict:
    """The national totals: sums over the survey's areas, computed in the database."""
    money = DecimalField(max_digits=24, decimal_places=4)

    def product(area: str, yield_field) -> ExpressionWrapper:
        return ExpressionWrapper(F(area) * yield_field, output_field=money)

    # Aliases apart from the field names: an aggregate named like a field hides the field.
    sums = SurveyArea.objects.filter(survey=survey).aggregate(
        total_area_ha=Sum("area_ha"),
        total_area_ha_low=Sum("area_ha_low"),
        total_area_ha_high=Sum("area_ha_high"),
        total_eradicated_ha=Sum("eradicated_ha"),
        total_production_kg=Sum(product("area_ha", F("yield_kg_ha"))),
        total_production_kg_low=Sum(
            product("area_ha_low", Coalesce("yield_kg_ha_low", "yield_kg_ha"))
        ),
        total_production_kg_high=Sum(
            product("area_ha_high", Coalesce("yield_kg_ha_high", "yield_kg_ha"))
        ),
        total_villages=Sum("villages"),
        total_households=Sum("households"),
    )
    totals = {name.removeprefix("total_"): value for name, value in sums.items()}
    for name, value in totals.items():
        if value is None and name not in ("villages", "households"):
            totals[name] = Decimal(0)
        elif isinstance(value, float):  # SQLite's arithmetic on decimals
            totals[name] = Decimal(str(value))
    return totals


def _plain(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):f}"


def statistics_rows(survey: CultivationSurvey, totals: dict) -> list[dict[str, str]]:
    """The national observations an approved survey writes: CULTIVATION_AREA, ERADICATION_AREA
    and POTENTIAL_PRODUCTION of its crop, and the all-crops totals of the two areas (the other
    crops' stored figures of the year plus this one)."""
    state, year = survey.member_state.code, str(survey.year)
    rows = [
        {
            "INDICATOR": "CULTIVATION_AREA",
            "CROP": survey.crop,
            "UNIT_MEASURE": "HA",
            "OBS_VALUE": _plain(totals["area_ha"]),
            "OBS_STATUS": "E",
            "COMMENT": f"survey estimate; interval {_plain(totals['area_ha_low'])} to "
            f"{_plain(totals['area_ha_high'])} ha",
        },
        {
            "INDICATOR": "ERADICATION_AREA",
            "CROP": survey.crop,
            "UNIT_MEASURE": "HA",
            "OBS_VALUE": _plain(totals["eradicated_ha"]),
            "OBS_STATUS": "A",
            "COMMENT": "",
        },
        {
            "INDICATOR": "POTENTIAL_PRODUCTION",
            "CROP": survey.crop,
            "UNIT_MEASURE": "KG",
            "OBS_VALUE": _plain(totals["production_kg"]),
            "OBS_STATUS": "E",
            "COMMENT": f"area x yield; interval {_plain(totals['production_kg_low'])} to "
            f"{_plain(totals['production_kg_high'])} kg",
        },
    ]
    for indicator, value in (
        ("CULTIVATION_AREA", totals["area_ha"]),
        ("ERADICATION_AREA", totals["eradicated_ha"]),
    ):
        others = (
            DataValue.objects.filter(
                indicator__code=indicator,
                ref_area=state,
                time_period=year,
                unit_kind="area",
                drug=TOTAL,
            )
            .exclude(crop__in=[TOTAL, survey.crop])
            .aggregate(total=Sum("obs_value"))["total"]
            or 0
        )
        rows.append(
            {
                "INDICATOR": indicator,
                "CROP": TOTAL,
                "UNIT_MEASURE": "HA",
                "OBS_VALUE": _plain(Decimal(str(others)) + value),
                "OBS_STATUS": "A",
                "COMMENT": "all crops",
            }
        )
    return [{"REF_AREA": state, "TIME_PERIOD": year, **row} for row in rows]


def _write_statistics(
    acting_user: Actor, survey: CultivationSurvey, totals: dict, *, system: bool, publish: bool
):
    with tempfile.TemporaryDirectory(prefix="pantau-cultivation-") as folder:
        name = f"cultivation-survey-{survey.pk}-{survey.member_state.code}-{survey.year}.csv"
        path = Path(folder) / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=STATISTICS_COLUMNS)
            writer.writeheader()
            writer.writerows(statistics_rows(survey, totals))
        result = run_import(
            acting_user=acting_user,
            path=path,
            file_name=name,
            source=survey.source,
            system=system,
            publish=publish,
        )
    if not result.ok:
        raise SurveyProblems(
            [
                (0, p.column, f"the statistics refuse the survey's figures: {p.message}")
                for p in result.problems[:20]
            ]
        )
    return result.data_import


@transaction.atomic
def approve_survey(
    *,
    acting_user: Actor,
    survey: CultivationSurvey,
    version: int | None,
    system: bool = False,
    publish: bool = False,
) -> CultivationSurvey:
    """Approve a draft survey: its national totals go into the statistics (as drafts of the
    Member State, with the survey as their source), replacing the figures of an earlier
    approval of the same survey. Refused whole when the statistics refuse a value (a
    published figure changes only through an administrator's publishing import).
    `system` with `publish`: the demo loader, publishing illustrative figures."""
    survey = (
        CultivationSurvey.objects.select_for_update()
        .select_related("member_state")
        .get(pk=survey.pk)
    )
    if not system and not permissions.can_approve_survey(acting_user, survey.member_state.code):
        raise PermissionDenied("Only the Member State's national approver approves a survey")
    if survey.state != SurveyState.DRAFT:
        raise ValidationError("The survey is already approved")
    if version is not None and version != survey.version:
        raise ConflictError(current=survey, submitted_version=version)
    if not SurveyArea.objects.filter(survey=survey).exists():
        raise SurveyProblems([(0, "", "a survey has at least one area before it is approved")])
    totals = survey_totals(survey)
    data_import = _write_statistics(acting_user, survey, totals, system=system, publish=publish)
    CultivationSurvey.objects.filter(pk=survey.pk).update(
        state=SurveyState.APPROVED,
        approved_by=None if isinstance(acting_user, SystemActor) else acting_user,
        approved_at=timezone.now(),
        statistics_import=data_import,
        version=F("version") + 1,
    )
    survey.refresh_from_db()
    record(
        actor=acting_user,
        action="cultivation.survey.approve",
        obj=survey,
        member_state=survey.member_state.code,
        after={
            "statistics_import": data_import.pk,
            **{k: str(v) for k, v in totals.items()},
        },
    )
    return survey


@transaction.atomic
def reopen_survey(
    *, acting_user: Actor, survey: CultivationSurvey, version: int | None, reason: str
) -> CultivationSurvey:
    """Reopen an approved survey for a correction (the approver). Its figures stay in the
    statistics until the corrected survey is approved, which replaces them."""
    survey = (
        CultivationSurvey.objects.select_for_update()
        .select_related("member_state")
        .get(pk=survey.pk)
    )
    if not permissions.can_approve_survey(acting_user, survey.member_state.code):
        raise PermissionDenied("Only the Member State's national approver reopens a survey")
    if survey.state != SurveyState.APPROVED:
        raise ValidationError("Only an approved survey is reopened")
    if version is not None and version != survey.version:
        raise ConflictError(current=survey, submitted_version=version)
    if not reason.strip():
        raise ValidationError({"reason": "Say what is corrected"})
    CultivationSurvey.objects.filter(pk=survey.pk).update(
        state=SurveyState.DRAFT, version=F("version") + 1
    )
    survey.refresh_from_db()
    record(
        actor=acting_user,
        action="cultivation.survey.reopen",
        obj=survey,
        member_state=survey.member_state.code,
        after={"reason": reason.strip()[:500]},
    )
    return survey


def _location_geometry(geometry: dict) -> str:
    from shapely.geometry import shape

    if not isinstance(geometry, dict) or geometry.get("type") not in (
        "Point",
        "Polygon",
        "MultiPolygon",
    ):
        raise ValidationError({"geometry": "a GeoJSON Point, Polygon or MultiPolygon"})
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValidationError({"geometry": f"not a GeoJSON geometry: {exc}"}) from exc
    if geom.is_empty or not geom.is_valid:
        raise ValidationError({"geometry": "an invalid or empty geometry"})
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError({"geometry": "coordinates are longitude, latitude in WGS 84"})
    return json.dumps(geometry, separators=(",", ":"))


@transaction.atomic
def add_location(
    *,
    acting_user: Actor,
    member_state: MemberState,
    kind: str,
    geometry: dict,
    survey: CultivationSurvey | None = None,
    area_code: str = "",
    observed_on=None,
    note: str = "",
    system: bool = False,
    is_demo: bool = False,
) -> SensitiveLocation:
    """Record a surveyed field or an eradication site (the state's law-enforcement or
    alternative-development officers)."""
    if not system and not permissions.can_read_locations(acting_user, member_state.code):
        raise PermissionDenied("Only the Member State's law-enforcement and AD officers")
    if kind not in LocationKind.values:
        raise ValidationError({"kind": f"one of {', '.join(LocationKind.values)}"})
    if survey is not None and survey.member_state_id != member_state.pk:
        raise ValidationError({"survey": "a survey of the same Member State"})
    location = SensitiveLocation.objects.create(
        member_state=member_state,
        survey=survey,
        kind=kind,
        area_code=area_code,
        geometry=_location_geometry(geometry),
        observed_on=observed_on,
        note=note,
        created_by=None if isinstance(acting_user, SystemActor) else acting_user,
        created_at=timezone.now(),
        is_demo=is_demo,
    )
    record(
        actor=acting_user,
        action="cultivation.location.create",
        obj=location,
        member_state=member_state.code,
        after={"kind": kind, "area_code": area_code, "survey": survey.pk if survey else None},
    )
    return location


@transaction.atomic
def read_locations(*, acting_user: Actor, member_state: str) -> list[SensitiveLocation]:
    """The state's locations for its law-enforcement and AD officers; the read is audited
    (which locations were read). Anyone else: PermissionDenied, nothing recorded."""
    if not permissions.can_read_locations(acting_user, member_state):
        raise PermissionDenied("Locations are read by the state's law-enforcement and AD officers")
    locations = list(
        SensitiveLocation.objects.filter(member_state__code=member_state).select_related(
            "member_state", "survey"
        )
    )
    record(
        actor=acting_user,
        action="cultivation.location.read",
        object_type="cultivation.sensitivelocation",
        object_repr=f"locations of {member_state}",
        member_state=member_state,
        after={"ids": [loc.pk for loc in locations]},
    )
    return locations
