"""The analytics API: targets and their progress (/api/v1/targets/), implementation rates and
the explore table (/api/v1/analytics/). Reads are public and follow the reader's own view of
the values and reports; adding a target is the Secretariat's."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.schemas import Error
from pantau.statistics.models import Indicator
from pantau.statistics.read.querysets import QueryError, UnknownIndicator
from pantau.workplan.models import Component, ComponentTarget, WorkPlan

from . import services
from .charts import KINDS, LINE, chart_spec
from .choices import Breakdown, Measure
from .compare import DEFAULT_TOLERANCE, compare, dimension_filters
from .explore import explore
from .implementation import implementation_rates, lagging_activities, long_not_started
from .models import DEFAULT_ALPHA, Target
from .permissions import can_manage_targets
from .progress import target_progress

targets_router = Router(tags=["Analytics"])
router = Router(tags=["Analytics"])


class MonitoredTargetOut(Schema):
    id: int
    code: str
    indicator: str
    dimension_filter: dict[str, list[str]]
    unit_measure: str
    direction: Literal["increase", "decrease"]
    baseline_period: str
    end_period: str
    component: str = Field(description="The Work Plan component, e.g. 9")
    component_target: str | None = Field(None, description="The catalogue's numeral: i, ii, iii")
    plan: str
    alpha: float
    text: str
    is_proxy: bool


def _target_out(t: Target) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "indicator": t.indicator.code,
        "dimension_filter": t.dimension_filter,
        "unit_measure": t.unit_measure,
        "direction": t.direction,
        "baseline_period": t.baseline_period,
        "end_period": t.end_period,
        "component": str(t.component.number),
        "component_target": t.component_target.numeral if t.component_target else None,
        "plan": t.plan.code,
        "alpha": t.alpha,
        "text": t.text,
        "is_proxy": t.is_proxy,
    }


def _targets():
    return Target.objects.restrict(None).select_related(
        "indicator", "component", "component_target", "plan"
    )


@targets_router.get(
    "",
    response=list[MonitoredTargetOut],
    auth=public,
    url_name="targets",
    summary="Targets (component 9 and those the Secretariat added)",
)
def list_targets(request: HttpRequest):
    return [_target_out(t) for t in _targets()]


class TargetIn(Schema):
    plan: str = "2016-2025"
    component: int = 9
    component_target: str | None = None
    indicator: str
    dimension_filter: dict[str, list[str]] = {}
    unit_measure: str = ""
    direction: Literal["increase", "decrease"]
    baseline_period: str
    end_period: str
    alpha: float = DEFAULT_ALPHA
    text: str = ""
    is_proxy: bool = False


@targets_router.post(
    "",
    response={201: MonitoredTargetOut, 400: Error, 403: Error},
    auth=authenticated,
    url_name="target-create",
    summary="Add a target (ASEAN Secretariat)",
)
def create_target(request: HttpRequest, payload: TargetIn):
    if not can_manage_targets(caller(request)):
        return Status(403, {"detail": "Only the ASEAN Secretariat adds targets"})
    plan = WorkPlan.objects.filter(code=payload.plan).first()
    component = Component.objects.filter(plan=plan, number=payload.component).first()
    indicator = Indicator.objects.filter(code=payload.indicator.upper()).first()
    if plan is None or component is None or indicator is None:
        missing = "plan" if plan is None else "component" if component is None else "indicator"
        return Status(400, {"detail": f"{missing}: not found"})
    wording = None
    if payload.component_target:
        wording = ComponentTarget.objects.filter(
            component=component, numeral=payload.component_target
        ).first()
        if wording is None:
            return Status(400, {"detail": "component_target: not found"})
    try:
        target = services.create_target(
            acting_user=caller(request),
            plan=plan,
            component=component,
            component_target=wording,
            indicator=indicator,
            direction=payload.direction,
            baseline_period=payload.baseline_period,
            end_period=payload.end_period,
            alpha=payload.alpha,
            dimension_filter=payload.dimension_filter,
            unit_measure=payload.unit_measure,
            text=payload.text,
            is_proxy=payload.is_proxy,
        )
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
        return Status(400, {"detail": detail})
    return Status(201, _target_out(_targets().get(pk=target.pk)))


class Point(Schema):
    TIME_PERIOD: str
    OBS_VALUE: float
    coverage: dict[str, Any] | None = None


class ProgressOut(Schema):
    target: int
    REF_AREA: str
    UNIT_MEASURE: str
    verdict: Literal["on_track", "off_track", "no_significant_trend", "insufficient_data"]
    method: str
    alpha: float
    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    slope: float | None = Field(description="Theil-Sen slope, units per year")
    baseline: float | None
    latest: float | None
    latest_period: str | None
    change: float | None
    missing_periods: list[str]
    series: list[Point]


@targets_router.get(
    "{target_id}/progress",
    response={200: ProgressOut, 400: Error, 404: Error},
    auth=public,
    url_name="target-progress",
    summary="A target's progress for a Member State or ASEAN, with the numbers behind it",
    description="`verdict` is on_track, off_track, no_significant_trend or insufficient_data "
    "(fewer than 4 years), from a Mann-Kendall test at the target's `alpha` and the Theil-Sen "
    "slope; `series` is what it was computed from. `REF_AREA=ASEAN`: the region's sum of the "
    "states that were members and reported, each year with its coverage. Computed on the "
    "values the caller may see (published ones for the public).",
)
def get_progress(
    request: HttpRequest,
    target_id: int,
    ref_area: str = Query("ASEAN", alias="REF_AREA", description="SG, or ASEAN"),
):
    target = _targets().filter(pk=target_id).first()
    if target is None:
        return Status(404, {"detail": "no such target"})
    try:
        progress = target_progress(request.user, target, ref_area)
    except (QueryError, UnknownIndicator) as exc:
        return Status(400, {"detail": str(exc)})
    return progress.as_dict()


# --- /analytics/ ----------------------------------------------------------------------------


class RateOut(Schema):
    key: str
    label: str
    year: int
    implemented: int = Field(description="Activities reported completed or ongoing")
    reported: int = Field(description="Activities reported (not applicable left out)")
    rate: float | None


class ImplementationOut(Schema):
    plan: str
    by: str
    rates: list[RateOut]


@router.get(
    "implementation",
    response={200: ImplementationOut, 404: Error},
    auth=public,
    url_name="analytics-implementation",
    summary="Implementation rates per year from approved country reports",
)
def get_implementation(
    request: HttpRequest,
    plan: str = "2016-2025",
    by: Literal["section", "component", "working_group", "member_state"] = "section",
):
    found = WorkPlan.objects.filter(code=plan).first()
    if found is None:
        return Status(404, {"detail": f"no Work Plan {plan}"})
    rates = implementation_rates(request.user, found, Breakdown(by))
    return {"plan": found.code, "by": by, "rates": [r.as_dict() for r in rates]}


class LaggingOut(Schema):
    plan: str
    year: int
    lagging: list[dict[str, Any]] = Field(
        description="Activities no Member State reported completed or ongoing in the year"
    )
    not_started: list[dict[str, Any]] = Field(
        description="Member State and activity reported not started in 3 or more years"
    )


@router.get(
    "implementation/lagging",
    response={200: LaggingOut, 404: Error},
    auth=public,
    url_name="analytics-lagging",
    summary="Lagging activities, and activities not started for three years or more",
)
def get_lagging(request: HttpRequest, year: int = 2025, plan: str = "2016-2025"):
    found = WorkPlan.objects.filter(code=plan).first()
    if found is None:
        return Status(404, {"detail": f"no Work Plan {plan}"})
    return {
        "plan": found.code,
        "year": year,
        "lagging": lagging_activities(request.user, found, year),
        "not_started": long_not_started(request.user, found),
    }


class ExploreOut(Schema):
    indicator: str
    measure: str
    columns: list[str]
    rows: list[dict[str, Any]]
    units: list[str]
    illustrative: bool
    notes: list[str]
    spec: dict[str, Any] = Field(description="The Vega-Lite spec of the chart of these rows")


@router.get(
    "explore/{indicator}",
    response={200: ExploreOut, 400: Error, 404: Error},
    auth=public,
    url_name="analytics-explore",
    summary="The explore table of an indicator, and its chart's Vega-Lite spec",
)
def get_explore(
    request: HttpRequest,
    indicator: str,
    ref_area: str = Query("ASEAN", alias="REF_AREA", description="TH+MY+ASEAN"),
    time_period: str = Query("2015:2025", alias="TIME_PERIOD"),
    breakdown: str = "",
    measure: Literal["absolute", "per_100k", "yoy"] = "absolute",
    chart: Literal["line", "bar", "map"] = "line",
):
    found = Indicator.objects.filter(code=indicator.upper()).first()
    if found is None:
        return Status(404, {"detail": f"unknown indicator {indicator!r}"})
    try:
        table = explore(
            request.user,
            found,
            areas=[a.upper() for a in ref_area.replace(",", " ").replace("+", " ").split()],
            periods=time_period,
            breakdown=breakdown.upper(),
            measure=Measure(measure),
        )
    except QueryError as exc:
        return Status(400, {"detail": str(exc)})
    return {
        "indicator": found.code,
        "measure": table.measure,
        "columns": table.columns,
        "rows": table.rows,
        "units": table.units,
        "illustrative": table.illustrative,
        "notes": table.notes,
        "spec": chart_spec(
            table.rows,
            kind=chart if chart in KINDS else LINE,
            title=found.name,
            value_title=", ".join(table.units),
            series_field=table.series_field,
        ),
    }


class CompareRow(Schema):
    REF_AREA: str
    TIME_PERIOD: str
    UNIT_KIND: str
    national: float | None = Field(description="The Member State's figure, as the caller sees it")
    reference: float | None = Field(description="The reference table's figure")
    difference: float | None = Field(description="national - reference")
    ratio: float | None = Field(description="national / reference")
    flag: bool = Field(description="Differ beyond the tolerance, or one side has no figure")


class CompareOut(Schema):
    indicator: str
    reference: str
    source: str
    tolerance: float
    rows: list[CompareRow]


@router.get(
    "compare/{indicator}",
    response={200: CompareOut, 400: Error, 404: Error},
    auth=public,
    url_name="analytics-compare",
    summary="Cross-source check: national figures beside a reference table's",
    description="One row per Member State, year and unit: `national` (from the values the "
    "caller may see, of `source` when given), `reference` (the imported reference table "
    "`reference`), their difference and ratio; `flag` where |national - reference| / "
    "reference exceeds `tolerance` (default 0.10) or one side has no figure. Dimension "
    "filters as in the data API (`DRUG=HEROIN`); other dimensions at their total.",
)
def get_compare(
    request: HttpRequest,
    indicator: str,
    reference: str,
    source: str = "",
    tolerance: float = DEFAULT_TOLERANCE,
):
    found = Indicator.objects.filter(code=indicator.upper()).first()
    if found is None:
        return Status(404, {"detail": f"unknown indicator {indicator!r}"})
    try:
        result = compare(
            request.user,
            found,
            reference=reference,
            source=source,
            filters=dimension_filters(request.GET),
            tolerance=tolerance,
        )
    except QueryError as exc:
        return Status(400, {"detail": str(exc)})
    return {
        "indicator": found.code,
        "reference": result.reference,
        "source": result.source,
        "tolerance": result.tolerance,
        "rows": result.rows,
    }
