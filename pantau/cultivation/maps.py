"""Vega-Lite specs of the cultivation maps, drawn from the stored boundaries (geoshape; no tile
server, no CDN). Every map is shown beside the data table it draws."""

import json
from collections.abc import Iterable

from .models import AdminArea


def area_map(
    areas: Iterable[AdminArea],
    values: dict[str, float | None] | None = None,
    *,
    title: str,
    legend: str = "",
) -> dict:
    """A map of `areas`, coloured by `values` (area code -> number) when given."""
    features = []
    for area in areas:
        properties: dict = {"code": area.code, "name": area.name}
        if values is not None:
            properties["value"] = values.get(area.code)
        features.append(
            {"type": "Feature", "geometry": json.loads(area.geometry), "properties": properties}
        )
    spec: dict = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": "container",
        "height": 420,
        "data": {
            "values": {"type": "FeatureCollection", "features": features},
            "format": {"type": "json", "property": "features"},
        },
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "#333", "strokeWidth": 0.6},
        "encoding": {
            "color": (
                {
                    "field": "properties.value",
                    "type": "quantitative",
                    "title": legend,
                    "scale": {"scheme": "oranges"},
                }
                if values is not None
                else {"value": "#cfe3d4"}
            )
        },
    }
    return spec
