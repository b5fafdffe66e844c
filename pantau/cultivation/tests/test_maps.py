"""The map spec draws every area (Vega-Lite geoshape, rendered here by vl-convert): exterior
rings clockwise for d3-geo, areas without a figure in grey."""

import json
from types import SimpleNamespace

import vl_convert
from shapely.geometry import shape

from pantau.cultivation.maps import area_map

from .files import MM_AREAS


def areas():
    return [
        SimpleNamespace(
            code=a["code"],
            name=a["name"],
            geometry=json.dumps({"type": "Polygon", "coordinates": a["ring"]}),
        )
        for a in MM_AREAS
    ]


def test_rings_are_clockwise_and_the_spec_renders():
    spec = area_map(areas(), {"MM-X1A": 1200.0}, title="t", legend="Hectares")
    features = spec["data"]["values"]["features"]
    assert all(not shape(f["geometry"]).exterior.is_ccw for f in features)
    assert [f["properties"]["value"] for f in features] == [None, 1200.0, None]
    svg = vl_convert.vegalite_to_svg(json.dumps(spec | {"width": 300}))
    assert svg.count("<path") >= 4 and "Hectares" in svg
