"""The cross-source check: an indicator's national figures beside the figures of a published
reference table (ReferenceValue, imported with `pantau import --reference --source S`), per
Member State and year, with the difference and the ratio, flagged where they differ by more
than a tolerance or one side has no figure. Both sides are summed in the database (one query
each); what is done here is matching two short lists of sums."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from pantau.statistics.choices import DIMENSIONS, TOTAL
from pantau.statistics.models import DataValue, Indicator, ReferenceValue
from pantau.statistics.read.querysets import QueryError, tokens

DEFAULT_TOLERANCE = 0.10
_BY_COLUMN = {d.column: d.field for d in DIMENSIONS}
_GROUP = ("ref_area", "time_period", "unit_kind")


@dataclass(frozen=True)
class Comparison:
    indicator: Indicator
    reference: str
    source: str
    tolerance: float
    rows: list[dict[str, Any]]

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r["flag"])


def _cell(filters: Mapping[str, Sequence[str] | str] | None) -> dict[str, Any]:
    """The dimension filter of the compared cells: each dimension named at its codes (summed),
    every other one at its total, so that both sides compare the same figure."""
    cell: dict[str, Any] = {f"{field}": TOTAL for field in _BY_COLUMN.values()}
    for column, codes in (filters or {}).items():
        field = _BY_COLUMN.get(column.upper())
        if field is None:
            raise QueryError(
                _("%(c)s is not a dimension; the dimensions are %(all)s")
                % {"c": column, "all": ", ".join(_BY_COLUMN)}
            )
        wanted = [c.upper() for c in tokens(codes)]
        if wanted:
            del cell[field]
            cell[f"{field}__in"] = wanted
    return cell


def _sums(queryset) -> dict[tuple, float]:
    rows = queryset.order_by().values(*_GROUP).annotate(total=Sum("obs_value"))
    return {tuple(r[g] for g in _GROUP): float(f"{r['total']:.12g}") for r in rows}


def compare(
    user,
    indicator: Indicator,
    *,
    reference: str,
    source: str = "",
    filters: Mapping[str, Sequence[str] | str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Comparison:
    """The rows of the check for `user`: national figures from the values they may see
    (published ones for the public), of `source` only when given; reference figures of the
    table `reference`. Raises QueryError on a request that cannot be answered."""
    reference = reference.strip()
    if not reference:
        raise QueryError(_("Name the reference source to compare with (reference=...)"))
    if tolerance < 0:
        raise QueryError(_("The tolerance is a share, 0 or more (0.10 is 10 %)"))
    cell = _cell(filters)
    national_values = (
        DataValue.objects.restrict(user)
        .filter(indicator=indicator, **cell)
        .exclude(time_period__contains="-")
    )
    if source.strip():
        national_values = national_values.filter(source=source.strip())
    national = _sums(national_values)
    references = _sums(
        ReferenceValue.objects.restrict(user)
        .filter(indicator=indicator, source=reference, **cell)
        .exclude(time_period__contains="-")
    )
    rows = []
    for key in sorted(set(national) | set(references)):
        ours, theirs = national.get(key), references.get(key)
        difference = ratio = None
        if ours is not None and theirs is not None:
            difference = float(f"{ours - theirs:.12g}")
            ratio = round(ours / theirs, 6) if theirs else None
            flag = abs(ours - theirs) > tolerance * theirs if theirs else ours != 0
        else:
            flag = True  # one side has a figure, the other none
        rows.append(
            {
                "REF_AREA": key[0],
                "TIME_PERIOD": key[1],
                "UNIT_KIND": key[2],
                "national": ours,
                "reference": theirs,
                "difference": difference,
                "ratio": ratio,
                "flag": flag,
            }
        )
    return Comparison(indicator, reference, source.strip(), tolerance, rows)


def reference_sources(indicator: Indicator | None = None) -> list[str]:
    """The reference tables imported (for an indicator), for the page's choice."""
    found = ReferenceValue.objects.restrict(None)
    if indicator is not None:
        found = found.filter(indicator=indicator)
    return sorted(set(found.values_list("source", flat=True).distinct()))


def dimension_filters(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The dimension filters of a query string (`DRUG=HEROIN`...), as in the data API."""
    getlist = getattr(params, "getlist", None)
    return {
        key.upper(): (getlist(key) if getlist else [params[key]])
        for key in params
        if key.upper() in _BY_COLUMN
    }
