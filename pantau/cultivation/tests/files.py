"""Real boundary files for the tests: GeoJSON text and zipped Shapefiles written with pyshp."""

import io
import json
import zipfile

import shapefile

WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]'
)


def square(lon: float, lat: float, size: float = 0.5) -> list[list[list[float]]]:
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


# Three made-up areas of Myanmar's Shan State region (a parent and two children).
MM_AREAS = [
    {"code": "MM-X1", "name": "Illustrative North", "parent": "", "ring": square(97.0, 21.0, 2)},
    {
        "code": "MM-X1A",
        "name": "Illustrative North A",
        "parent": "MM-X1",
        "ring": square(97.0, 21.0, 1),
    },
    {
        "code": "MM-X1B",
        "name": "Illustrative North B",
        "parent": "MM-X1",
        "ring": square(98.0, 21.0, 1),
    },
]


def geojson_bytes(areas=MM_AREAS, **extra) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"code": a["code"], "name": a["name"], "parent": a["parent"]},
            "geometry": a.get("geometry") or {"type": "Polygon", "coordinates": a["ring"]},
        }
        for a in areas
    ]
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}).encode()


def shapefile_zip(areas=MM_AREAS, prj: str = WGS84_PRJ) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as writer:
        writer.field("CODE", "C", size=32)
        writer.field("NAME", "C", size=100)
        writer.field("PARENT", "C", size=32)
        for a in areas:
            # Shapefile outer rings run clockwise.
            writer.poly([list(reversed(a["ring"][0]))])
            writer.record(a["code"], a["name"], a["parent"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("areas.shp", shp.getvalue())
        archive.writestr("areas.shx", shx.getvalue())
        archive.writestr("areas.dbf", dbf.getvalue())
        if prj:
            archive.writestr("areas.prj", prj)
    return out.getvalue()
