"""The analytics pages: explore an indicator (/analytics/), the targets and their progress
(/analytics/targets/). Every read starts from the statistics' restricted reads, so a page
shows what its reader may see: the public, published values only."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pantau.core.numbers import localized
from pantau.members.models import MemberState
from pantau.statistics.choices import DIMENSIONS
from pantau.statistics.models import Indicator
from pantau.statistics.read.querysets import REGION, QueryError, UnknownIndicator

from .charts import KINDS, LINE, chart_spec
from .choices import Measure
from .compare import DEFAULT_TOLERANCE, compare, dimension_filters, reference_sources
from .downloads import table_csv, table_xlsx
from .explore import explore
from .models import Target
from .progress import method_text, progress_by_area

SOURCE = _("Member States' national drug statistics (ADMN), as the reader may see them")


def _number(value) -> str:
    """For the page, in its language (the downloads keep plain numbers)."""
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return localized(f"{value:,.2f}")
    return localized(f"{int(value):,}")


def explore_page(request: HttpRequest) -> HttpResponse:
    indicators = list(Indicator.objects.order_by("order", "code"))
    states = list(MemberState.objects.order_by("name"))
    code = request.GET.get("indicator") or (indicators[0].code if indicators else "")
    areas = request.GET.getlist("area") or [REGION]
    first = request.GET.get("from", "2015")
    last = request.GET.get("to", "2025")
    breakdown = request.GET.get("breakdown", "").upper()
    measure = request.GET.get("measure", Measure.ABSOLUTE)
    kind = request.GET.get("chart", LINE)
    context: dict = {
        "indicators": indicators,
        "states": states,
        "chosen": {
            "indicator": code,
            "areas": areas,
            "from": first,
            "to": last,
            "breakdown": breakdown,
            "measure": measure,
            "chart": kind,
        },
        "dimensions": [d.column for d in DIMENSIONS],
        "measures": Measure.choices,
        "kinds": KINDS,
        "source": SOURCE,
    }
    indicator = next((i for i in indicators if i.code == code), None)
    try:
        if indicator is None:
            raise QueryError(_("Unknown indicator %(code)s") % {"code": code})
        if measure not in Measure.values or kind not in KINDS:
            raise QueryError(_("Choose a measure and a chart from the lists"))
        table = explore(
            request.user,
            indicator,
            areas=[a.upper() for a in areas],
            periods=f"{first}:{last}",
            breakdown=breakdown,
            measure=measure,
        )
    except (QueryError, UnknownIndicator) as exc:
        context["error"] = str(exc)
        return render(request, "analytics/explore.html", context, status=400)
    notes = [
        _("Indicator: %(name)s (%(code)s)") % {"name": indicator.name, "code": indicator.code},
        _("Measure: %(m)s") % {"m": Measure(measure).label},
        _("Unit: %(u)s") % {"u": ", ".join(table.units) or "-"},
        _("Source: %(s)s") % {"s": SOURCE},
        *table.notes,
    ]
    if table.population_source:
        notes.append(_("Population: %(s)s") % {"s": table.population_source})
    if table.illustrative:
        notes.append(_("Illustrative demo data, not real figures"))
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(
            table_csv(table.columns, table.rows, notes), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{indicator.code}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            table_xlsx(table.columns, table.rows, notes),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{indicator.code}.xlsx"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    context.update(
        table=table,
        shown=[
            [_number(v) if c == "OBS_VALUE" else (v or "") for c, v in r.items()]
            for r in table.rows
        ],
        notes=notes,
        spec=chart_spec(
            table.rows,
            kind=kind,
            title=f"{indicator.name}: {Measure(measure).label}",
            value_title=", ".join(table.units),
            series_field=table.series_field,
        ),
        query=query.urlencode(),
    )
    return render(request, "analytics/explore.html", context)


def compare_page(request: HttpRequest) -> HttpResponse:
    """The cross-source check: an indicator's national figures beside a reference table's."""
    indicators = list(Indicator.objects.order_by("order", "code"))
    code = request.GET.get("indicator", "").upper() or (indicators[0].code if indicators else "")
    indicator = next((i for i in indicators if i.code == code), None)
    sources = reference_sources(indicator)
    reference = request.GET.get("reference") or (sources[0] if sources else "")
    context: dict = {
        "indicators": indicators,
        "sources": sources,
        "dimensions": [d.column for d in DIMENSIONS],
        "chosen": {
            "indicator": code,
            "reference": reference,
            "source": request.GET.get("source", ""),
            "tolerance": request.GET.get("tolerance", str(DEFAULT_TOLERANCE)),
        },
    }
    if indicator is None or not reference:
        return render(request, "analytics/compare.html", context)
    try:
        try:
            tolerance = float(context["chosen"]["tolerance"])
        except ValueError as exc:
            raise QueryError(_("The tolerance is a number such as 0.10")) from exc
        result = compare(
            request.user,
            indicator,
            reference=reference,
            source=context["chosen"]["source"],
            filters=dimension_filters(request.GET),
            tolerance=tolerance,
        )
    except QueryError as exc:
        context["error"] = str(exc)
        return render(request, "analytics/compare.html", context, status=400)
    context["comparison"] = result
    context["shown"] = [
        {
            **row,
            "national": _number(row["national"]),
            "reference": _number(row["reference"]),
            "difference": _number(row["difference"]),
            "ratio": "-" if row["ratio"] is None else f"{row['ratio']:.3f}",
        }
        for row in result.rows
    ]
    return render(request, "analytics/compare.html", context)


def target_list(request: HttpRequest) -> HttpResponse:
    targets = Target.objects.restrict(request.user).select_related(
        "indicator", "component", "component_target", "plan"
    )
    return render(request, "analytics/targets.html", {"targets": targets})


def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    target = (
        Target.objects.restrict(request.user)
        .select_related("indicator", "component", "component_target", "plan")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise Http404
    progress = progress_by_area(request.user, target)
    series = [
        {
            "REF_AREA": p.ref_area,
            "TIME_PERIOD": point["TIME_PERIOD"],
            "OBS_VALUE": point["OBS_VALUE"],
        }
        for p in progress
        for point in p.series
    ]
    rows = [
        {
            "area": p.ref_area,
            "verdict": p.verdict,
            "verdict_label": p.verdict_label,
            "n": p.test.n,
            "s": p.test.s,
            "p_value": localized(f"{p.test.p_value:.4f}"),
            "slope": _number(p.test.slope),
            "baseline": _number(p.baseline),
            "latest": _number(p.latest),
            "latest_period": p.latest_period or "-",
            "missing": ", ".join(p.missing_periods) or "-",
            "unit": p.unit_measure or "-",
            "coverage": "; ".join(
                _("%(year)s: %(reporting)s of %(members)s reported")
                % {"year": pt["TIME_PERIOD"], **pt["coverage"]}
                for pt in p.series
                if pt.get("coverage")
            ),
        }
        for p in progress
    ]
    return render(
        request,
        "analytics/target.html",
        {
            "target": target,
            "rows": rows,
            "series": [[s["REF_AREA"], s["TIME_PERIOD"], _number(s["OBS_VALUE"])] for s in series],
            "method": method_text(target),
            "spec": chart_spec(series, kind=LINE, title=str(target.indicator.name)),
            "source": SOURCE,
        },
    )
