"""Reading statistics: observations of one indicator, filtered, grouped and summed in the
database, in one query whatever the number of values.

The rules every answer follows (docs/architecture.md, "Unit kinds are part of the key" and
"A regional figure carries its coverage"):

- Reads start from `DataValue.objects.restrict(user)`: the public sees published values, a
  Member State's focal points and approvers its drafts too, the regional roles everything.
- A dimension that is neither filtered nor grouped by is taken at its total `_T`, never summed
  across its own total and its parts. Where a country reported only the parts of a total, the
  total is derived from them (the top-most reported codes of the hierarchy: METH, or its
  tablets and crystal when METH itself is not reported) and the row says `derived`.
- The unit kind is always part of the key: a row per UNIT_MEASURE (the canonical unit of the
  kind), so tablets are never added to kilograms.
- A sum over Member States (`REF_AREA=ASEAN`, or REF_AREA not grouped) counts the states that
  were members in the period and reported, and says which members did not: a missing report
  is never read as zero.

What the public asks most, an area's or the region's totals per period, is read from
PublishedTotal (kept by totals.refresh_published_totals whenever published values or their
metadata change) instead of being summed again, only when that answer is the one the values
give (`reads_totals`: a reader who sees published values only, no dimension filtered or
grouped by). A request first reads StatisticsState's tokens (one small query, trusted for
VERSIONS_TTL by the process): each process keeps the indicators' structures while the
metadata token is the one it read them with.
"""

import dataclasses
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    StringAgg,
    Sum,
    Value,
    When,
)

from pantau.core.recent import Recent
from pantau.members.models import MemberState

from ..choices import DIMENSIONS, TOTAL, Aggregation, Dimension
from ..models import Code, DataValue, Indicator, PublishedTotal, StatisticsState, Unit
from ..permissions import sees_published_values_only
from ..snapshot import PERIOD, Membership

REGION = "ASEAN"
# Columns that are not dimensions of DataValue but may be grouped by.
AREA, TIME, UNIT = "REF_AREA", "TIME_PERIOD", "UNIT_MEASURE"
DIMENSION_BY_COLUMN: dict[str, Dimension] = {d.column: d for d in DIMENSIONS}
# A request names at most this many periods (a range of years, quarters or months).
MAX_PERIODS = 1200
# Checked requests kept per indicator structure (checked_request); any request may come, so
# the memory is bounded.
MAX_CHECKED = 500
_SEPARATORS = re.compile(r"[+,\s]+")


class QueryError(ValueError):
    """A request that cannot be answered as asked (the API answers 400 with the message)."""


class UnknownIndicator(LookupError):
    """No indicator of that code (the API answers 404)."""


# --- what a query needs to know, read once --------------------------------------------------


@dataclass(frozen=True)
class IndicatorStructure:
    """An indicator with what its queries need: its dimensions, their code hierarchies, the
    canonical unit of each kind and the Member States' membership. Read in four small queries,
    whatever the request."""

    id: int
    code: str
    aggregation: str
    dimensions: tuple[Dimension, ...]  # in DIMENSIONS order
    parents: dict[str, dict[str, str | None]]  # codelist -> code -> parent code
    canonical_units: dict[str, str]  # unit kind -> unit code
    members: dict[str, Membership]  # Member State code -> membership
    # StatisticsState.metadata_token it was read with (see `current`).
    token: str | None = None
    _members_in: dict[str, frozenset[str]] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Requests already checked against this structure (`checked`).
    _checked: dict[tuple, "ObservationQuery"] = dataclasses.field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def checked(
        self,
        filters: dict[str, Sequence[str]] | None,
        ref_areas: str | Iterable[str] | None,
        periods: str | Iterable[str] | None,
        group_by: str | Iterable[str] | None,
    ) -> "ObservationQuery":
        """build_query against this structure, kept: the same request (as strings: the API's,
        the pages') is checked once per metadata version, since a kept structure is replaced
        when the metadata changes. A checked query is never changed (frozen; nothing writes
        its filters). Bounded: any request may come."""
        try:
            key = (
                tuple(
                    (c, v if isinstance(v, str) else tuple(v)) for c, v in (filters or {}).items()
                ),
                ref_areas,
                periods,
                group_by,
            )
            query = self._checked.get(key)
        except TypeError:  # a list somewhere: check it, keep nothing
            return build_query(self, filters, ref_areas, periods, group_by)
        if query is None:
            query = build_query(self, filters, ref_areas, periods, group_by)
            if len(self._checked) >= MAX_CHECKED:
                self._checked.clear()
            self._checked[key] = query
        return query

    @classmethod
    def current(cls, code: str, versions: "Versions") -> "IndicatorStructure":
        """The structure of the indicator `code` as of `versions`: the one this process read
        with the same metadata token, else read now (four small queries) and kept. The token
        is read before the structure, so a change committed in between is read again at the
        next request."""
        code = code.upper()
        structure = _STRUCTURES.get(code)
        if structure is None or structure.token != versions.metadata or not versions.metadata:
            structure = dataclasses.replace(cls.load(code), token=versions.metadata)
            if versions.metadata:
                _STRUCTURES[code] = structure
        return structure

    @classmethod
    def load(cls, indicator: "str | Indicator") -> "IndicatorStructure":
        code = indicator.code if isinstance(indicator, Indicator) else str(indicator).upper()
        rows = list(
            Indicator.objects.filter(code=code).values_list(
                "pk", "code", "aggregation", "dimensions__code"
            )
        )
        if not rows:
            raise UnknownIndicator(f"unknown indicator {code!r}")
        used = {row[3] for row in rows if row[3]}
        dimensions = tuple(d for d in DIMENSIONS if d.codelist in used)
        parents: dict[str, dict[str, str | None]] = {d.codelist: {} for d in dimensions}
        for codelist, code_, parent in Code.objects.filter(codelist__code__in=used).values_list(
            "codelist__code", "code", "parent__code"
        ):
            parents[codelist][code_] = parent
        return cls(
            id=rows[0][0],
            code=rows[0][1],
            aggregation=rows[0][2],
            dimensions=dimensions,
            parents=parents,
            canonical_units=dict(
                Unit.objects.filter(is_canonical=True).values_list("kind", "code")
            ),
            members={
                c: Membership(joined, left)
                for c, joined, left in MemberState.objects.values_list(
                    "code", "joined_on", "left_on"
                )
            },
        )

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(d.column for d in self.dimensions)

    def ancestors(self, dimension: Dimension, code: str) -> tuple[str, ...]:
        """The codes above `code` in its hierarchy, nearest first, the total excluded."""
        found: list[str] = []
        parents = self.parents[dimension.codelist]
        parent = parents.get(code)
        while parent and parent != TOTAL and parent not in found:
            found.append(parent)
            parent = parents.get(parent)
        return tuple(found)

    def members_in(self, period: str) -> frozenset[str]:
        """The Member States that were members at the end of `period` (kept: a structure
        answers many requests)."""
        members = self._members_in.get(period)
        if members is None:
            end = period_end(period)
            members = frozenset(c for c, m in self.members.items() if m.covers(end))
            self._members_in[period] = members
        return members


# The structures read by this process, by indicator code (a few dozen small objects at most:
# only known codes are kept).
_STRUCTURES: dict[str, IndicatorStructure] = {}
_STATE = StatisticsState._meta.db_table
_VERSIONS_SQL = f"SELECT metadata_token, totals_token, totals_ready FROM {_STATE} WHERE id = 1"  # noqa: S608  # nosec B608


@dataclass(frozen=True)
class Versions:
    """StatisticsState's tokens, read at the start of a request: what kept structures and
    answers are checked against."""

    metadata: str | None  # None: no state yet (nothing is kept)
    totals: str | None  # None: the published totals are not ready


# How long a process trusts the tokens it read, outside a transaction. A change committed by
# another process (a publication, a metadata edit) reaches this one's answers within it; the
# process that makes the change forgets its tokens at once (forget_versions). Reading them on
# every request would cost a database round trip per request; under load even one read every
# 0.1 s was a fifth of the data API's time on PostgreSQL (bench/README.md).
VERSIONS_TTL = 1.0  # seconds, as the portal's version (portal.reads)


def _read_versions() -> Versions:
    with connection.cursor() as cursor:
        # The model's table name; no value.
        cursor.execute(_VERSIONS_SQL)
        row = cursor.fetchone()
    if row is None:
        return Versions(None, None)
    return Versions(row[0] or None, (row[1] or None) if row[2] else None)


_versions: Recent[Versions] = Recent(_read_versions, VERSIONS_TTL)


def current_versions() -> Versions:
    """StatisticsState's tokens: one small query (the state's primary key), or the tokens this
    process read less than VERSIONS_TTL ago. Always read inside a transaction (it sees its own
    changes and nothing newer)."""
    return _versions.get()


def forget_versions() -> None:
    """The tokens changed (or are about to): read them again at the next request."""
    _versions.forget()


def membership(s: IndicatorStructure) -> Q:
    """Values (or totals) of states that were members in their year: only they count towards
    a sum over Member States."""
    condition = Q()
    for code, member in s.members.items():
        this = Q(ref_area=code, year__gte=member.joined_on.year)
        if member.left_on is not None:
            this &= Q(year__lt=member.left_on.year)
        condition |= this
    return condition


# --- parsing the request -----------------------------------------------------------------------


def tokens(value: str | Iterable[str] | None) -> list[str]:
    """`TH+MY`, `TH MY` (a `+` in a query string arrives as a space), `TH,MY` or a list."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [t for item in items for t in _SEPARATORS.split(str(item).strip()) if t]


def period_end(period: str) -> datetime.date:
    match = PERIOD.match(period)
    if not match:
        raise QueryError(f"{period!r} is not a period")
    year = int(match[1])
    month = 3 * int(match[2]) if match[2] else int(match[3] or 12)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def period_frequency(period: str) -> str:
    """SDMX FREQ of a period: A (a year), Q (a quarter) or M (a month)."""
    match = PERIOD.match(period)
    if not match:
        raise QueryError(
            f"TIME_PERIOD: {period!r} is not a period: write a year (2020), a quarter "
            "(2020-Q1), a month (2020-03), or a range of one of them (2015:2024)"
        )
    return "Q" if match[2] else "M" if match[3] else "A"


def _expand(first: str, last: str) -> list[str]:
    frequency = period_frequency(first)
    if period_frequency(last) != frequency:
        raise QueryError(f"TIME_PERIOD: {first}:{last} mixes a year, a quarter or a month")
    if first > last:
        raise QueryError(f"TIME_PERIOD: {first}:{last} ends before it starts")
    if frequency == "A":
        return [str(y) for y in range(int(first), int(last) + 1)][: MAX_PERIODS + 1]
    per_year = 4 if frequency == "Q" else 12
    step = int(first[6:] if frequency == "Q" else first[5:]) - 1
    end = (int(last[:4]), int(last[6:] if frequency == "Q" else last[5:]) - 1)
    periods: list[str] = []
    year = int(first[:4])
    while (year, step) <= end and len(periods) <= MAX_PERIODS:
        periods.append(f"{year}-Q{step + 1}" if frequency == "Q" else f"{year}-{step + 1:02d}")
        step += 1
        if step == per_year:
            year, step = year + 1, 0
    return periods


def parse_periods(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """The periods asked for: `2015:2024` (a range of years; quarters `2020-Q1:2021-Q4` and
    months `2020-01:2020-12` too), a list (`2019+2020`), or None for every year. Years only
    by default: a year and its quarters are never summed together."""
    periods: set[str] = set()
    for token in tokens(value):
        if ":" in token:
            first, _, last = token.partition(":")
            periods.update(_expand(first, last))
        else:
            period_frequency(token)
            periods.add(token)
        if len(periods) > MAX_PERIODS:
            raise QueryError(f"TIME_PERIOD: at most {MAX_PERIODS} periods in one request")
    return tuple(sorted(periods)) or None


@dataclass(frozen=True)
class ObservationQuery:
    """A checked request: what to filter, what to group by and how REF_AREA is treated."""

    structure: IndicatorStructure
    filters: dict[str, tuple[str, ...]]  # dimension column -> codes
    ref_areas: tuple[str, ...] | None  # Member States; None: all of them
    region: bool  # REF_AREA=ASEAN: one row per group for the region
    periods: tuple[str, ...] | None  # None: every year
    grouped: tuple[str, ...]  # columns grouped by (REF_AREA, TIME_PERIOD, dimensions)
    default_layout: bool  # no group_by: every dimension of the indicator is shown

    @property
    def sums_areas(self) -> bool:
        return AREA not in self.grouped

    @property
    def totalled(self) -> tuple[Dimension, ...]:
        """Dimensions taken at their total: neither filtered nor grouped by."""
        return tuple(
            d
            for d in self.structure.dimensions
            if d.column not in self.filters and d.column not in self.grouped
        )

    @property
    def selected(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.structure.dimensions if d not in self.totalled)


def build_query(
    structure: IndicatorStructure,
    filters: dict[str, Sequence[str]] | None = None,
    ref_areas: str | Iterable[str] | None = None,
    periods: str | Iterable[str] | None = None,
    group_by: str | Iterable[str] | None = None,
) -> ObservationQuery:
    """Check a request against the indicator's structure; QueryError says what is wrong."""
    checked: dict[str, tuple[str, ...]] = {}
    for column, codes in (filters or {}).items():
        column = column.upper()
        dimension = DIMENSION_BY_COLUMN.get(column)
        wanted = tuple(dict.fromkeys(c.upper() for c in tokens(codes)))
        if dimension is None:
            raise QueryError(
                f"{column} is not a dimension; the dimensions of {structure.code} are "
                + (", ".join(structure.columns) or "none")
            )
        if dimension not in structure.dimensions:
            if set(wanted) <= {TOTAL}:
                continue
            raise QueryError(
                f"{structure.code} is not broken down by {column}: leave it out or ask for {TOTAL}"
            )
        if not wanted:
            continue
        known = structure.parents[dimension.codelist]
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise QueryError(f"{column}: unknown {dimension.codelist} code {unknown[0]!r}")
        checked[column] = wanted

    areas = [a.upper() for a in tokens(ref_areas)]
    region = REGION in areas
    if region and len(areas) > 1:
        raise QueryError(
            f"REF_AREA: ask for {REGION} and for Member States in separate requests "
            "(a regional row and the rows of its states are different sums)"
        )
    for area in areas:
        if area != REGION and area not in structure.members:
            raise QueryError(
                f"REF_AREA: {area!r} is not the code of an ASEAN Member State (or {REGION}); "
                "the codes are " + ", ".join(sorted(structure.members))
            )

    if group_by is None or not tokens(group_by):
        default_layout = True
        grouped = (AREA, TIME, *checked)
    else:
        default_layout = False
        grouped = tuple(dict.fromkeys(g.upper() for g in tokens(group_by)))
        allowed = (AREA, TIME, UNIT, *structure.columns)
        for column in grouped:
            if column not in allowed:
                raise QueryError(
                    f"group_by: {column!r} is not a dimension of {structure.code}; group by "
                    + ", ".join(allowed)
                )
    grouped = tuple(c for c in grouped if c != UNIT)  # always part of the key anyway
    if region:
        grouped = tuple(c for c in grouped if c != AREA)
    if AREA not in grouped and TIME not in grouped:
        raise QueryError(
            "A sum over Member States is per period (a missing report is never read as zero): "
            "add TIME_PERIOD to group_by"
        )
    if structure.aggregation == Aggregation.LAST and TIME not in grouped:
        raise QueryError(f"{structure.code} is a stock (last value): group by TIME_PERIOD")
    for column, codes in checked.items():
        if column in grouped or len(codes) < 2:
            continue
        # Summing a code with one of its own parts would count the part twice.
        dimension = DIMENSION_BY_COLUMN[column]
        for code in codes:
            above = set(structure.ancestors(dimension, code)) | {TOTAL}
            overlap = [c for c in codes if c in above and c != code]
            if overlap:
                raise QueryError(
                    f"{column}: {overlap[0]} includes {code}; summing both would count "
                    f"{code} twice (group by {column}, or ask for one of them)"
                )
    return ObservationQuery(
        structure=structure,
        filters=checked,
        ref_areas=tuple(a for a in areas if a != REGION) or None,
        region=region,
        periods=parse_periods(periods),
        grouped=grouped,
        default_layout=default_layout,
    )


# --- the query -------------------------------------------------------------------------------


def _at_total(dimensions: Iterable[Dimension]) -> Q:
    return Q(**{d.field: TOTAL for d in dimensions})


def observation_values(user, query: ObservationQuery):
    """The values queryset answering `query` for `user`, evaluated as one SQL statement.

    Each stored value of the selection contributes to its group when every totalled dimension
    is at `_T` (a reported total), or when it is a part along one totalled dimension (every
    other one at `_T`) of a cell that has no reported total, that dimension is the first one
    of the cell with parts, and no code above it in the hierarchy is reported (the top-most
    parts). A cell is a value's key without its totalled dimensions. The conditions are
    correlated EXISTS subqueries in the same statement (PostgreSQL runs them as hashed
    subplans: set-based, not a probe per value)."""
    s = query.structure
    visible = DataValue.objects.restrict(user)
    unused = [d for d in DIMENSIONS if d not in s.dimensions]
    values = visible.filter(indicator_id=s.id).filter(_at_total(unused))
    for column, codes in query.filters.items():
        values = values.filter(**{f"{DIMENSION_BY_COLUMN[column].field}__in": codes})
    if query.periods is None:
        values = values.exclude(time_period__contains="-")  # years only
    else:
        values = values.filter(time_period__in=query.periods)
    if query.ref_areas is not None:
        values = values.filter(ref_area__in=query.ref_areas)
    if query.sums_areas:
        values = values.filter(membership(s))

    totalled = query.totalled
    direct = _at_total(totalled)
    derives = s.aggregation == Aggregation.SUM
    if totalled and derives:
        cell_fields = ["unit_kind", "ref_area", "time_period", *(d.field for d in query.selected)]
        # The dimensions the indicator does not use are at _T in the cell too: every column of
        # the key is then fixed, and the subqueries are lookups of the unique index (without
        # them SQLite may prefer an index on REF_AREA alone and scan the area's values).
        cell = visible.filter(
            _at_total(unused), indicator_id=s.id, **{f: OuterRef(f) for f in cell_fields}
        )
        no_total = Q(~Exists(cell.filter(direct)))
        contributes = direct
        for i, dimension in enumerate(totalled):
            others = [t for t in totalled if t != dimension]
            condition = _parts(s, dimension) & _at_total(others) & no_total
            for earlier in totalled[:i]:
                rest = [t for t in totalled if t != earlier]
                condition &= Q(~Exists(cell.filter(_parts(s, earlier), _at_total(rest))))
            condition &= _topmost(s, cell, dimension, others)
            contributes |= condition
        values = values.filter(contributes)
    elif totalled:
        values = values.filter(direct)

    if totalled and derives:
        derived = Case(
            When(direct & Q(is_derived=False), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    else:
        derived = Case(When(is_derived=True, then=Value(1)), default=Value(0))

    group_fields = [
        *([] if query.sums_areas else ["ref_area"]),
        *(["time_period"] if TIME in query.grouped else []),
        *(d.field for d in s.dimensions if d.column in query.grouped),
        "unit_kind",
    ]
    aggregate = Avg if s.aggregation == Aggregation.MEAN else Sum
    annotations: dict[str, Any] = {
        "value": aggregate("obs_value"),
        "derived": Max(derived),
        "status_min": Min("obs_status"),
        "status_max": Max("obs_status"),
    }
    if query.sums_areas:
        annotations["areas"] = StringAgg("ref_area", delimiter=Value(","), distinct=True)
    return values.order_by().values(*group_fields).annotate(**annotations).order_by(*group_fields)


def _parts(s: IndicatorStructure, dimension: Dimension) -> Q:
    """The values of a dimension's parts (not its total), as the list of its codes rather than
    "<> '_T'": the database can then look each up in the key's unique index, where an
    inequality on its second column makes PostgreSQL read the indicator's whole range of it
    (a country-year's totals refresh over 10,000,000 values: 27 s). A code in use is never
    removed from its codelist (metadata_services.delete_code), so the list holds every stored
    one."""
    codes = [code for code in s.parents[dimension.codelist] if code != TOTAL]
    if not codes:
        return ~Q(**{dimension.field: TOTAL})
    return Q(**{f"{dimension.field}__in": codes})


def _topmost(s: IndicatorStructure, cell, dimension: Dimension, others: list[Dimension]) -> Q:
    """A part counts towards a derived total unless a code above it is reported too (METH
    already holds METH_TABLET)."""
    by_ancestors: dict[tuple[str, ...], list[str]] = {}
    for code in s.parents[dimension.codelist]:
        if code != TOTAL:
            by_ancestors.setdefault(s.ancestors(dimension, code), []).append(code)
    nested = [code for above, codes in by_ancestors.items() if above for code in codes]
    condition = ~Q(**{f"{dimension.field}__in": nested}) if nested else Q()
    for above, codes in by_ancestors.items():
        if above:
            condition |= Q(**{f"{dimension.field}__in": codes}) & Q(
                ~Exists(cell.filter(_at_total(others), **{f"{dimension.field}__in": above}))
            )
    return condition


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    value = float(f"{value:.12g}")  # sums of floats: 0.1 + 0.2 is 0.3
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def observation_rows(query: ObservationQuery, values: Iterable[dict]) -> list[dict]:
    """The rows of the answer, in the exchange format's column names. What is the same for
    every row (the columns, the members asked for in a period) is worked out once."""
    s = query.structure
    by_time = TIME in query.grouped
    area = REGION if query.region else None
    by_area = not query.sums_areas and not query.region
    # (column, DataValue field) of each dimension shown; no field: shown at its total.
    dimensions = [
        (d.column, d.field if d.column in query.grouped else None)
        for d in s.dimensions
        if d.column in query.grouped or query.default_layout
    ]
    asked = frozenset(query.ref_areas or s.members)
    members_by_period: dict[str, frozenset[str]] = {}
    units = s.canonical_units
    sums_areas = query.sums_areas
    rows = []
    for v in values:
        row: dict[str, Any] = {}
        if area is not None:
            row[AREA] = area
        elif by_area:
            row[AREA] = v["ref_area"]
        if by_time:
            row[TIME] = v["time_period"]
        row["INDICATOR"] = s.code
        for column, field in dimensions:
            row[column] = TOTAL if field is None else v[field]
        row[UNIT] = units.get(v["unit_kind"], v["unit_kind"])
        row["OBS_VALUE"] = _number(v["value"])
        row["OBS_STATUS"] = v["status_min"] if v["status_min"] == v["status_max"] else None
        row["derived"] = bool(v["derived"])
        if sums_areas:
            reporting = set(filter(None, (v["areas"] or "").split(",")))
            if by_time:
                period = v["time_period"]
                members = members_by_period.get(period)
                if members is None:
                    members = members_by_period[period] = asked & s.members_in(period)
            else:
                members = asked
            row["coverage"] = {
                "reporting": len(reporting),
                "members": len(members),
                "missing": sorted(members - reporting),
            }
        rows.append(row)
    return rows


# --- the published totals ------------------------------------------------------------------------

_TOTALS = PublishedTotal._meta.db_table
_TOTAL_COLUMNS = (
    "ref_area, time_period, unit_kind, obs_value, is_derived, status_min, status_max, reporting"
)


def reads_totals(user, query: ObservationQuery) -> bool:
    """The answer to `query` for `user` is PublishedTotal's rows: the reader sees published
    values only, no dimension is filtered or grouped by (each is at its total), rows are per
    period, and a sum over Member States is over all of them (the region)."""
    grouped = set(query.grouped)
    return (
        not query.filters
        and TIME in grouped
        and grouped <= {AREA, TIME}
        and not (query.sums_areas and query.ref_areas is not None)
        and sees_published_values_only(user)
    )


def published_totals(query: ObservationQuery) -> list[dict]:
    """PublishedTotal's rows answering `query` (see `reads_totals`), as observation_values
    gives them: one statement, a range of the table's key. Plain SQL: the ORM would spend
    longer building it than the database spends running it."""
    conditions = ["indicator_id = %s"]
    params: list[Any] = [query.structure.id]
    if query.sums_areas:
        conditions.append("ref_area = %s")
        params.append(REGION)
        order = "time_period, unit_kind"
    else:
        if query.ref_areas is None:
            conditions.append("ref_area <> %s")
            params.append(REGION)
        else:
            conditions.append(f"ref_area IN ({', '.join(['%s'] * len(query.ref_areas))})")
            params += query.ref_areas
        order = "ref_area, time_period, unit_kind"
    if query.periods is None:
        conditions.append("frequency = %s")  # years only
        params.append("A")
    else:
        conditions.append(f"time_period IN ({', '.join(['%s'] * len(query.periods))})")
        params += query.periods
    where = " AND ".join(conditions)
    # The model's table and column names; every value is a parameter.
    sql = f"SELECT {_TOTAL_COLUMNS} FROM {_TOTALS} WHERE {where} ORDER BY {order}"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        {
            "ref_area": area,
            "time_period": period,
            "unit_kind": kind,
            "value": value,
            "derived": derived,
            "status_min": least,
            "status_max": most,
            "areas": reporting,
        }
        for area, period, kind, value, derived, least, most, reporting in found
    ]


def checked_request(
    indicator: str,
    filters: dict[str, Sequence[str]] | None = None,
    ref_areas: str | Iterable[str] | None = None,
    periods: str | Iterable[str] | None = None,
    group_by: str | Iterable[str] | None = None,
) -> tuple[ObservationQuery, Versions]:
    """The state's versions (one small query), then the request checked against the
    indicator's structure as of them (kept by this process; read again only when the
    metadata changed). Raises UnknownIndicator or QueryError."""
    versions = current_versions()
    structure = IndicatorStructure.current(indicator, versions)
    return structure.checked(filters, ref_areas, periods, group_by), versions


def grouped_values(user, query: ObservationQuery, versions: Versions) -> Iterable[dict]:
    """The grouped values answering `query` for `user`: PublishedTotal's rows when they are
    the answer and ready, else summed from the values (observation_values). One query."""
    if versions.totals is not None and reads_totals(user, query):
        return published_totals(query)
    return observation_values(user, query)


def observations(
    user,
    indicator: "str | Indicator | IndicatorStructure",
    filters: dict[str, Sequence[str]] | None = None,
    ref_areas: str | Iterable[str] | None = None,
    periods: str | Iterable[str] | None = None,
    group_by: str | Iterable[str] | None = None,
) -> list[dict]:
    """The observations of `indicator` that `user` may see, as rows of the exchange format:
    `filters` maps dimension columns (DRUG...) to codes, `ref_areas` lists Member States or
    is `ASEAN`, `periods` is a range (`2015:2024`) or a list, `group_by` lists the columns
    to keep (REF_AREA, TIME_PERIOD, dimensions); without it, a row per Member State, period
    and filtered code. Summed in the database, one query when the indicator's structure is
    given; otherwise the state's versions are read first and the published totals answer
    the public's unfiltered requests (checked_request, grouped_values)."""
    if isinstance(indicator, IndicatorStructure):
        query = build_query(indicator, filters, ref_areas, periods, group_by)
        return observation_rows(query, observation_values(user, query))
    code = indicator.code if isinstance(indicator, Indicator) else str(indicator)
    query, versions = checked_request(code, filters, ref_areas, periods, group_by)
    return observation_rows(query, grouped_values(user, query, versions))
