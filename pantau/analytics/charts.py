"""Charts in one grammar, Vega-Lite. `chart_spec` builds the spec that the pages embed
(vega-embed, static files) and that `render_svg` turns into SVG on the server (vl-convert)
for PDFs: one function, one spec, the same chart everywhere. Every chart is shown with its
data table beside it (the pages and the PDFs put the table next to the chart)."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert
from django.templatetags.static import static

# The region's map: Natural Earth 1:50m via world-atlas 2.0.2 (TopoJSON, ids are ISO 3166-1
# numeric codes), shipped as a static file and filtered to the Member States in the spec.
ATLAS = "vendor/world-atlas/countries-50m.json"
ATLAS_PATH = Path(__file__).resolve().parent.parent / "static" / ATLAS
ISO_NUMERIC = {
    "BN": "096",
    "KH": "116",
    "ID": "360",
    "LA": "418",
    "MY": "458",
    "MM": "104",
    "PH": "608",
    "SG": "702",
    "TH": "764",
    "VN": "704",
    "TL": "626",
}
LINE, BAR, MAP = "line", "bar", "map"
KINDS = (LINE, BAR, MAP)


def chart_spec(
    data: list[dict[str, Any]],
    *,
    kind: str = LINE,
    title: str = "",
    value_title: str = "",
    series_field: str = "REF_AREA",
    width: int | str = "container",
    height: int = 320,
) -> dict[str, Any]:
    """The Vega-Lite spec of a chart of `data` (rows with TIME_PERIOD, OBS_VALUE and
    `series_field`): a line per series over the years (a missing year is a gap: OBS_VALUE
    null breaks the line), bars per series for the last year, or a choropleth map of the
    region (REF_AREA) for the last year."""
    values = [
        {
            "TIME_PERIOD": str(row["TIME_PERIOD"]),
            "series": str(row.get(series_field, "")),
            "REF_AREA": row.get("REF_AREA", ""),
            "id": ISO_NUMERIC.get(str(row.get("REF_AREA", "")), ""),
            "OBS_VALUE": row.get("OBS_VALUE"),
        }
        for row in data
    ]
    spec: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "width": width,
        "height": height,
        "config": {"mark": {"invalid": "break-paths-show-domains"}},
    }
    value_axis = {"field": "OBS_VALUE", "type": "quantitative", "title": value_title}
    tooltip = [
        {"field": "series", "title": series_field},
        {"field": "TIME_PERIOD", "title": "TIME_PERIOD"},
        {**value_axis, "format": ",.4~f"},
    ]
    if kind == LINE:
        spec["data"] = {"values": values}
        spec["mark"] = {"type": "line", "point": True}
        spec["encoding"] = {
            "x": {"field": "TIME_PERIOD", "type": "ordinal", "title": "TIME_PERIOD"},
            "y": value_axis,
            "color": {"field": "series", "type": "nominal", "title": series_field},
            "tooltip": tooltip,
        }
        return spec
    last = max((v["TIME_PERIOD"] for v in values if v["OBS_VALUE"] is not None), default="")
    latest = [v for v in values if v["TIME_PERIOD"] == last]
    spec["title"] = f"{title} ({last})" if last else title
    if kind == BAR:
        spec["data"] = {"values": latest}
        spec["mark"] = "bar"
        spec["encoding"] = {
            "x": {"field": "series", "type": "nominal", "title": series_field, "sort": "-y"},
            "y": value_axis,
            "tooltip": tooltip,
        }
        return spec
    # The map: the region's countries, coloured by the value of the last year (grey: none).
    ids = list(ISO_NUMERIC.values())
    spec["data"] = {
        "url": static(ATLAS),
        "format": {"type": "topojson", "feature": "countries"},
    }
    spec["transform"] = [
        {"filter": {"field": "id", "oneOf": ids}},
        {
            "lookup": "id",
            "from": {"data": {"values": latest}, "key": "id", "fields": ["OBS_VALUE", "series"]},
        },
    ]
    spec["projection"] = {"type": "mercator"}
    spec["mark"] = {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5}
    spec["encoding"] = {
        "color": {**value_axis, "scale": {"scheme": "blues"}},
        "tooltip": [
            {"field": "properties.name", "title": "REF_AREA"},
            {**value_axis, "format": ",.4~f"},
        ],
    }
    spec["config"]["mark"] = {"invalid": "show"}
    return spec


def heatmap_spec(
    data: list[dict[str, Any]],
    *,
    x: str,
    y: str,
    value: str,
    title: str = "",
    value_title: str = "",
    width: int | str = "container",
    height: int = 420,
) -> dict[str, Any]:
    """A heat map: a cell per (x, y), coloured by `value` (a share from 0 to 1, shown as a
    per cent), the figure written in the cell; a missing cell stays blank."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "width": width,
        "height": height,
        "data": {"values": [{x: str(r[x]), y: str(r[y]), value: r[value]} for r in data]},
        "encoding": {
            "x": {"field": x, "type": "nominal", "title": x, "axis": {"labelAngle": 0}},
            "y": {"field": y, "type": "ordinal", "title": y, "sort": None},
        },
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": value,
                        "type": "quantitative",
                        "title": value_title,
                        "scale": {"domain": [0, 1], "scheme": "blues"},
                        "legend": {"format": ".0%"},
                    },
                    "tooltip": [
                        {"field": x},
                        {"field": y},
                        {"field": value, "type": "quantitative", "format": ".1%"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 8},
                "encoding": {
                    "text": {"field": value, "type": "quantitative", "format": ".0%"},
                    "color": {
                        "condition": {"test": f"datum['{value}'] > 0.6", "value": "white"},
                        "value": "black",
                    },
                },
            },
        ],
    }


@cache
def _atlas() -> dict:
    return json.loads(ATLAS_PATH.read_text(encoding="utf-8"))


def render_svg(spec: dict[str, Any]) -> str:
    """The chart as SVG, rendered on the server by vl-convert (for PDFs): the same spec as the
    page's, with the map's TopoJSON read from the shipped file instead of its URL and a fixed
    width where the page's is the container's."""
    spec = copy.deepcopy(spec)
    if spec.get("width") == "container":
        spec["width"] = 640
    data = spec.get("data") or {}
    if "url" in data and data["url"].endswith(ATLAS.rsplit("/", 1)[-1]):
        spec["data"] = {"values": _atlas(), "format": data["format"]}
    return vl_convert.vegalite_to_svg(spec, vl_version="6.4")
