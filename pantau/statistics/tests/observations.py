"""Statistics written the way countries write them, for the tests of the checks and of
publication: a long CSV imported through the import service."""

import itertools
from pathlib import Path

from pantau.core.actors import SystemActor

from ..ingest import pipeline

COLUMNS = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "PRECURSOR",
    "SEX",
    "NATIONALITY",
    "CROP",
    "UNIT_MEASURE",
    "OBS_VALUE",
]
_files = itertools.count(1)


def row(area: str, period, indicator: str, unit: str, value, **dims: str) -> dict[str, str]:
    """One observation; dimensions by their SDMX column, e.g. row(..., SEX="F")."""
    return {
        "REF_AREA": area,
        "TIME_PERIOD": str(period),
        "INDICATOR": indicator,
        "UNIT_MEASURE": unit,
        "OBS_VALUE": str(value),
        **{k.upper(): v for k, v in dims.items()},
    }


def import_rows(user, folder: Path, rows: list[dict[str, str]], **options):
    """Import `rows` as `user` (a user, or None for the operator with every right)."""
    path = folder / f"observations-{next(_files)}.csv"
    lines = [",".join(COLUMNS)]
    lines += [",".join(r.get(c, "") for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pipeline.run_import(
        acting_user=user or SystemActor("test operator"), path=path, system=user is None, **options
    )
    assert result.ok, [p.as_dict() for p in result.problems]
    return result


def history(area: str, indicator: str, unit: str, values: dict[int, float], **dims: str):
    """Rows of one series over several years: {2015: 100, 2016: 110, ...}."""
    return [row(area, year, indicator, unit, v, **dims) for year, v in values.items()]
