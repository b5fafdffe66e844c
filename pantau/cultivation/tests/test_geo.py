"""The checks of a boundary file, on real files (GeoJSON text, Shapefiles written by pyshp)."""

import json

from pantau.cultivation.geo import parse_boundary_file

from .files import MM_AREAS, geojson_bytes, shapefile_zip, square


def parse(tmp_path, data: bytes, country="MM", name="areas.geojson"):
    path = tmp_path / name
    path.write_bytes(data)
    return parse_boundary_file(path, country)


def problems(parsed):
    return [(p.feature, p.field) for p in parsed.problems]


def test_a_good_geojson_file_gives_every_area_with_its_level(tmp_path):
    parsed = parse(tmp_path, geojson_bytes())
    assert parsed.problems == []
    assert [(a.code, a.parent_code, a.level) for a in parsed.areas] == [
        ("MM-X1", "", 1),
        ("MM-X1A", "MM-X1", 2),
        ("MM-X1B", "MM-X1", 2),
    ]
    assert json.loads(parsed.areas[0].geometry)["type"] == "Polygon"


def test_a_zipped_shapefile_reads_the_same(tmp_path):
    parsed = parse(tmp_path, shapefile_zip(), name="areas.zip")
    assert parsed.problems == []
    assert [a.code for a in parsed.areas] == ["MM-X1", "MM-X1A", "MM-X1B"]


def test_a_projected_shapefile_is_refused(tmp_path):
    parsed = parse(tmp_path, shapefile_zip(prj='PROJCS["WGS_84_UTM_zone_47N"]'), name="a.zip")
    assert parsed.areas == []
    assert "projected" in parsed.problems[0].message


def test_a_self_intersecting_polygon_is_named_with_its_feature(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[97, 21], [98, 22], [98, 21], [97, 22], [97, 21]]],
    }
    areas = [*MM_AREAS, {"code": "MM-BAD", "name": "Bow tie", "parent": "", "geometry": bowtie}]
    parsed = parse(tmp_path, geojson_bytes(areas))
    assert parsed.areas == []
    assert problems(parsed) == [(4, "geometry")]
    assert "Self-intersection" in parsed.problems[0].message


def test_duplicate_codes_unknown_parents_and_empty_names(tmp_path):
    areas = [
        *MM_AREAS,
        {"code": "MM-X1A", "name": "Again", "parent": "", "ring": square(97, 22)},
        {"code": "MM-X2", "name": "", "parent": "", "ring": square(97, 23)},
        {"code": "MM-X3", "name": "Orphan", "parent": "MM-NONE", "ring": square(97, 24)},
    ]
    parsed = parse(tmp_path, geojson_bytes(areas))
    assert parsed.areas == []
    assert problems(parsed) == [(4, "code"), (5, "name"), (6, "parent")]
    assert "feature 2" in parsed.problems[0].message


def test_swapped_coordinates_and_areas_of_another_country(tmp_path):
    swapped = [[[lat, lon] for lon, lat in square(97.0, 21.0)[0]]]
    areas = [
        {"code": "A", "name": "Swapped", "parent": "", "ring": swapped},
        {"code": "B", "name": "In Indonesia", "parent": "", "ring": square(110.0, -7.0)},
    ]
    parsed = parse(tmp_path, geojson_bytes(areas))
    assert problems(parsed) == [(1, "geometry"), (2, "geometry")]
    assert "latitude, longitude order" in parsed.problems[0].message
    assert "outside MM" in parsed.problems[1].message


def test_not_geojson_and_not_a_feature_collection(tmp_path):
    assert "neither" in parse(tmp_path, b"\x00\x01garbage").problems[0].message
    assert "FeatureCollection" in parse(tmp_path, b'{"type": "Polygon"}').problems[0].message
    crs = {"crs": {"type": "name", "properties": {"name": "EPSG:32647"}}}
    assert "EPSG:32647" in parse(tmp_path, geojson_bytes(**crs)).problems[0].message


def test_a_point_is_not_an_area(tmp_path):
    areas = [
        {
            "code": "P",
            "name": "Point",
            "parent": "",
            "geometry": {"type": "Point", "coordinates": [97, 21]},
        }
    ]
    assert problems(parse(tmp_path, geojson_bytes(areas))) == [(1, "geometry")]
