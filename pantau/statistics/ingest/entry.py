"""The data-entry forms of the ADMN questionnaire: a Member State's figures for one year, one
indicator group at a time, in grids shaped like the paper forms (drugs x unit, offence x sex).

Saving goes through `save_entry`: every filled cell becomes a row of the exchange format,
checked by the imports' own RowValidator (codes, units, numbers, periods, the Member State),
and the good ones are written like an import: in one transaction, the replaced values kept in
their history, one audit event. Published values are shown and kept read-only."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied

from .. import permissions
from ..checks.outliers import modified_z_test
from ..checks.tasks import schedule_checks
from ..choices import DIMENSIONS, TOTAL, DataStatus, IndicatorGroup, UnitKind
from ..locks import lock_country_year
from ..models import Code, DataValue, DataValueHistory, Indicator, IndicatorBound, Unit
from ..read.display import figure
from ..snapshot import Structure
from .readers import cell_text
from .validation import Observation, RowValidator

FIELD_OF_COLUMN = {d.column: d.field for d in DIMENSIONS}
SEX_COLUMNS = ("F", "M", TOTAL)
# What a form writes on a value; the other fields (source, comment, status) stay as they are.
WRITTEN_FIELDS = ("obs_value", "reported_unit", "reported_value")


@dataclass(frozen=True)
class GridSpec:
    """One grid of a form: the indicator, the dimension whose codes are its rows (None: a
    single total row) and its columns: one per unit kind the indicator accepts (a quantity
    and its unit), or `by_sex`: female, male and the total, which is computed when left
    empty and checked when given."""

    indicator: str
    rows: str | None = None
    by_sex: bool = False
    total_row: bool = False  # a last row for the total (_T) over the row dimension


ENTRY_GROUPS: dict[str, tuple[GridSpec, ...]] = {
    IndicatorGroup.SEIZURES: (GridSpec("DRUG_SEIZURE", rows="DRUG"),),
    IndicatorGroup.ARRESTS_CASES: (
        GridSpec("DRUG_ARREST", rows="OFFENCE", by_sex=True, total_row=True),
        GridSpec("DRUG_CASE", rows="OFFENCE", total_row=True),
        GridSpec("DRUG_OPERATION"),
    ),
    IndicatorGroup.PRECURSORS: (
        GridSpec("PRECURSOR_SEIZURE", rows="PRECURSOR"),
        GridSpec("PRECURSOR_CASE", rows="PRECURSOR", total_row=True),
        GridSpec("PHARMA_DIVERSION", rows="PRECURSOR", total_row=True),
    ),
    IndicatorGroup.LABORATORIES: (GridSpec("CLANDESTINE_LAB", rows="DRUG", total_row=True),),
    IndicatorGroup.CULTIVATION: (
        GridSpec("CULTIVATION_AREA", rows="CROP", total_row=True),
        GridSpec("ERADICATION_AREA", rows="CROP", total_row=True),
    ),
    IndicatorGroup.TREATMENT: (
        GridSpec("TREATMENT_ADMISSION", rows="DRUG", by_sex=True, total_row=True),
        GridSpec("DRUG_USER", rows="DRUG", by_sex=True, total_row=True),
    ),
}


@dataclass
class EntryCell:
    """One figure of a grid: its key, the value stored for it and what the form shows or
    was sent. Field names are `<stem>.value`, `<stem>.unit` and `<stem>.version`."""

    stem: str
    label: str  # "<row>, <column>", for screen readers and messages
    dims: dict[str, str]  # every dimension field of DataValue -> code
    unit_kind: str
    units: list[tuple[str, str]]  # (code, name) of the units of its kind
    stored: DataValue | None
    value: str = ""
    unit: str = ""
    version: int = 0
    error: str = ""
    computed: bool = False  # the total of a by-sex row: F + M when left empty
    placeholder: str = ""
    # Beside the input: last year's value and the plausible range, in the canonical unit
    # (`canonical`) of the cell's kind; `factors` converts each unit to it, for the page's
    # script that warns as the user types.
    canonical: str = ""
    factors: dict[str, str] = field(default_factory=dict)
    last_year: float | None = None
    low: float | None = None
    high: float | None = None
    range_basis: str = ""  # "history", "bound" or both

    @property
    def factor(self) -> str:
        return self.factors.get(self.unit, "1")

    @property
    def unit_options(self) -> list[tuple[str, str, str]]:
        return [(code, name, self.factors.get(code, "1")) for code, name in self.units]

    @property
    def last_year_text(self) -> str:
        return figure(self.last_year)

    @property
    def range_text(self) -> str:
        if self.low is None and self.high is None:
            return ""
        if self.high is None:
            return _("at least %(low)s") % {"low": _rounded(self.low)}
        if self.low is None:
            return _("at most %(high)s") % {"high": _rounded(self.high)}
        return _("%(low)s to %(high)s") % {"low": _rounded(self.low), "high": _rounded(self.high)}

    def outside(self, canonical_value: float | None) -> bool:
        """Far outside the plausible range (the outlier test's, the indicator's bounds)."""
        if canonical_value is None:
            return False
        return (self.low is not None and canonical_value < self.low) or (
            self.high is not None and canonical_value > self.high
        )

    @property
    def warning(self) -> str:
        """A stored value far outside its plausible range, said beside it."""
        if self.stored is None or not self.outside(self.stored.obs_value):
            return ""
        return range_warning(self, self.stored.obs_value)

    @property
    def readonly(self) -> bool:
        return self.stored is not None and self.stored.status == DataStatus.PUBLISHED

    @property
    def unit_name(self) -> str:
        return dict(self.units).get(self.unit, self.unit)


@dataclass
class EntryRow:
    code: str
    label: str
    cells: list[EntryCell]
    error: str = ""


@dataclass
class EntryGrid:
    spec: GridSpec
    indicator: Indicator
    columns: list[tuple[str, str]]  # (unit kind or sex code, label)
    rows: list[EntryRow]
    row_title: str = ""  # the name of the rows' codelist

    @property
    def cells(self):
        return (cell for row in self.rows for cell in row.cells)


@dataclass
class EntryResult:
    grids: list[EntryGrid]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: int = 0
    warnings: list[str] = field(default_factory=list)  # saved, but far outside the range

    @property
    def ok(self) -> bool:
        return self.problems == 0


class FormStatus(models.TextChoices):
    """Where a form of a Member State's year stands, for the entry index."""

    EMPTY = "empty", _("Empty")
    DRAFT = "draft", _("Draft")  # some indicators of the form have values, not all
    COMPLETE = "complete", _("Complete")  # every indicator has a value; drafts among them
    PUBLISHED = "published", _("Published")  # values, none a draft


def form_statuses(user, ref_areas: Iterable[str], years: Iterable[int]) -> dict[tuple, FormStatus]:
    """{(ref_area, year, group): status} of every form, as `user` may see its values: one
    query, counted in the database (each indicator's values per area and year, and how many
    are drafts)."""
    areas, wanted = list(ref_areas), list(years)
    counted = (
        DataValue.objects.restrict(user)
        .filter(ref_area__in=areas, year__in=wanted)
        .exclude(time_period__contains="-")
        .order_by()
        .values_list("ref_area", "year", "indicator__code")
        .annotate(n=Count("id"), drafts=Count("id", filter=Q(status=DataStatus.DRAFT)))
    )
    found: dict[tuple, tuple[int, int]] = {
        (area, year, code): (n, drafts) for area, year, code, n, drafts in counted
    }
    statuses = {}
    for area in areas:
        for year in wanted:
            for group, specs in ENTRY_GROUPS.items():
                filled = [found[k] for s in specs if (k := (area, year, s.indicator)) in found]
                if not filled:
                    status = FormStatus.EMPTY
                elif not any(drafts for _n, drafts in filled):
                    status = FormStatus.PUBLISHED
                elif len(filled) == len(specs):
                    status = FormStatus.COMPLETE
                else:
                    status = FormStatus.DRAFT
                statuses[(area, year, group)] = status
    return statuses


def entry_years(structure: Structure | None = None) -> range:
    structure = structure or Structure.load()
    return range(structure.first_year, structure.last_year + 1)


def build_grids(ref_area: str, year: int, group: str, *, lock: bool = False) -> list[EntryGrid]:
    """The grids of a form, filled with the values stored for `ref_area` and `year` (locked
    for update when `lock`). A grid whose indicator or dimensions the metadata no longer has
    is left out."""
    specs = ENTRY_GROUPS[group]
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=[s.indicator for s in specs]).prefetch_related(
            "dimensions"
        )
    }
    units: dict[str, list[tuple[str, str]]] = {}
    canonical: dict[str, str] = {}
    factors: dict[str, dict[str, str]] = {}
    unit_names: dict[str, str] = {}
    for unit in Unit.objects.all():
        units.setdefault(unit.kind, []).append((unit.code, unit.name))
        factors.setdefault(unit.kind, {})[unit.code] = format(unit.factor.normalize(), "f")
        unit_names[unit.code] = re.sub(r"\s*\(.*\)$", "", unit.name).lower()
        if unit.is_canonical:
            canonical[unit.kind] = unit.code
    codes: dict[str, list[Code]] = {}
    parents: set[int] = set()
    for code in Code.objects.select_related("codelist").order_by("order", "code"):
        codes.setdefault(code.codelist.code, []).append(code)
        if code.parent_id:
            parents.add(code.parent_id)
    values = DataValue.objects.filter(
        ref_area=ref_area,
        time_period=str(year),
        indicator__in=[i.pk for i in indicators.values()],
    ).select_related("updated_by")
    if lock:
        values = values.select_for_update(of=("self",))
    stored = {
        (v.indicator_id, tuple(getattr(v, d.field) for d in DIMENSIONS), v.unit_kind): v
        for v in values
    }

    earlier = _earlier_values(ref_area, year, [i.pk for i in indicators.values()])
    bounds = _bounds(ref_area, [i.pk for i in indicators.values()])

    grids = []
    for spec in specs:
        indicator = indicators.get(spec.indicator)
        if indicator is None:
            continue
        dimensions = {c.code for c in indicator.dimensions.all()}
        row_list = _row_codelist(spec, dimensions)
        if row_list is False or (spec.by_sex and "SEX" not in dimensions):
            continue
        assert row_list is None or isinstance(row_list, str)
        row_field = FIELD_OF_COLUMN[spec.rows] if spec.rows else None
        labels = {c.code: c.name for c in codes.get("SEX", [])}
        if spec.by_sex:
            kind = indicator.unit_kinds[0]
            columns = [(sex, labels.get(sex, sex)) for sex in SEX_COLUMNS]
        else:
            columns = [(kind, _kind_label(kind)) for kind in indicator.unit_kinds]
        row_codes: list[tuple[str, str]] = []
        if row_field and row_list:
            used = {key[1][_DIM_INDEX[row_field]] for key in stored if key[0] == indicator.pk}
            row_codes = [
                (c.code, c.name)
                for c in codes.get(row_list, [])
                if c.code != TOTAL and (c.pk not in parents or c.code in used)
            ]
        if not row_field or spec.total_row:
            row_codes.append((TOTAL, "Total"))
        rows = []
        for row_code, row_label in row_codes:
            cells = []
            for column, column_label in columns:
                dims = {d.field: TOTAL for d in DIMENSIONS}
                if row_field:
                    dims[row_field] = row_code
                kind = column
                if spec.by_sex:
                    dims["sex"] = column
                    kind = indicator.unit_kinds[0]
                value = stored.get((indicator.pk, tuple(dims.values()), kind))
                cell = EntryCell(
                    stem=f"{indicator.code}.{row_code}.{column}",
                    label=f"{row_label}, {column_label}",
                    dims=dims,
                    unit_kind=kind,
                    units=units.get(kind, []),
                    stored=value,
                    unit=canonical.get(kind, ""),
                    computed=spec.by_sex and column == TOTAL,
                    canonical=unit_names.get(canonical.get(kind, ""), canonical.get(kind, "")),
                    factors=factors.get(kind, {}),
                )
                _plausible(cell, earlier.get((indicator.pk, tuple(dims.values()), kind), {}), year)
                _bounded(cell, bounds.get(indicator.pk, []))
                if value is not None:
                    cell.value = grouped(cell_text(value.reported_value))
                    cell.unit = value.reported_unit
                    cell.version = value.version
                cells.append(cell)
            rows.append(EntryRow(row_code, row_label, cells))
        titles = codes.get(row_list or "", [])
        grid = EntryGrid(
            spec, indicator, columns, rows, row_title=titles[0].codelist.name if titles else ""
        )
        _suggest_totals(grid)
        grids.append(grid)
    return grids


_DIM_INDEX = {d.field: i for i, d in enumerate(DIMENSIONS)}


def grid_title(cell: EntryCell) -> str:
    return cell.label


def _row_codelist(spec: GridSpec, dimensions: set[str]) -> str | bool | None:
    """The codelist of the rows; None for a single total row; False if the indicator is not
    broken down by it (the metadata changed)."""
    if spec.rows is None:
        return None
    codelist = next(d.codelist for d in DIMENSIONS if d.column == spec.rows)
    return codelist if codelist in dimensions else False


def _kind_label(kind: str) -> str:
    return str(UnitKind(kind).label)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        return None
    return value if value.is_finite() else None


def _suggest_totals(grid: EntryGrid) -> None:
    """Show F + M as the placeholder of an empty total."""
    if not grid.spec.by_sex:
        return
    for row in grid.rows:
        female, male, total = row.cells
        f, m = _number(female.value), _number(male.value)
        if not total.value and f is not None and m is not None:
            total.placeholder = grouped(_plain(f + m))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- thousands separators --------------------------------------------------------------------

_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+)(\.\d+)?")


def grouped(text: str) -> str:
    """A plain number as people read it: "361000000" -> "361,000,000" (the decimals and any
    other text unchanged)."""
    match = re.fullmatch(r"([+-]?)(\d+)(\.\d+)?", text)
    if not match:
        return text
    return f"{match[1]}{int(match[2]):,}{match[3] or ''}"


def ungrouped(text: str) -> str:
    """The number typed with thousands separators (a comma, a space, a thin space) as the
    import reads it: "361,000,000" -> "361000000". Anything else is left for the validation
    to judge ("1,5" stays, and is refused as not a number)."""
    match = _GROUPED.fullmatch(text)
    if not match:
        return text
    return match[1] + re.sub(r"\D", "", match[2]) + (match[3] or "")


# --- the plausible range ----------------------------------------------------------------------


def _earlier_values(ref_area: str, year: int, indicator_ids: list[int]) -> dict[tuple, dict]:
    """{(indicator, dimensions, unit kind): {year: canonical value}} of the state's earlier
    years, as reported (not derived): one query."""
    rows = (
        DataValue.objects.filter(
            ref_area=ref_area, year__lt=year, indicator__in=indicator_ids, is_derived=False
        )
        .exclude(time_period__contains="-")
        .order_by()
        .values_list(
            "indicator_id", *(d.field for d in DIMENSIONS), "unit_kind", "year", "obs_value"
        )
    )
    earlier: dict[tuple, dict] = {}
    for row in rows:
        earlier.setdefault((row[0], tuple(row[1:-3]), row[-3]), {})[row[-2]] = row[-1]
    return earlier


def _rounded(x: float | None) -> str:
    """A limit of the range as people read it: whole numbers from 100 up."""
    if x is None:
        return ""
    return figure(round(x)) if abs(x) >= 100 else figure(float(f"{x:.3g}"))


def _bounds(ref_area: str, indicator_ids: list[int]) -> dict[int, list[IndicatorBound]]:
    found: dict[int, list[IndicatorBound]] = {}
    for bound in IndicatorBound.objects.filter(
        indicator__in=indicator_ids, ref_area__in=["", ref_area]
    ):
        found.setdefault(bound.indicator_id, []).append(bound)
    return found


def _plausible(cell: EntryCell, history: dict[int, float], year: int) -> None:
    """Last year's value, and the range the outlier test accepts (the checks' own test:
    modified z-score over the previous years)."""
    if not history:
        return
    cell.last_year = history.get(year - 1)
    test = modified_z_test(0.0, history.values())
    if test is not None:
        cell.low, cell.high, cell.range_basis = test.lower, test.upper, "history"


def _bounded(cell: EntryCell, bounds: list[IndicatorBound]) -> None:
    """The indicator's bound, its most specific one (the state's over every state's, the
    unit kind's over every kind's), narrows the range."""
    applicable = [b for b in bounds if b.unit_kind in ("", cell.unit_kind)]
    if not applicable:
        return
    bound = max(applicable, key=lambda b: (bool(b.ref_area), bool(b.unit_kind)))
    if bound.minimum is not None:
        cell.low = bound.minimum if cell.low is None else max(cell.low, bound.minimum)
    if bound.maximum is not None:
        cell.high = bound.maximum if cell.high is None else min(cell.high, bound.maximum)
    cell.range_basis = "history and bound" if cell.range_basis else "bound"


def range_warning(cell: EntryCell, canonical_value: float) -> str:
    return _(
        "%(value)s %(unit)s is far outside the plausible range %(range)s %(unit)s: check the "
        "figure and its unit."
    ) % {"value": figure(canonical_value), "unit": cell.canonical, "range": cell.range_text}


# --- saving ------------------------------------------------------------------------------------


def save_entry(
    *, acting_user: Actor, ref_area: str, year: int, group: str, data: Mapping[str, str]
) -> EntryResult:
    """Save the cells of a form sent back (`data`: the posted fields). Every filled cell is
    checked first; if any has a problem nothing is written and the grids come back with the
    problems on their cells and rows. Otherwise one transaction creates and updates the
    values (the replaced ones go to their history) and records one audit event. Cells of
    published values are never changed; a cell saved by someone else since the form was
    opened is a conflict; an empty total of a by-sex row is computed as F + M, and a total
    that differs from F + M is refused."""
    if not permissions.can_enter_values(acting_user, ref_area):
        raise PermissionDenied("Only the Member State's focal points and approvers enter its data")
    if group not in ENTRY_GROUPS:
        raise ValueError(f"No data-entry form {group!r}")
    validator = RowValidator(Structure.load(), frozenset({ref_area}))
    with transaction.atomic():
        lock_country_year(ref_area, year)  # imports of the same country-year wait
        grids = build_grids(ref_area, year, group, lock=True)
        result = EntryResult(grids)
        filled: list[tuple[EntryCell, EntryGrid]] = []
        for grid in grids:
            for row in grid.rows:
                for cell in row.cells:
                    if _take_posted(cell, data):
                        filled.append((cell, grid))
                if grid.spec.by_sex:
                    _check_sexes(row)
        observations: list[tuple[EntryCell, Observation]] = []
        for line, (cell, grid) in enumerate(filled, start=1):
            if cell.error or not cell.value:
                continue
            observation, problems = validator.validate(
                line, _exchange_row(ref_area, year, grid, cell)
            )
            if problems:
                cell.error = "; ".join(
                    p.message if p.column in ("OBS_VALUE", "") else f"{p.column}: {p.message}"
                    for p in problems
                )
                continue
            assert observation is not None
            observations.append((cell, observation))
        result.problems = sum(bool(cell.error) for grid in grids for cell in grid.cells) + sum(
            bool(row.error) for grid in grids for row in grid.rows
        )
        if result.problems:
            return result
        _write(acting_user, ref_area, year, group, observations, result)
    return result


def _take_posted(cell: EntryCell, data: Mapping[str, str]) -> bool:
    """Put what was sent for `cell` on it; False when nothing is to be saved for it (a
    published value, a cell not in the form, an empty cell that holds no value)."""
    if cell.readonly:
        return False
    posted = data.get(f"{cell.stem}.value")
    if posted is None:
        return False
    sent_version = data.get(f"{cell.stem}.version", "0")
    cell.value = ungrouped(posted.strip())
    unit = (data.get(f"{cell.stem}.unit") or "").strip()
    if unit:
        cell.unit = unit
    stored = cell.stored
    current = stored.version if stored is not None else 0
    if str(current) != sent_version.strip():
        who = stored.updated_by if stored is not None and stored.updated_by else "somebody else"
        now = f"{cell_text(stored.reported_value)} {stored.reported_unit}" if stored else "empty"
        cell.error = (
            f"changed by {who} since this form was opened (now: {now}); check and save again"
        )
        cell.version = current
        return True
    if not cell.value and stored is not None and not cell.computed:
        cell.error = "a saved value cannot be emptied here: enter the corrected figure (0 for none)"
    return bool(cell.value) or stored is not None or cell.computed


def _check_sexes(row: EntryRow) -> None:
    """F + M against the total: computed when the total is left empty, refused when both are
    given and differ."""
    female, male, total = row.cells
    f, m = _number(female.value), _number(male.value)
    if f is None or m is None or female.error or male.error or total.error:
        return
    t = _number(total.value)
    if not total.value and not total.readonly:
        total.value = _plain(f + m)
    elif t is not None and t != f + m:
        row.error = (
            f"female + male = {_plain(f + m)} but the total is {_plain(t)}: correct the "
            "figures, or empty the total to have it computed"
        )


def _exchange_row(ref_area: str, year: int, grid: EntryGrid, cell: EntryCell) -> dict[str, str]:
    """The cell as a row of the long exchange format, for the import's validation."""
    stored = cell.stored
    row = {
        "REF_AREA": ref_area,
        "TIME_PERIOD": str(year),
        "INDICATOR": grid.indicator.code,
        "UNIT_MEASURE": cell.unit,
        "OBS_VALUE": cell.value,
        "OBS_STATUS": stored.obs_status if stored is not None else "",
        "COMMENT": stored.comment if stored is not None else "",
    }
    for dim in DIMENSIONS:
        row[dim.column] = cell.dims[dim.field]
    return row


def _write(
    acting_user,
    ref_area: str,
    year: int,
    group: str,
    observations: list[tuple[EntryCell, Observation]],
    result: EntryResult,
) -> None:
    now = timezone.now()
    new: list[DataValue] = []
    changed: list[tuple] = []  # (pk, *WRITTEN_FIELDS, new version)
    history: list[DataValueHistory] = []
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for cell, obs in observations:
        stored = cell.stored
        label = f"{cell.stem} {obs.unit_kind}"
        if cell.outside(obs.obs_value) and (stored is None or stored.obs_value != obs.obs_value):
            result.warnings.append(f"{grid_title(cell)}: {range_warning(cell, obs.obs_value)}")
        if stored is None:
            new.append(
                DataValue(
                    **obs._asdict(), status=DataStatus.DRAFT, updated_at=now, updated_by=acting_user
                )
            )
            after[label] = f"{obs.reported_value:g} {obs.reported_unit}"
            continue
        if not stored.is_derived and all(
            getattr(stored, name) == getattr(obs, name) for name in WRITTEN_FIELDS
        ):
            result.unchanged += 1
            continue
        history.append(
            DataValueHistory(
                value=stored,
                version=stored.version,
                obs_value=stored.obs_value,
                reported_unit=stored.reported_unit,
                reported_value=stored.reported_value,
                obs_status=stored.obs_status,
                comment=stored.comment,
                source=stored.source,
                status=stored.status,
                is_derived=stored.is_derived,
                data_import_id=stored.data_import_id,
                updated_at=stored.updated_at,
                updated_by_id=stored.updated_by_id,
                replaced_at=now,
            )
        )
        before[label] = f"{stored.reported_value:g} {stored.reported_unit}"
        # The row is locked (build_grids(lock=True)): its version is the one compared.
        changed.append(
            (stored.pk, *(getattr(obs, name) for name in WRITTEN_FIELDS), stored.version + 1)
        )
        after[label] = f"{obs.reported_value:g} {obs.reported_unit}"
        result.updated += 1
    # A full form is a few hundred cells: the replaced values, the changes and the new values
    # are written in a statement each, not two statements per cell.
    DataValueHistory.objects.bulk_create(history)
    _update_values(changed, now, acting_user.pk)
    DataValue.objects.bulk_create(new)
    result.created = len(new)
    if result.created or result.updated:
        record(
            actor=acting_user,
            action="statistics.entry.save",
            object_type="statistics.entry",
            object_id=f"{ref_area}/{year}/{group}",
            object_repr=f"{ref_area} {year}: {IndicatorGroup(group).label}",
            member_state=ref_area,
            before=before,
            after=after | {"created": result.created, "updated": result.updated},
        )
        # Values typed in a form are checked like imported ones (rules, outliers), after commit.
        schedule_checks(ref_areas=[ref_area], periods=[str(year)])


UPDATE_CHUNK = 500  # rows a statement: 5 parameters each, far below SQLite's limit


def _update_values(changed: list[tuple], now, acting_user_id: int) -> None:
    """Write the changed values (`(pk, *WRITTEN_FIELDS, new version)`) in one UPDATE ... FROM
    (VALUES ...) a chunk, on SQLite (3.33+) and PostgreSQL alike. Django's `bulk_update`
    builds a CASE per field and row: for a full form its Python cost was most of the save."""
    if not changed:
        return
    meta = DataValue._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column = {f.name: quote(f.column) for f in meta.concrete_fields if f.column}
    # VALUES' columns are column1, column2, ... on both databases.
    assignments = [
        *(f"{column[name]} = v.column{i}" for i, name in enumerate(WRITTEN_FIELDS, start=2)),
        f"{column['version']} = v.column{len(WRITTEN_FIELDS) + 2}",
        f"{column['is_derived']} = %s",
        f"{column['data_import']} = NULL",
        f"{column['updated_at']} = %s",
        f"{column['updated_by']} = %s",
    ]
    row = "(" + ", ".join(["%s"] * (len(WRITTEN_FIELDS) + 2)) + ")"
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(changed), UPDATE_CHUNK):
            chunk = changed[start : start + UPDATE_CHUNK]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608  # nosec B608
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {table}.{column['id']} = v.column1",
                [False, when, acting_user_id, *(v for values in chunk for v in values)],
            )
            if cursor.rowcount != len(chunk):
                raise RuntimeError("a locked value of the form was not found to update")
