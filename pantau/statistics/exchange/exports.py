"""Exporting stored observations in the exchange formats: the long CSV of
docs/architecture.md (which `pantau import` reads back), the same as an Excel workbook
(formula injection neutralised), and an SDMX-ML 2.1 structure-specific data message (sdmx1).

Exports hold the observations as stored, one per row, every dimension of the indicator
spelled out: values derived by Pantau (totals computed from parts) are left out, since they
are computed again from the parts. By default the unit and value the country reported are
written, so that importing an export changes nothing; `units="canonical"` writes every value
in the canonical unit of its kind (kg, litre, unit, ha...)."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Exists, OuterRef

from pantau.core.spreadsheet_safety import csv_cell, is_formula_like
from pantau.members.models import MemberState

from ..choices import DIMENSIONS, TOTAL, DataStatus, Dimension
from ..models import DataValue, Indicator, Unit
from ..read.querysets import QueryError, parse_periods, tokens

FORMATS = ("csv", "xlsx", "sdmx")
UNITS = ("reported", "canonical")
# Characters that make a spreadsheet read a cell as a formula (neutralised on export).
CHUNK = 2000


class ExportError(ValueError):
    """A selection that cannot be exported (an unknown code...)."""


@dataclass(frozen=True)
class Selection:
    """What to export: indicators (None: all), Member States (None: all), periods (None: all,
    years, quarters and months), published values only or every value the reader may see."""

    indicators: tuple[str, ...] | None = None
    ref_areas: tuple[str, ...] | None = None
    periods: tuple[str, ...] | None = None
    published_only: bool = False
    units: str = "reported"


def selection(
    *,
    indicators: str | Iterable[str] | None = None,
    ref_areas: str | Iterable[str] | None = None,
    periods: str | Iterable[str] | None = None,
    published_only: bool = False,
    units: str = "reported",
) -> Selection:
    """A checked Selection from the command line's text (`TH,MY`, `2015:2024`)."""
    wanted = tuple(dict.fromkeys(t.upper() for t in tokens(indicators))) or None
    if wanted:
        known = set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise ExportError(f"unknown indicator {unknown[0]!r}")
    areas = tuple(dict.fromkeys(t.upper() for t in tokens(ref_areas))) or None
    if areas:
        known = set(MemberState.objects.filter(code__in=areas).values_list("code", flat=True))
        unknown = [a for a in areas if a not in known]
        if unknown:
            raise ExportError(
                f"{unknown[0]!r} is not the code of an ASEAN Member State (exports hold "
                "the Member States' observations; regional sums come from the API)"
            )
    if units not in UNITS:
        raise ExportError(f"units: one of {', '.join(UNITS)}")
    try:
        parsed = parse_periods(periods)
    except QueryError as exc:
        raise ExportError(str(exc)) from exc
    return Selection(wanted, areas, parsed, published_only, units)


@dataclass
class Export:
    """The columns of an export and its rows (streamed from the database)."""

    dimensions: tuple[Dimension, ...]
    rows: Iterator[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        return [
            "REF_AREA",
            "TIME_PERIOD",
            "INDICATOR",
            *(d.column for d in self.dimensions),
            "UNIT_MEASURE",
            "OBS_VALUE",
            "OBS_STATUS",
            "COMMENT",
        ]


def read(user, chosen: Selection, *, system: bool = False) -> Export:
    """The observations of `chosen` that `user` may see (`system`: the operator at the command
    line, who sees every value), in a stable order: indicator, area, period, key."""
    values = DataValue.objects.all() if system else DataValue.objects.restrict(user)
    values = values.filter(is_derived=False)
    indicators = Indicator.objects.all()
    if chosen.indicators:
        values = values.filter(indicator__code__in=chosen.indicators)
        indicators = indicators.filter(code__in=chosen.indicators)
    if chosen.ref_areas:
        values = values.filter(ref_area__in=chosen.ref_areas)
    if chosen.periods:
        values = values.filter(time_period__in=chosen.periods)
    if chosen.published_only:
        values = values.filter(status=DataStatus.PUBLISHED)
    if not chosen.indicators:
        # The columns of the indicators exported, not of every indicator.
        indicators = indicators.filter(Exists(values.filter(indicator_id=OuterRef("pk"))))
    used = set(indicators.values_list("dimensions__code", flat=True))
    dimensions = tuple(d for d in DIMENSIONS if d.codelist in used)
    canonical = dict(Unit.objects.filter(is_canonical=True).values_list("kind", "code"))
    fields = [
        "indicator__code",
        "ref_area",
        "time_period",
        *(d.field for d in DIMENSIONS),
        "unit_kind",
        "obs_value",
        "reported_unit",
        "reported_value",
        "obs_status",
        "comment",
    ]
    ordered = values.order_by(
        "indicator__order",
        "indicator__code",
        "ref_area",
        "year",
        "time_period",
        *(d.field for d in DIMENSIONS),
        "unit_kind",
    ).values(*fields)

    def rows() -> Iterator[dict[str, Any]]:
        for v in ordered.iterator(chunk_size=CHUNK):
            if chosen.units == "canonical":
                unit, value = canonical.get(v["unit_kind"], v["reported_unit"]), v["obs_value"]
            else:
                unit, value = v["reported_unit"], v["reported_value"]
            row = {
                "REF_AREA": v["ref_area"],
                "TIME_PERIOD": v["time_period"],
                "INDICATOR": v["indicator__code"],
            }
            for d in dimensions:
                row[d.column] = v[d.field]
            row["UNIT_MEASURE"] = unit
            row["OBS_VALUE"] = value
            row["OBS_STATUS"] = v["obs_status"]
            row["COMMENT"] = v["comment"]
            yield row

    return Export(dimensions, rows())


def number_text(value: float) -> str:
    """A value as the file holds it: 361000000, 1.2 (never 361000000.0 or 1.2e-05)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.17f}".rstrip("0").rstrip(".")
    return text


# --- writers ----------------------------------------------------------------------------------


def write_csv(export: Export, out: IO[str]) -> int:
    """The long CSV of docs/architecture.md, UTF-8, comma separated. Values are written
    exactly: it is the machine exchange format, read back by `pantau import` and SDMX tools.
    It is opened in spreadsheets too: a text that would be taken for a formula (a COMMENT
    starting with =, +, -, @...) is written after an apostrophe (pantau.core.spreadsheet_safety),
    which `pantau import` removes again. OBS_VALUE is a number, never neutralised."""
    writer = csv.writer(out, lineterminator="\n")
    columns = export.columns
    writer.writerow(columns)
    count = 0
    for row in export.rows:
        writer.writerow(
            [number_text(row[c]) if c == "OBS_VALUE" else csv_cell(row[c]) for c in columns]
        )
        count += 1
    return count


def spreadsheet_text(value: str) -> tuple[str, bool]:
    """Text for a cell and whether it needs the quote prefix: a cell starting with = + - @
    is shown and stored as text, never evaluated as a formula. Characters a workbook cannot
    hold (control characters) are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value, is_formula_like(value)


def write_xlsx(export: Export, out: IO[bytes]) -> int:
    """The same rows as the CSV on one sheet named DATA (what `pantau import` reads), written
    in openpyxl's streaming mode. Text is always stored as text (data type "s"): a comment
    such as `=HYPERLINK(...)` stays the comment, marked with the quote prefix as Excel marks
    text typed after an apostrophe."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("DATA")
    columns = export.columns
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in export.rows:
        cells: list[Any] = []
        for name in columns:
            value = row[name]
            if name == "OBS_VALUE":
                cells.append(int(value) if value.is_integer() and abs(value) < 1e15 else value)
                continue
            text, quoted = spreadsheet_text(str(value))
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"  # never a formula, whatever it starts with
            if quoted:
                cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def write_sdmx(export: Export, out: IO[bytes]) -> int:
    """An SDMX-ML 2.1 structure-specific data message: a series per key, observations by
    TIME_PERIOD. Held in memory while written (sdmx1 builds the whole message)."""
    import sdmx
    from sdmx import message
    from sdmx.model import common, v21

    from ..metadata.sdmx import AGENCY_ID, DIMENSION_IDS, TIME_DIMENSION, data_structure

    # The DSD of `pantau` structure exports (every dimension; `_T` where an indicator is not
    # broken down by one), so SDMX tools and `pantau import` read the message against it.
    dsd = data_structure()
    series_dimensions = [d for d in DIMENSION_IDS if d != TIME_DIMENSION]
    time = dsd.dimensions.get(TIME_DIMENSION)
    measure = dsd.measures.get("OBS_VALUE")
    status = dsd.attributes.get("OBS_STATUS")
    comment = dsd.attributes.get("COMMENT")
    grouped: dict[tuple, list] = {}
    count = 0
    for row in export.rows:
        key = tuple(row.get(name, TOTAL) for name in series_dimensions)
        attributes = {"OBS_STATUS": v21.AttributeValue(value=row["OBS_STATUS"], value_for=status)}
        if row["COMMENT"]:
            attributes["COMMENT"] = v21.AttributeValue(value=row["COMMENT"], value_for=comment)
        grouped.setdefault(key, []).append(
            v21.Observation(
                dimension=common.Key(TIME_PERIOD=row["TIME_PERIOD"]),
                value=number_text(row["OBS_VALUE"]),
                value_for=measure,
                attached_attribute=attributes,
            )
        )
        count += 1
    dataset = v21.StructureSpecificDataSet(structured_by=dsd)
    for key, observations in grouped.items():
        series_key = dsd.make_key(
            v21.SeriesKey, dict(zip(series_dimensions, key, strict=True)), extend=False
        )
        dataset.add_obs(observations, series_key)
    data_message = message.DataMessage(
        data=[dataset],
        observation_dimension=time,
        header=message.Header(
            id=f"PANTAU-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S}",
            sender=common.Agency(id=AGENCY_ID),
            prepared=datetime.datetime.now(datetime.UTC),
        ),
    )
    out.write(sdmx.to_xml(data_message, pretty_print=True))
    return count


def export(user, chosen: Selection, format: str, out: IO[bytes], *, system: bool = False) -> int:
    """Write `chosen` in `format` (csv, xlsx, sdmx) to the binary stream `out`; returns the
    number of observations written."""
    if format not in FORMATS:
        raise ExportError(f"format: one of {', '.join(FORMATS)}")
    data = read(user, chosen, system=system)
    if format == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            return write_csv(data, text)
        finally:
            text.detach()
    if format == "xlsx":
        return write_xlsx(data, out)
    return write_sdmx(data, out)
