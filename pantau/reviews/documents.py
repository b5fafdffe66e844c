"""The review's documents, rendered from its snapshot alone: the HTML report, the PDF
(WeasyPrint, A4, table of contents and page numbers from CSS @page counters, charts as vector
SVG from the same Vega-Lite specs the pages use) and the XLSX annex (every table; fixed
workbook properties and zip dates from the snapshot, so a snapshot gives the same data
sheets every time). Every document carries the snapshot hash and the generation date."""

import base64
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from pantau.analytics.charts import BAR, LINE, chart_spec, heatmap_spec, render_svg
from pantau.analytics.choices import Verdict
from pantau.analytics.downloads import FORMULA_TRIGGERS
from pantau.cooperation.choices import EventKind
from pantau.reporting.cooperation_evidence import EvidenceCount

from .choices import ExerciseKind

SOURCE_REPORTS = _("ASOD Standardized Country Reports, approved versions")
SOURCE_STATISTICS = _("Member States' national drug statistics (ADMN), published values")


@dataclass(frozen=True)
class Meta:
    """What a document says about itself besides the snapshot."""

    version: int
    snapshot_hash: str
    generated_at: datetime.datetime
    executive_summary: str
    recommendations: str


def number(value: Any) -> str:
    """Thousands separators; two decimals for fractions; '-' for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


def _svg(spec: dict) -> str:
    """A chart as an <img> of vector SVG (data URI): WeasyPrint keeps it vector."""
    svg = render_svg(spec).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _rate_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "TIME_PERIOD": r["year"],
            "series": f"{r['key']} {r['label']}"[:40],
            "OBS_VALUE": None if r["rate"] is None else round(100 * r["rate"], 1),
        }
        for r in rows
    ]


def _table(rows: list[dict]) -> list[dict]:
    return [
        {
            **r,
            "implemented_text": number(r["implemented"]),
            "reported_text": number(r["reported"]),
            "rate_text": percent(r["rate"]),
        }
        for r in rows
    ]


def _evidence(snapshot: dict[str, Any]) -> list[tuple[str, list[dict]]]:
    """Per section and component: the statuses completed or ongoing over the period and the
    cooperation behind them ("12 completed or ongoing, with 3 trainings, 214 participants,
    2 funded projects")."""
    evidence = snapshot.get("evidence", {})
    out = []
    for by, label in (("section", _("Section")), ("component", _("Component"))):
        done: dict[Any, int] = {}
        for r in snapshot["implementation"][by]:
            done[r["key"]] = done.get(r["key"], 0) + r["implemented"]
        rows = []
        for r in evidence.get(by, []):
            count = EvidenceCount(
                events_by_kind=dict(r["events_by_kind"]),
                participants=r["participants"],
                projects=r["projects"],
            )
            rows.append(
                {
                    **r,
                    "implemented_text": number(done.get(r["key"], 0)),
                    "events_text": number(r["events"]),
                    "participants_text": number(r["participants"]),
                    "projects_text": number(r["projects"]),
                    "summary": _("%(n)s completed or ongoing, with %(evidence)s")
                    % {"n": number(done.get(r["key"], 0)), "evidence": count},
                }
            )
        out.append((label, rows))
    return out


def context(snapshot: dict[str, Any], meta: Meta, progress: Callable[[str], None]) -> dict:
    """The template context of the HTML/PDF: the snapshot's figures formatted, and the charts
    rendered (vl-convert) from the Vega-Lite specs."""
    exercise = snapshot["exercise"]
    headline = snapshot["headline"]
    implementation = snapshot["implementation"]
    charts: dict[str, str] = {}
    progress("charts")
    for by in ("section", "working_group", "member_state"):
        rows = _rate_rows(implementation[by])
        if rows:
            charts[by] = _svg(
                chart_spec(
                    rows,
                    kind=LINE,
                    title=_("Implementation rate (%)"),
                    value_title="%",
                    series_field="series",
                    height=220,
                )
            )
    cells = snapshot.get("heatmap", [])
    states = sorted({c["member_state"] for c in cells})
    by_component: dict[int, dict[str, dict]] = {}
    for c in cells:
        by_component.setdefault(c["component"], {})[c["member_state"]] = c
    heatmap = {
        "states": states,
        "rows": [
            {
                "component": component,
                "cells": [percent(row[state]["rate"]) if state in row else "-" for state in states],
            }
            for component, row in sorted(by_component.items())
        ],
        "chart": _svg(
            heatmap_spec(
                [{**c, "component": f"{c['component']:02d}"} for c in cells],
                x="member_state",
                y="component",
                value="rate",
                title=_("Implementation rate by component and Member State"),
                value_title="%",
                height=max(160, 16 * len(by_component)),
            )
        )
        if cells
        else "",
    }
    targets = []
    for t in snapshot["targets"]:
        series = [{**p, "REF_AREA": t["REF_AREA"]} for p in t["series"]]
        targets.append(
            {
                **t,
                "verdict_label": str(Verdict(t["verdict"]).label),
                "baseline_text": number(t["baseline"]),
                "latest_text": number(t["latest"]),
                "change_text": number(t["change"]),
                "slope_text": "-" if t["slope"] is None else f"{t['slope']:,.2f}",
                "p_text": "-" if t["p_value"] is None else f"{t['p_value']:.4f}",
                "series_rows": [
                    {
                        "period": p["TIME_PERIOD"],
                        "value": number(p["OBS_VALUE"]),
                        "coverage": _coverage(p.get("coverage")),
                    }
                    for p in t["series"]
                ],
                "chart": _svg(
                    chart_spec(
                        series,
                        kind=LINE,
                        title=t["indicator_name"],
                        value_title=t["UNIT_MEASURE"],
                        height=200,
                    )
                )
                if series
                else "",
            }
        )
    trends = []
    for trend in snapshot["trends"]:
        trends.append(
            {
                **trend,
                "table": [
                    {
                        **r,
                        "value": number(r["OBS_VALUE"]),
                        "coverage_text": _coverage(r["coverage"]),
                    }
                    for r in trend["rows"]
                ],
                "chart": _svg(
                    chart_spec(
                        trend["rows"],
                        kind=LINE if len({r["TIME_PERIOD"] for r in trend["rows"]}) > 1 else BAR,
                        title=trend["name"],
                        value_title=", ".join(sorted({r["UNIT_MEASURE"] for r in trend["rows"]})),
                        series_field="UNIT_MEASURE",
                        height=180,
                    )
                ),
            }
        )
    years = list(range(exercise["period"][0], exercise["period"][1] + 1))
    grid: dict[str, dict] = {}
    for c in snapshot["completeness"]:
        row = grid.setdefault(
            c["REF_AREA"], {"code": c["REF_AREA"], "name": c["name"], "cells": {}}
        )
        row["cells"][c["year"]] = c
    completeness = [{**row, "cells": [row["cells"].get(y) for y in years]} for row in grid.values()]
    progress("document")
    return {
        "s": snapshot,
        "meta": meta,
        "title": _("%(kind)s %(year)s of the ASEAN Work Plan %(plan)s")
        % {
            "kind": ExerciseKind(exercise["kind"]).label,
            "year": exercise["year"],
            "plan": exercise["plan"],
        },
        "period": f"{exercise['period'][0]}-{exercise['period'][1]}",
        "generated": timezone.localtime(meta.generated_at).strftime("%Y-%m-%d %H:%M %Z"),
        "headline": [
            (_("Member States"), number(headline["member_states"])),
            (_("Country reports expected"), number(headline["reports_expected"])),
            (_("Approved country reports"), number(headline["reports_approved"])),
            (_("Response rate"), percent(headline["response_rate"])),
            (_("Activity statuses reported"), number(headline["activities_reported"])),
            (_("Completed or ongoing"), number(headline["activities_implemented"])),
            (_("Implementation rate"), percent(headline["implementation_rate"])),
            (_("Targets"), number(headline["targets"])),
            (_("Targets on track"), number(headline["targets_on_track"])),
            (_("Published statistical values"), number(headline["statistics_values"])),
        ],
        "implementation_tables": [
            (label, _table(implementation[by]), charts.get(by, ""))
            for by, label in (
                ("section", _("Section")),
                ("component", _("Component")),
                ("working_group", _("Working group")),
                ("member_state", _("Member State")),
            )
        ],
        "heatmap": heatmap,
        "evidence": _evidence(snapshot),
        "targets": targets,
        "trends": trends,
        "years": years,
        "completeness": completeness,
        "source_reports": SOURCE_REPORTS,
        "source_statistics": SOURCE_STATISTICS,
    }


def _coverage(coverage: dict | None) -> str:
    if not coverage:
        return ""
    text = _("%(n)s of %(m)s") % {"n": coverage["reporting"], "m": coverage["members"]}
    if coverage.get("missing"):
        text += " (" + _("missing: %(codes)s") % {"codes": ", ".join(coverage["missing"])} + ")"
    return text


def render_html(ctx: dict) -> str:
    return render_to_string("reviews/report.html", ctx)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything is inline (styles, charts as data URIs): the document fetches nothing.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


# --- the XLSX annex -------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, list | dict):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return value


def _sheet(workbook: Workbook, title: str, columns: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"


def data_sheets(snapshot: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Every table of the review: (sheet title, columns, rows), from the snapshot only."""
    h = snapshot["headline"]
    out: list[tuple[str, list[str], list[list[Any]]]] = [
        ("Headline", ["figure", "value"], [[k, v] for k, v in h.items()]),
        (
            "Sections",
            ["number", "numeral", "title", "responsible"],
            [
                [s["number"], s["numeral"], s["title"], s["responsible"]]
                for s in snapshot["sections"]
            ],
        ),
    ]
    for by, title in (
        ("section", "Implementation by section"),
        ("component", "Implementation by component"),
        ("working_group", "Implementation by WG"),
        ("member_state", "Implementation by state"),
    ):
        out.append(
            (
                title,
                [by, "label", "year", "implemented", "reported", "rate"],
                [
                    [r["key"], r["label"], r["year"], r["implemented"], r["reported"], r["rate"]]
                    for r in snapshot["implementation"][by]
                ],
            )
        )
    out.append(
        (
            "Heat map",
            ["component", "REF_AREA", "implemented", "reported", "rate"],
            [
                [c["component"], c["member_state"], c["implemented"], c["reported"], c["rate"]]
                for c in snapshot.get("heatmap", [])
            ],
        )
    )
    lag = snapshot["lagging"]
    out.append(
        (
            "Lagging activities",
            ["year", "activity", "states reporting"],
            [[lag["year"], r["code"], r["reported"]] for r in lag["rows"]],
        )
    )
    out.append(
        (
            "Long not started",
            ["REF_AREA", "activity", "years", "first", "last"],
            [
                [r["member_state"], r["code"], r["years"], r["first"], r["last"]]
                for r in snapshot["long_not_started"]
            ],
        )
    )
    target_columns = [
        "code", "component", "numeral", "indicator", "UNIT_MEASURE", "direction",
        "baseline_period", "end_period", "verdict", "n", "s", "z", "p_value", "slope",
        "baseline", "latest", "latest_period", "change", "missing_periods", "method",
    ]  # fmt: skip
    out.append(
        (
            "Targets",
            target_columns,
            [[t.get(c) for c in target_columns] for t in snapshot["targets"]],
        )
    )
    out.append(
        (
            "Target series",
            [
                "code",
                "REF_AREA",
                "TIME_PERIOD",
                "UNIT_MEASURE",
                "OBS_VALUE",
                "reporting",
                "members",
            ],
            [
                [
                    t["code"],
                    t["REF_AREA"],
                    p["TIME_PERIOD"],
                    t["UNIT_MEASURE"],
                    p["OBS_VALUE"],
                    (p.get("coverage") or {}).get("reporting"),
                    (p.get("coverage") or {}).get("members"),
                ]
                for t in snapshot["targets"]
                for p in t["series"]
            ],
        )
    )
    out.append(
        (
            "Indicator trends",
            ["INDICATOR", "REF_AREA", "TIME_PERIOD", "UNIT_MEASURE", "OBS_VALUE", "reporting",
             "members", "missing"],
            [
                [
                    t["indicator"],
                    "ASEAN",
                    r["TIME_PERIOD"],
                    r["UNIT_MEASURE"],
                    r["OBS_VALUE"],
                    (r["coverage"] or {}).get("reporting"),
                    (r["coverage"] or {}).get("members"),
                    (r["coverage"] or {}).get("missing"),
                ]
                for t in snapshot["trends"]
                for r in t["rows"]
            ],
        )
    )  # fmt: skip
    out.append(
        (
            "Data completeness",
            ["REF_AREA", "name", "year", "report", "report_version", "activities_reported",
             "statistics_values"],
            [
                [c["REF_AREA"], c["name"], c["year"], c["report"], c["report_version"],
                 c["activities_reported"], c["statistics_values"]]
                for c in snapshot["completeness"]
            ],
        )
    )  # fmt: skip
    kinds = list(EventKind.values)
    out.append(
        (
            "Cooperation evidence",
            ["breakdown", "key", "label", "events", *kinds, "participants", "funded projects"],
            [
                [by, r["key"], r["label"], r["events"],
                 *[r["events_by_kind"].get(k, 0) for k in kinds],
                 r["participants"], r["projects"]]
                for by in ("section", "component")
                for r in snapshot.get("evidence", {}).get(by, [])
            ],
        )
    )  # fmt: skip
    for key, title in (("challenges", "Challenges"), ("lessons", "Lessons")):
        out.append(
            (
                title,
                ["REF_AREA", "country", "year", "activity", "status", "narrative"],
                [
                    [q["ref_area"], q["country"], q["year"], q["code"], q["status"], q["narrative"]]
                    for q in snapshot["narratives"][key]
                ],
            )
        )
    return out


def render_xlsx(snapshot: dict[str, Any], meta: Meta) -> bytes:
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    exercise = snapshot["exercise"]
    for row in (
        ["review", str(ExerciseKind(exercise["kind"]).label), exercise["year"]],
        ["plan", exercise["plan"], exercise["plan_title"]],
        ["period", f"{exercise['period'][0]}-{exercise['period'][1]}"],
        ["version", meta.version],
        ["snapshot SHA-256", meta.snapshot_hash],
        ["generated", timezone.localtime(meta.generated_at).strftime("%Y-%m-%d %H:%M %Z")],
        ["data as of", snapshot["data_as_of"]],
        ["illustrative", "ILLUSTRATIVE DEMO DATA" if snapshot["illustrative"] else "no"],
        ["sources", str(SOURCE_REPORTS), str(SOURCE_STATISTICS)],
        ["note", "Rates are shares (0-1) of reported activity statuses completed or ongoing."],
        ["executive summary", meta.executive_summary],
        ["recommendations", meta.recommendations],
    ):
        about.append([_cell(v) for v in row])
    for title, columns, rows in data_sheets(snapshot):
        _sheet(workbook, title, columns, rows)
    # Fixed properties: the date is the snapshot's, never the clock's.
    as_of = datetime.datetime.fromisoformat(snapshot["data_as_of"])
    workbook.properties.creator = "Pantau"
    workbook.properties.title = str(ExerciseKind(exercise["kind"]).label)
    workbook.properties.created = as_of
    workbook.properties.modified = as_of
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    # The zip's own entry dates, too, from the snapshot.
    out = io.BytesIO()
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=stamp),
                source.read(info.filename),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
