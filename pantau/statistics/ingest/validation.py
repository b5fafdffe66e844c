"""Checking rows of an exchange file against the metadata and the uploader's rights, and
turning good rows into observations in canonical units. Pure: reads the database once (in
Structure.load) and writes nothing."""

import calendar
import datetime
import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from pantau.core.spreadsheet_safety import unneutralise

from ..choices import DIMENSIONS, TOTAL, ObsStatus
from ..models.data import KEY_SEPARATOR
from ..snapshot import PERIOD, Structure
from .readers import EXTRA, MESSAGE_COLUMNS

REQUIRED_COLUMNS = ("REF_AREA", "TIME_PERIOD", "INDICATOR", "UNIT_MEASURE", "OBS_VALUE")
OPTIONAL_COLUMNS = (*(d.column for d in DIMENSIONS), "OBS_STATUS", "COMMENT")
KNOWN_COLUMNS = frozenset((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)) | MESSAGE_COLUMNS

OBS_STATUSES = frozenset(ObsStatus.values)
# SDMX-CSV 2.0 ACTION: information, append, replace, merge (D, delete, is refused).
SDMX_ACTIONS = frozenset({"", "I", "A", "R", "M"})


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, where it is: `line` 0 is the file as a whole."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}

    def format(self, file_name: str) -> str:
        where = f"{file_name}:{self.line}" if self.line else file_name
        if self.column:
            where = f"{where}: {self.column}"
        return f"{where}: {self.message}"


class Observation(NamedTuple):
    """A validated row, in the order of DataValue's key (the first eleven fields)."""

    indicator_id: int
    drug: str
    precursor: str
    sex: str
    age: str
    nationality: str
    offence: str
    crop: str
    unit_kind: str
    ref_area: str
    time_period: str
    year: int
    obs_value: float
    reported_unit: str
    reported_value: float
    obs_status: str
    comment: str

    @property
    def key(self) -> tuple:
        return self[:11]


KEY_LENGTH = 11


class RowValidator:
    """Checks one row at a time; a row with any problem yields no observation."""

    def __init__(self, structure: Structure, writable_areas: frozenset[str] | None):
        self.structure = structure
        self.writable_areas = writable_areas
        self._periods: dict[str, tuple[str, int, datetime.date] | str] = {}

    def check_header(self, columns: list[str]) -> list[Problem]:
        problems = []
        seen = set()
        for name in columns:
            if name in seen:
                problems.append(Problem(1, name, "the column appears twice"))
            seen.add(name)
            if name not in KNOWN_COLUMNS:
                problems.append(
                    Problem(
                        1,
                        name or "(empty)",
                        "unknown column; the columns are "
                        + ", ".join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)),
                    )
                )
        for name in REQUIRED_COLUMNS:
            if name not in seen:
                problems.append(Problem(1, name, "this column is missing"))
        return problems

    def validate(self, line: int, row: dict[str, str]) -> tuple[Observation | None, list[Problem]]:
        s = self.structure
        problems: list[Problem] = []

        def problem(column: str, message: str) -> None:
            problems.append(Problem(line, column, message))

        if EXTRA in row:
            problem("", "the line has more values than the header has columns")
        action = row.get("ACTION", "").upper()
        if action == "D":
            problem("ACTION", "deletions are not imported: leave the row out")
        elif action not in SDMX_ACTIONS:
            problem("ACTION", f"unknown SDMX action {action!r}")

        indicator_code = row.get("INDICATOR", "")
        indicator = s.indicators.get(indicator_code.upper())
        if indicator is None:
            problem(
                "INDICATOR",
                f"unknown indicator {indicator_code!r}" if indicator_code else "empty",
            )

        ref_area = self._check_ref_area(row.get("REF_AREA", ""), problem)
        period = self._period(row.get("TIME_PERIOD", ""))
        if isinstance(period, str):
            problem("TIME_PERIOD", period)
        elif ref_area is not None:
            membership = s.members[ref_area]
            if not membership.covers(period[2]):
                problem(
                    "REF_AREA",
                    f"{ref_area} was not an ASEAN Member State in {period[0]} "
                    f"(member since {membership.joined_on.isoformat()})",
                )

        dims: list[str] = []
        for dim in DIMENSIONS:
            text = row.get(dim.column, "") or TOTAL
            code = s.codes[dim.codelist].get(text.upper())
            if code is None:
                problem(dim.column, f"unknown {dim.codelist} code {text!r}")
                dims.append(TOTAL)
            elif (
                code != TOTAL and indicator is not None and dim.codelist not in indicator.dimensions
            ):
                problem(
                    dim.column,
                    f"{indicator.code} is not broken down by {dim.column}: "
                    f"leave it empty or {TOTAL}",
                )
                dims.append(code)
            else:
                dims.append(code)

        unit_code = row.get("UNIT_MEASURE", "")
        unit = s.units.get(unit_code.upper())
        if unit is None:
            problem(
                "UNIT_MEASURE",
                f"unknown unit {unit_code!r}; the units are {', '.join(sorted(s.units))}"
                if unit_code
                else "empty",
            )
        elif indicator is not None and unit.kind not in indicator.unit_kinds:
            accepted = ", ".join(sorted(indicator.unit_kinds))
            problem(
                "UNIT_MEASURE",
                f"{indicator.code} is measured in {accepted}, not {unit.kind} ({unit.code})",
            )

        value = _parse_value(row.get("OBS_VALUE", ""))
        if isinstance(value, str):
            problem("OBS_VALUE", value)

        obs_status = row.get("OBS_STATUS", "").upper() or ObsStatus.NORMAL.value
        if obs_status not in OBS_STATUSES:
            problem(
                "OBS_STATUS",
                f"unknown status {obs_status!r}; the SDMX codes are {', '.join(ObsStatus.values)}",
            )

        if problems:
            return None, problems
        assert indicator is not None and unit is not None and ref_area is not None
        assert not isinstance(period, str) and not isinstance(value, str)
        observation = Observation._make(
            (
                indicator.id,
                *dims,
                unit.kind,
                ref_area,
                period[0],
                period[1],
                float(value * unit.factor),
                unit.code,
                float(value),
                obs_status,
                # Text an export neutralised for spreadsheets ('=...) is read back as it was.
                unneutralise(row.get("COMMENT", "")),
            )
        )
        return observation, []

    def _check_ref_area(self, text: str, problem) -> str | None:
        code = text.upper()
        if not code:
            problem("REF_AREA", "empty")
            return None
        if code == "ASEAN":
            problem("REF_AREA", "regional figures are computed from the Member States' values")
            return None
        if code not in self.structure.members:
            problem("REF_AREA", f"{text!r} is not the ISO code of an ASEAN Member State")
            return None
        if self.writable_areas is not None and code not in self.writable_areas:
            own = ", ".join(sorted(self.writable_areas)) or "none"
            problem("REF_AREA", f"you may not write data of {code} (yours: {own})")
            return None
        return code

    def _period(self, text: str) -> tuple[str, int, datetime.date] | str:
        """(TIME_PERIOD, year, its last day), or what is wrong with it. Cached: a file has few."""
        cached = self._periods.get(text)
        if cached is None:
            cached = self._periods[text] = self._parse_period(text)
        return cached

    def _parse_period(self, text: str) -> tuple[str, int, datetime.date] | str:
        match = PERIOD.match(text)
        if not match:
            return (
                f"{text!r} is not a period: write a year (2020), a quarter (2020-Q1) "
                "or a month (2020-03)"
                if text
                else "empty"
            )
        year = int(match[1])
        first, last = self.structure.first_year, self.structure.last_year
        if not first <= year <= last:
            return f"{text} is outside the Work Plans' periods ({first}-{last})"
        month = 3 * int(match[2]) if match[2] else int(match[3] or 12)
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return text, year, end


# A reported value is kept as given up to this many significant digits (a double holds 15
# exactly): more is refused, never silently rounded.
MAX_SIGNIFICANT_DIGITS = 15
# No indicator counts, weighs or measures anything near 10^15 of its unit (a thousand trillion
# tablets, kilograms, persons...): beyond it a value is a typing or export error. The plausible
# range of each indicator is narrower: IndicatorBound, whose values beyond it are flagged for
# the Secretariat by the checks after the import (checks.outliers).
MAX_OBS_VALUE = Decimal("1e15")


def _parse_value(text: str) -> Decimal | str:
    if not text:
        return "empty (leave out the row of a value that was not reported)"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return (
            f"{text!r} is not a number (write digits with '.' as the decimal separator, "
            "without thousands separators)"
        )
    if not value.is_finite():
        return f"{text!r} is not a finite number: write the value reported, in digits"
    if value < 0:
        return f"{text} is negative"
    if value > MAX_OBS_VALUE:
        return (
            f"{text} is beyond any plausible value (at most {MAX_OBS_VALUE:,.0f} of a unit): "
            "check the value and its unit"
        )
    # Counted on the digits as written (normalize() would round them to the context's 28).
    digits = len("".join(map(str, value.as_tuple().digits)).strip("0"))
    if digits > MAX_SIGNIFICANT_DIGITS:
        return (
            f"{text} has {digits} significant digits; Pantau keeps a value exactly up to "
            f"{MAX_SIGNIFICANT_DIGITS}: round it to the precision reported"
        )
    return value


FLOAT_MAX_OBS_VALUE = float(MAX_OBS_VALUE)


class RowChecker:
    """RowValidator's fast path for a file's rows as lists of raw texts in the order of the
    header's `columns` (the CSV and XLSX readers' `values()`). A file repeats its codes, areas
    and periods, so their checks are memoised: a good row becomes an observation tuple (the
    fields of Observation, in order) in two dictionary look-ups and a float parse. A row it
    does not take (a problem, an unusual width) goes to `slow`, i.e. RowValidator.validate:
    the same observation or the same problems, in the same words."""

    def __init__(self, validator: RowValidator, columns: list[str]):
        self.validator = validator
        self.columns = columns
        self.width = len(columns)
        index: dict[str, int] = {}
        for i, name in enumerate(columns):
            index.setdefault(name, i)
        # The memo keys hold only the columns the file has; an absent one is read as "".
        what = [
            "INDICATOR",
            *(d.column for d in DIMENSIONS),
            "UNIT_MEASURE",
            "OBS_STATUS",
            "ACTION",
        ]
        self._what_present = [name in index for name in what]
        self._where = operator.itemgetter(index["REF_AREA"], index["TIME_PERIOD"])
        self._what = operator.itemgetter(*(index[name] for name in what if name in index))
        self._value = index["OBS_VALUE"]
        self._comment = index.get("COMMENT")
        self._wheres: dict[tuple, tuple | None] = {}
        self._whats: dict[tuple, tuple | None] = {}

    def check(self, values: list[str]) -> tuple | None:
        """The observation of a row, or None when the fast path cannot tell (a problem, or a
        row of another width): then `slow` decides."""
        if len(values) != self.width:
            return None
        key = self._where(values)
        try:
            where = self._wheres[key]
        except KeyError:
            where = self._wheres[key] = self._check_where(*key)
        key = self._what(values)
        try:
            what = self._whats[key]
        except KeyError:
            what = self._whats[key] = self._check_what(*self._expand(key))
        if where is None or what is None:
            return None
        prefix, unit_code, factor, status, what_key = what
        area, period, year, where_key, scope = where
        text = values[self._value]
        if len(text) > MAX_SIGNIFICANT_DIGITS:
            return None  # perhaps more digits than kept: `slow` counts them
        try:
            reported = float(text)
        except ValueError:
            return None
        # Not negative, not NaN (every comparison with NaN is false), not beyond the maximum.
        if not 0 <= reported <= FLOAT_MAX_OBS_VALUE:
            return None
        value = reported if factor is None else float(Decimal(text.strip()) * factor)
        comment = "" if self._comment is None else unneutralise(values[self._comment].strip())
        return (
            *prefix,
            area,
            period,
            year,
            value,
            unit_code,
            reported,
            status,
            comment,
            what_key + where_key,
            scope,
        )

    def _expand(self, key: tuple) -> list[str]:
        texts = iter(key)
        return [next(texts) if present else "" for present in self._what_present]

    def slow(self, line: int, values: list[str]) -> tuple[tuple | None, list[Problem]]:
        """A row `check` did not take, checked by RowValidator.validate: its observation, or
        every problem of the row."""
        values = [v.strip() for v in values]
        row = dict(zip(self.columns, values, strict=False))
        if len(values) > self.width:
            row[EXTRA] = ",".join(values[self.width :])
        observation, problems = self.validator.validate(line, row)
        return (extended(observation) if observation is not None else None), problems

    def _check_where(self, area_text: str, period_text: str) -> tuple | None:
        ref_area = self.validator._check_ref_area(area_text.strip(), lambda column, message: None)
        period = self.validator._period(period_text.strip())
        if ref_area is None or isinstance(period, str):
            return None
        if not self.validator.structure.members[ref_area].covers(period[2]):
            return None
        return (
            ref_area,
            period[0],
            period[1],
            _where_key(ref_area, period[0]),
            (
                ref_area,
                period[1],
            ),
        )

    def _check_what(
        self, indicator_text: str, *texts: str
    ) -> tuple[tuple, str, Decimal | None, str, str] | None:
        s = self.validator.structure
        *dim_texts, unit_text, status_text, action_text = (t.strip() for t in texts)
        if action_text.upper() not in SDMX_ACTIONS:  # D (delete) is not among them
            return None
        indicator = s.indicators.get(indicator_text.strip().upper())
        unit = s.units.get(unit_text.upper())
        status = status_text.upper() or ObsStatus.NORMAL.value
        if indicator is None or unit is None or status not in OBS_STATUSES:
            return None
        if unit.kind not in indicator.unit_kinds:
            return None
        dims = []
        for dim, text in zip(DIMENSIONS, dim_texts, strict=True):
            code = s.codes[dim.codelist].get((text or TOTAL).upper())
            if code is None or (code != TOTAL and dim.codelist not in indicator.dimensions):
                return None
            dims.append(code)
        factor = None if unit.factor == 1 else unit.factor
        prefix = (indicator.id, *dims, unit.kind)
        return prefix, unit.code, factor, status, _what_key(prefix)


# An observation as the import's pass handles it: the fields of Observation, then its key as
# one string (KEY_SEPARATOR between the key's fields: DataValue.key, as the database stores it)
# and its country-year (REF_AREA, year).
EXTENDED_KEY, EXTENDED_SCOPE = 17, 18


def _what_key(prefix: tuple) -> str:
    return KEY_SEPARATOR.join(map(str, prefix))


def _where_key(ref_area: str, time_period: str) -> str:
    return f"{KEY_SEPARATOR}{ref_area}{KEY_SEPARATOR}{time_period}"


def extended(observation: Observation | tuple) -> tuple:
    """An observation with its key string and its country-year (see EXTENDED_KEY)."""
    obs = tuple(observation)
    key = _what_key(obs[:9]) + _where_key(obs[9], obs[10])
    return (*obs, key, (obs[9], obs[11]))
