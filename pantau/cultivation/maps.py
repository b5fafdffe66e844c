"""Vega-Lite specs of the cultivation maps, drawn from the stored boundaries (geoshape; no tile
server, no CDN). Every map is shown beside the data table it draws."""

import json
from collections.abc import Iterable

from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from .models import AdminArea


def _for_d3(geometry_text: str) -> dict:
    """The geometry with its exterior rings clockwise: d3-geo (under Vega) draws on the
    sphere, where a counter-clockwise ring (GeoJSON's RFC 7946 order) is the rest of the
    globe."""
    geom = shape(json.loads(geometry_text))
    if isinstance(geom, Polygon):
        geom = orient(geom, sign=-1.0)
    elif isinstance(geom, MultiPolygon):
        geom = MultiPolygon([orient(part, sign=-1.0) for part in geom.geoms])
    return dict(mapping(geom))


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
            {"type": "Feature", "geometry": _for_d3(area.geometry), "properties": properties}
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
        "layer": [
            # Every area, grey: an area without a figure still shows on the map.
            {"mark": {"type": "geoshape", "fill": "#e4e4e4", "stroke": "#333", "strokeWidth": 0.6}},
            {
                "mark": {"type": "geoshape", "stroke": "#333", "strokeWidth": 0.6},
                "encoding": {
                    "color": {
                        "field": "properties.value",
                        "type": "quantitative",
                        "title": legend,
                        "scale": {"scheme": "oranges"},
                    }
                },
            },
        ],
    }
    if values is None:
        spec["layer"] = spec["layer"][:1]
        spec["layer"][0]["mark"]["fill"] = "#cfe3d4"
    return spec
