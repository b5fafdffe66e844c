"""Reading and checking a boundary file: GeoJSON (a FeatureCollection) or a zipped Shapefile,
each feature an administrative area with `code`, `name`, optional `parent` (a code in the same
file) and a Polygon or MultiPolygon in longitude, latitude order (WGS 84). Pure functions, run
by the worker inside a bounded child process (tasks.py); nothing here touches the database.

Every problem is reported with its feature's number (1 = the first feature; 0 = the file as a
whole) and the field, and a file with any problem loads nothing."""

import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import shapefile
import shapely
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

# Larger files are refused before they are read (the upload limit of the site is lower still).
MAX_FILE_BYTES = 50 * 1024 * 1024
# What a zipped Shapefile may inflate to, and how many areas a file may hold.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_FEATURES = 5000
# Degrees by which an area may pass its country's bounding box (coastlines, islands).
EXTENT_MARGIN = 0.5
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")

# Bounding boxes of the Member States (longitude min, latitude min, longitude max, latitude
# max), from Natural Earth's 1:50m countries, rounded outwards.
COUNTRY_EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "BN": (114.0, 4.0, 115.4, 5.1),
    "KH": (102.3, 10.4, 107.7, 14.7),
    "ID": (95.0, -11.0, 141.1, 6.1),
    "LA": (100.0, 13.9, 107.7, 22.5),
    "MY": (99.6, 0.8, 119.3, 7.4),
    "MM": (92.1, 9.6, 101.2, 28.6),
    "PH": (116.9, 4.5, 126.7, 21.2),
    "SG": (103.6, 1.15, 104.1, 1.48),
    "TH": (97.3, 5.6, 105.7, 20.5),
    "VN": (102.1, 8.2, 109.5, 23.4),
    "TL": (124.0, -9.5, 127.4, -8.1),
}
POLYGONAL = {"Polygon", "MultiPolygon"}
GEOGRAPHIC_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}


@dataclass
class Problem:
    feature: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"feature": self.feature, "field": self.field, "message": self.message}


@dataclass
class ParsedArea:
    feature: int
    code: str
    name: str
    parent_code: str
    level: int
    geometry: str  # GeoJSON geometry text


@dataclass
class Parsed:
    areas: list[ParsedArea] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _FileProblem(Exception):
    pass


def parse_boundary_file(path: Path, country: str) -> Parsed:
    """Read and check the file at `path` for the Member State `country` (ISO code)."""
    parsed = Parsed()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _FileProblem(
                f"the file is {size / 1024 / 1024:,.0f} MB; at most "
                f"{MAX_FILE_BYTES // 1024 // 1024:,} MB is read (simplify the boundaries)"
            )
        with open(path, "rb") as fh:
            magic = fh.read(4)
        features = _shapefile(path) if magic.startswith(b"PK") else _geojson(path)
    except _FileProblem as exc:
        parsed.problems.append(Problem(0, "", str(exc)))
        return parsed
    if not features:
        parsed.problems.append(Problem(0, "", "the file holds no feature"))
        return parsed
    if len(features) > MAX_FEATURES:
        parsed.problems.append(
            Problem(0, "", f"the file holds {len(features):,} features; at most {MAX_FEATURES:,}")
        )
        return parsed
    extent = COUNTRY_EXTENTS.get(country)
    first_with: dict[str, int] = {}
    for number, (properties, geometry) in enumerate(features, start=1):
        area = _check_feature(number, properties, geometry, extent, country, parsed.problems)
        if area is None:
            continue
        if area.code in first_with:
            parsed.problems.append(
                Problem(
                    number,
                    "code",
                    f"{area.code!r} is already the code of feature {first_with[area.code]}",
                )
            )
            continue
        first_with[area.code] = number
        parsed.areas.append(area)
    _check_parents(parsed)
    if parsed.problems:
        parsed.areas = []
    return parsed


def _text(properties: dict, name: str) -> str:
    """A property by its name in any case (Shapefile fields are often upper case)."""
    for key, value in properties.items():
        if str(key).lower() == name and value is not None:
            return str(value).strip()
    return ""


def _check_feature(
    number: int,
    properties: dict,
    geometry: dict | None,
    extent: tuple[float, float, float, float] | None,
    country: str,
    problems: list[Problem],
) -> ParsedArea | None:
    found = len(problems)
    code = _text(properties, "code")
    name = _text(properties, "name")
    parent = _text(properties, "parent")
    if not code:
        problems.append(Problem(number, "code", "empty: every area has a code"))
    elif not CODE_PATTERN.match(code):
        problems.append(
            Problem(
                number,
                "code",
                f"{code[:40]!r} is not a code: letters, digits, '_', '.' or '-', at most 32",
            )
        )
    if not name:
        problems.append(Problem(number, "name", "empty: every area has a name"))
    elif len(name) > 200:
        problems.append(Problem(number, "name", "longer than 200 characters"))
    if parent and parent == code:
        problems.append(Problem(number, "parent", "an area is not its own parent"))
    geom = None
    if not geometry:
        problems.append(Problem(number, "geometry", "missing: every area has a boundary"))
    elif geometry.get("type") not in POLYGONAL:
        problems.append(
            Problem(
                number,
                "geometry",
                f"a {geometry.get('type')!s} is not an area: a Polygon or MultiPolygon is",
            )
        )
    else:
        try:
            geom = shape(geometry)
        except (
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            shapely.errors.ShapelyError,
        ) as exc:
            problems.append(Problem(number, "geometry", f"not a valid GeoJSON geometry ({exc})"))
    if geom is not None:
        if geom.is_empty:
            problems.append(Problem(number, "geometry", "empty"))
        elif not geom.is_valid:
            problems.append(
                Problem(
                    number,
                    "geometry",
                    f"invalid: {explain_validity(geom)} (a self-intersecting or "
                    "badly closed ring; repair it in your GIS)",
                )
            )
        elif extent is not None and not _inside(geom.bounds, extent):
            problems.append(
                Problem(number, "geometry", _outside_message(geom.bounds, extent, country))
            )
    if len(problems) > found or geom is None:
        return None
    return ParsedArea(
        feature=number,
        code=code,
        name=name,
        parent_code=parent,
        level=1,
        geometry=json.dumps(mapping(geom), separators=(",", ":")),
    )


def _inside(bounds, extent) -> bool:
    minx, miny, maxx, maxy = bounds
    ex0, ey0, ex1, ey1 = extent
    m = EXTENT_MARGIN
    return minx >= ex0 - m and miny >= ey0 - m and maxx <= ex1 + m and maxy <= ey1 + m


def _outside_message(bounds, extent, country: str) -> str:
    minx, miny, maxx, maxy = bounds
    if _inside((miny, minx, maxy, maxx), extent):
        return (
            "the coordinates are in latitude, longitude order; GeoJSON and Shapefiles put the "
            "longitude first"
        )
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return (
            "the coordinates are not longitude and latitude in degrees (a projected system?); "
            "export the file in WGS 84 (EPSG:4326)"
        )
    ex0, ey0, ex1, ey1 = extent
    return (
        f"lies outside {country} (its extent: longitude {ex0:g} to {ex1:g}, latitude {ey0:g} "
        f"to {ey1:g}; this area: longitude {minx:.3f} to {maxx:.3f}, latitude {miny:.3f} to "
        f"{maxy:.3f})"
    )


def _check_parents(parsed: Parsed) -> None:
    """Every parent is an area of the same file; the levels follow from the parents."""
    by_code = {a.code: a for a in parsed.areas}
    for area in parsed.areas:
        if area.parent_code and area.parent_code not in by_code:
            parsed.problems.append(
                Problem(
                    area.feature,
                    "parent",
                    f"{area.parent_code!r} is not the code of an area in this file",
                )
            )
    if parsed.problems:
        return
    for area in parsed.areas:
        level, seen, current = 1, {area.code}, area
        while current.parent_code:
            current = by_code[current.parent_code]
            if current.code in seen:
                parsed.problems.append(
                    Problem(area.feature, "parent", "the parents go round in a circle")
                )
                break
            seen.add(current.code)
            level += 1
        area.level = level


def _geojson(path: Path) -> list[tuple[dict, dict | None]]:
    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _FileProblem(f"neither a zipped Shapefile nor GeoJSON text ({exc})") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _FileProblem("a GeoJSON file holds a FeatureCollection of the areas")
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if crs and crs not in GEOGRAPHIC_CRS:
        raise _FileProblem(
            f"the coordinates are in {crs}; export the file in WGS 84 longitude, latitude "
            "(EPSG:4326)"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise _FileProblem("the FeatureCollection has no list of features")
    out: list[tuple[dict, dict | None]] = []
    for item in features:
        if not isinstance(item, dict):
            out.append(({}, None))
            continue
        properties = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        geometry = item.get("geometry") if isinstance(item.get("geometry"), dict) else None
        out.append((properties or {}, geometry))
    return out


def _shapefile(path: Path) -> list[tuple[dict, dict | None]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _FileProblem(f"not a readable ZIP archive ({exc})") from exc
    with archive:
        members = {
            Path(info.filename).suffix.lower(): info
            for info in archive.infolist()
            if not info.is_dir() and not Path(info.filename).name.startswith(".")
        }
        shp_count = sum(1 for info in archive.infolist() if info.filename.lower().endswith(".shp"))
        if shp_count != 1:
            raise _FileProblem(
                f"the ZIP archive holds {shp_count} .shp files; a boundary file holds exactly one "
                "Shapefile (.shp, .shx, .dbf and .prj)"
            )
        for suffix in (".shp", ".dbf"):
            if suffix not in members:
                raise _FileProblem(f"the Shapefile's {suffix} part is missing from the archive")
        if sum(info.file_size for info in members.values()) > MAX_UNZIPPED_BYTES:
            raise _FileProblem(
                f"the archive unpacks to more than {MAX_UNZIPPED_BYTES // 1024 // 1024:,} MB"
            )
        if ".prj" in members:
            prj = archive.read(members[".prj"]).decode("latin-1")
            if prj.lstrip().upper().startswith("PROJCS"):
                raise _FileProblem(
                    "the Shapefile is in a projected coordinate system (.prj); export it in "
                    "WGS 84 longitude, latitude (EPSG:4326)"
                )
        parts = {
            s.lstrip("."): io.BytesIO(archive.read(members[s]))
            for s in (".shp", ".shx", ".dbf")
            if s in members
        }
    try:
        reader = shapefile.Reader(**parts)
        out: list[tuple[dict, dict | None]] = []
        for record in reader.iterShapeRecords():
            geometry = None
            if record.shape.shapeType != shapefile.NULL:
                geometry = dict(record.shape.__geo_interface__)
            out.append((record.record.as_dict(), geometry))
    except (shapefile.ShapefileException, ValueError, struct.error) as exc:
        raise _FileProblem(f"the Shapefile cannot be read ({exc})") from exc
    return out
