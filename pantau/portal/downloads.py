"""The portal's downloads: a published data set (an indicator, optionally one Member State) in
the exchange formats of pantau.statistics.exchange.exports (CSV, XLSX, SDMX-ML), and as
SDMX-CSV 2.0. Always read as the public (published values only)."""

import csv
import io
from typing import IO

from pantau.core.spreadsheet_safety import csv_cell
from pantau.statistics.choices import TOTAL
from pantau.statistics.exchange import exports
from pantau.statistics.metadata.sdmx import DATAFLOW_URN_ID, DIMENSION_IDS

from .reads import PUBLIC

# URL suffix -> (exports format or "sdmx-csv", media type)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sdmx.xml": ("sdmx", "application/vnd.sdmx.structurespecificdata+xml; version=2.1"),
    "sdmx.csv": ("sdmx-csv", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"),
}


def public_selection(indicator: str, ref_area: str | None = None) -> exports.Selection:
    """Raises exports.ExportError for an unknown indicator or Member State."""
    return exports.selection(indicators=indicator, ref_areas=ref_area, published_only=True)


def write_sdmx_csv(export: exports.Export, out: IO[str]) -> int:
    """SDMX-CSV 2.0: STRUCTURE, STRUCTURE_ID, ACTION, then every dimension of the ADMN data
    structure (`_T` where the indicator is not broken down by one), OBS_VALUE and the
    attributes; what `pantau import` and SDMX tools read."""
    writer = csv.writer(out, lineterminator="\n")
    columns = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSION_IDS, "OBS_VALUE"]
    writer.writerow([*columns, "OBS_STATUS", "COMMENT"])
    count = 0
    for row in export.rows:
        writer.writerow(
            [
                "dataflow",
                DATAFLOW_URN_ID,
                "I",
                *(csv_cell(row.get(d, TOTAL)) for d in DIMENSION_IDS),
                exports.number_text(row["OBS_VALUE"]),
                csv_cell(row["OBS_STATUS"]),
                csv_cell(row["COMMENT"]),  # a formula-like text gets its apostrophe
            ]
        )
        count += 1
    return count


def write(indicator: str, ref_area: str | None, suffix: str) -> bytes:
    """The file's bytes (held in memory: a published data set is at most a few MB)."""
    chosen = public_selection(indicator, ref_area)
    kind = FORMATS[suffix][0]
    out = io.BytesIO()
    if kind == "sdmx-csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_sdmx_csv(exports.read(PUBLIC, chosen), text)
        text.detach()
    else:
        exports.export(PUBLIC, chosen, kind, out)
    return out.getvalue()


def file_name(indicator: str, ref_area: str | None, suffix: str) -> str:
    return f"pantau-{indicator}{'-' + ref_area if ref_area else ''}.{suffix}"
