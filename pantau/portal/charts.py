"""Vega-Lite specs of the portal's charts, built from the same rows as the data table shown
beside each chart. Rendered in the browser by vega-embed (static/portal/portal.js) with the
expression interpreter: the site's CSP has no unsafe-eval."""

from django.templatetags.static import static

from . import names
from .reads import Series, StateYearTable

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
COLOUR = "#0b5cad"


def trend(series: Series, title: str) -> dict:
    """A line over the years of one series."""
    unit = names.unit_label(series.unit)
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "height": 220,
        "data": {"values": [{"year": str(p.year), "value": p.value} for p in series.points]},
        "mark": {"type": "line", "point": True, "color": COLOUR},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": unit},
        },
    }


def region_map(table: StateYearTable, year: int, title: str) -> dict:
    """The Member States shaded by their value in `year` (world-atlas TopoJSON, shipped)."""
    index = table.years.index(year)
    values = [
        {"id": names.ISO_NUMERIC[area], "name": names.country_name(area), "value": cells[index]}
        for area, cells in table.rows
        if area in names.ISO_NUMERIC and cells[index] is not None
    ]
    ids = sorted(names.ISO_NUMERIC.values())
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "height": 320,
        "data": {
            "url": static("vendor/world-atlas/countries-50m.json"),
            "format": {"type": "topojson", "feature": "countries"},
        },
        "transform": [
            {"filter": {"field": "id", "oneOf": ids}},
            {
                "lookup": "id",
                "from": {"data": {"values": values}, "key": "id", "fields": ["name", "value"]},
            },
        ],
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "color": {
                "field": "value",
                "type": "quantitative",
                "title": names.unit_label(table.unit),
                "scale": {"scheme": "blues"},
            }
        },
    }
