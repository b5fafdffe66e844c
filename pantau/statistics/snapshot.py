"""The metadata snapshot: what checking a row or a query needs of the indicators, codelists,
units and memberships, read once (a handful of queries) and shared by ingest, checks and read."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Min

from pantau.members.models import MemberState
from pantau.workplan.models import WorkPlan

from .choices import DIMENSIONS
from .models import Code, Indicator, Unit

PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")
# Years covered when no Work Plan is loaded (the 2009-2015 and 2016-2025 plans).
DEFAULT_YEARS = (2009, 2025)


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    code: str
    unit_kinds: frozenset[str]
    dimensions: frozenset[str]  # the SDMX columns it is broken down by


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    factor: Decimal


@dataclass(frozen=True)
class Membership:
    joined_on: datetime.date
    left_on: datetime.date | None

    def covers(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


@dataclass
class Structure:
    """What validation needs, read once per import: a handful of queries, whatever the file."""

    indicators: dict[str, IndicatorSpec]
    codes: dict[str, dict[str, str]]  # codelist -> {CODE: code}: one string object per code
    units: dict[str, UnitSpec]
    members: dict[str, Membership]
    first_year: int
    last_year: int

    @classmethod
    def load(cls) -> "Structure":
        # Codes are matched whatever their case (a hand-typed "th" or "kg" is meant as TH, KG):
        # every lookup is by the upper-cased text and gives the code as defined.
        indicators = {
            i.code.upper(): IndicatorSpec(
                id=i.pk,
                code=i.code,
                unit_kinds=frozenset(i.unit_kinds),
                dimensions=frozenset(c.code for c in i.dimensions.all()),
            )
            for i in Indicator.objects.prefetch_related("dimensions")
        }
        codes: dict[str, dict[str, str]] = {d.codelist: {} for d in DIMENSIONS}
        for codelist, code in Code.objects.values_list("codelist__code", "code"):
            codes.setdefault(codelist, {})[code.upper()] = code
        units = {
            u.code.upper(): UnitSpec(u.code, u.kind, u.factor)
            for u in Unit.objects.only("code", "kind", "factor")
        }
        members = {
            code: Membership(joined, left)
            for code, joined, left in MemberState.objects.values_list(
                "code", "joined_on", "left_on"
            )
        }
        years = WorkPlan.objects.aggregate(first=Min("period_start"), last=Max("period_end"))
        return cls(
            indicators=indicators,
            codes=codes,
            units=units,
            members=members,
            first_year=years["first"] or DEFAULT_YEARS[0],
            last_year=years["last"] or DEFAULT_YEARS[1],
        )
