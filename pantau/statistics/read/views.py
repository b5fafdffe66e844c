"""The statistics people read: an overview per Member State and year and per indicator, a
Member State's year, and an indicator across Member States.

Every figure starts from the restricted values (`DataValue.objects.restrict(user)`, through
`querysets.observations`): the public reads published values only, a Member State's focal
points and approvers their own drafts too, the Secretariat and ASOD everything. Sums are made
in the database; a regional figure says how many Member States reported ("9 of 10"), and a
figure that was not reported is shown as a gap, never as 0."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from pantau.members.models import MemberState

from ..choices import DataStatus
from ..models import DataValue, Indicator, Unit
from ..permissions import sees_published_values_only
from .display import figure_for_reader as figure
from .querysets import (
    AREA,
    REGION,
    TIME,
    UNIT,
    UnknownIndicator,
    checked_request,
    grouped_values,
    observation_rows,
)

# How many of the latest years the overview's table shows.
OVERVIEW_YEARS = 10


def _annual(values):
    return values.exclude(time_period__contains="-")


def _unit_names() -> dict[str, str]:
    return dict(Unit.objects.values_list("code", "name"))


def _rows(user, indicator: str, **request) -> list[dict]:
    query, versions = checked_request(indicator, **request)
    return observation_rows(query, grouped_values(user, query, versions))


def _coverage(row: dict) -> str:
    coverage = row.get("coverage")
    if not coverage:
        return ""
    return _("%(reporting)s of %(members)s reported") % {
        "reporting": coverage["reporting"],
        "members": coverage["members"],
    }


def _status(drafts: int, total: int) -> str:
    if not total:
        return ""
    if drafts == total:
        return str(DataStatus.DRAFT.label)
    if drafts:
        return _("partly draft")
    return str(DataStatus.PUBLISHED.label)


def _members(years) -> list[MemberState]:
    """The Member States that were members in any of `years`."""
    years = list(years)
    states = MemberState.objects.order_by("name")
    if not years:
        return list(states)
    return [s for s in states if any(s.is_member_on(datetime.date(y, 12, 31)) for y in years)]


@dataclass
class Cell:
    text: str = ""  # the figure, with thousands separators; "" is a gap
    status: str = ""
    href: str = ""
    note: str = ""
    member: bool = True  # a state not a member that year: no gap to report


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)
    foot: list[tuple[str, list[Cell]]] = field(default_factory=list)


def _reader(user) -> str:
    """What this reader sees, said on every page."""
    if sees_published_values_only(user):
        return _("Published figures only.")
    return _("Published figures and the drafts you may read; drafts are marked.")


def overview(request):
    user = request.user
    indicators = list(Indicator.objects.order_by("order", "code"))
    counted = (
        _annual(DataValue.objects.restrict(user))
        .order_by()
        .values("ref_area", "year")
        .annotate(
            indicators=Count("indicator", distinct=True),
            values=Count("id"),
            drafts=Count("id", filter=Q(status=DataStatus.DRAFT)),
            demo=Count("id", filter=Q(is_demo=True)),
        )
    )
    by_key = {(r["ref_area"], r["year"]): r for r in counted}
    years = sorted({year for _area, year in by_key}, reverse=True)[:OVERVIEW_YEARS]
    states = _members(years)

    table = Table(
        title=_("Indicators reported, per Member State and year"),
        columns=[s.name for s in states] + [_("Member States reporting")],
    )
    for year in years:
        cells = []
        reporting = members = 0
        for state in states:
            member = state.is_member_on(datetime.date(year, 12, 31))
            found = by_key.get((state.code, year))
            members += member
            if found:
                reporting += 1
                cells.append(
                    Cell(
                        text=_("%(n)s of %(total)s")
                        % {"n": found["indicators"], "total": len(indicators)},
                        status=_status(found["drafts"], found["values"]),
                        href=reverse("statistics_read:area-year", args=[state.code, year]),
                        note=_("illustrative") if found["demo"] else "",
                    )
                )
            else:
                cells.append(Cell(member=member))
        cells.append(
            Cell(
                text=_("%(reporting)s of %(members)s reported")
                % {"reporting": reporting, "members": members}
            )
        )
        table.rows.append((str(year), cells))

    # Per indicator: the region's latest year, with its coverage.
    names = _unit_names()
    latest: list[dict[str, Any]] = []
    for indicator in indicators:
        rows = _rows(user, indicator.code, ref_areas=REGION, group_by=TIME)
        last: dict[str, dict] = {}
        for row in rows:
            last[row[UNIT]] = row  # ordered by period: the latest stays
        if not last:
            latest.append({"indicator": indicator})
        for unit, row in sorted(last.items()):
            latest.append(
                {
                    "indicator": indicator,
                    "unit": names.get(unit, unit),
                    "year": row[TIME],
                    "value": figure(row["OBS_VALUE"]),
                    "coverage": _coverage(row),
                    "derived": row["derived"],
                }
            )
    return render(
        request,
        "statistics/read/overview.html",
        {
            "table": table,
            "latest": latest,
            "reader": _reader(user),
            "indicator_count": len(indicators),
        },
    )


def area_year(request, ref_area: str, year: int):
    """A Member State's figures for a year: each indicator's total per unit, its status."""
    user = request.user
    state = MemberState.objects.filter(code=ref_area.upper()).first()
    if state is None or not state.is_member_on(datetime.date(year, 12, 31)):
        raise Http404(_("No such Member State or year"))
    visible = DataValue.objects.restrict(user).filter(ref_area=state.code, time_period=str(year))
    statuses = {
        (r["indicator__code"], r["unit_kind"]): r
        for r in visible.order_by()
        .values("indicator__code", "unit_kind")
        .annotate(
            values=Count("id"),
            drafts=Count("id", filter=Q(status=DataStatus.DRAFT)),
            demo=Count("id", filter=Q(is_demo=True)),
        )
    }
    kinds = dict(Unit.objects.filter(is_canonical=True).values_list("code", "kind"))
    names = _unit_names()
    indicators = list(Indicator.objects.order_by("order", "code"))
    figures: list[dict[str, Any]] = []
    reported = 0
    for indicator in indicators:
        rows = _rows(
            user, indicator.code, ref_areas=state.code, periods=str(year), group_by=f"{AREA} {TIME}"
        )
        reported += bool(rows)
        if not rows:
            figures.append({"indicator": indicator})
        for row in rows:
            counts = statuses.get((indicator.code, kinds.get(row[UNIT], "")), {})
            figures.append(
                {
                    "indicator": indicator,
                    "unit": names.get(row[UNIT], row[UNIT]),
                    "value": figure(row["OBS_VALUE"]),
                    "status": _status(counts.get("drafts", 0), counts.get("values", 0)),
                    "illustrative": bool(counts.get("demo")),
                    "derived": row["derived"],
                }
            )
    return render(
        request,
        "statistics/read/area_year.html",
        {
            "state": state,
            "year": year,
            "figures": figures,
            "coverage": _("%(n)s of %(total)s indicators reported")
            % {"n": reported, "total": len(indicators)},
            "reader": _reader(user),
        },
    )


def indicator_detail(request, code: str):
    """An indicator across Member States: a table per unit, a row per Member State, a column
    per year, and the region's sum with its coverage."""
    user = request.user
    indicator = Indicator.objects.filter(code=code.upper()).first()
    if indicator is None:
        raise Http404(_("No such indicator"))
    try:
        by_state = _rows(user, indicator.code, group_by=f"{AREA} {TIME}")
        region = _rows(user, indicator.code, ref_areas=REGION, group_by=TIME)
    except UnknownIndicator as exc:
        raise Http404(_("No such indicator")) from exc
    drafts = {
        (area, y, kind)
        for area, y, kind in _annual(DataValue.objects.restrict(user))
        .filter(indicator=indicator, status=DataStatus.DRAFT)
        .order_by()
        .values_list("ref_area", "year", "unit_kind")
        .distinct()
    }
    kinds = dict(Unit.objects.filter(is_canonical=True).values_list("code", "kind"))
    names = _unit_names()
    years = sorted({int(r[TIME]) for r in by_state} | {int(r[TIME]) for r in region})
    states = _members(years)
    tables = []
    for unit in sorted({r[UNIT] for r in by_state} | {r[UNIT] for r in region}):
        kind = kinds.get(unit, "")
        values = {(r[AREA], int(r[TIME])): r for r in by_state if r[UNIT] == unit}
        table = Table(
            title=_("%(indicator)s, in %(unit)s")
            % {"indicator": indicator.name, "unit": names.get(unit, unit)},
            columns=[str(y) for y in years],
        )
        for state in states:
            cells = []
            for y in years:
                row = values.get((state.code, y))
                member = state.is_member_on(datetime.date(y, 12, 31))
                if row is None:
                    cells.append(Cell(member=member))
                    continue
                draft = (state.code, y, kind) in drafts
                cells.append(
                    Cell(
                        text=figure(row["OBS_VALUE"]),
                        status=str(DataStatus.DRAFT.label) if draft else "",
                        href=reverse("statistics_read:area-year", args=[state.code, y]),
                        note=_("derived from its parts") if row["derived"] else "",
                    )
                )
            table.rows.append((state.name, cells))
        regional = {int(r[TIME]): r for r in region if r[UNIT] == unit}
        total_cells = []
        for y in years:
            row = regional.get(y)
            total_cells.append(
                Cell(text=figure(row["OBS_VALUE"]), note=_coverage(row)) if row else Cell()
            )
        table.foot.append((_("ASEAN (Member States that reported)"), total_cells))
        tables.append(table)
    return render(
        request,
        "statistics/read/indicator.html",
        {"indicator": indicator, "tables": tables, "reader": _reader(user)},
    )
