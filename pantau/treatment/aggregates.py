"""Yearly counts of treatment entries (persons and episodes) by primary drug, sex and age
group, with the totals of every dimension (code `_T`), and the small-cell suppression that
applies to anyone but the country's coordinator.

Persons are distinct client codes: the same person entering two centres is one person and
two episodes. Suppression: a cell of 1 to 4 persons is hidden (primary); then, until no
line of the table (one dimension varying, its total included) holds exactly one hidden
cell, the smallest visible cell of such a line is hidden too (secondary), so no total minus
the other cells gives a hidden count back."""

from dataclasses import dataclass
from itertools import product

from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from .models import Episode

TOTAL = "_T"
SMALLEST_SHOWN = 5
AGE_GROUPS = [  # (code, lowest age, highest age)
    ("Y_LT15", 0, 14),
    ("Y15T24", 15, 24),
    ("Y25T34", 25, 34),
    ("Y35T44", 35, 44),
    ("Y_GE45", 45, 200),
]
DIMENSIONS = {"DRUG": "primary_drug", "SEX": "sex", "AGE": "age_group"}
DIMENSION_LABELS = {"DRUG": _("Primary drug"), "SEX": _("Sex"), "AGE": _("Age group")}


@dataclass
class Cell:
    key: tuple[str, ...]
    persons: int
    episodes: int
    suppressed: bool = False


def _age_group():
    return Case(
        *[When(age__gte=lo, age__lte=hi, then=Value(code)) for code, lo, hi in AGE_GROUPS],
        default=Value("UNK"),
    )


def count(member_state: str, year: int, group_by: list[str]) -> dict[tuple[str, ...], Cell]:
    """Every cell and every total of the table, unsuppressed (one query per margin)."""
    base = Episode.objects.filter(centre__member_state__code=member_state, start_date__year=year)
    if "AGE" in group_by:
        base = base.annotate(age_group=_age_group())
    cells: dict[tuple[str, ...], Cell] = {}
    for kept in product([True, False], repeat=len(group_by)):
        fields = [DIMENSIONS[d] for d, keep in zip(group_by, kept, strict=True) if keep]
        rows = base.values(*fields) if fields else base
        measures = {
            "persons": Count("client_code", distinct=True),
            "episodes": Cast(Count("id"), IntegerField()),
        }
        result = rows.annotate(**measures).order_by() if fields else [rows.aggregate(**measures)]
        row: dict
        for row in result:  # type: ignore[assignment]
            if not row["episodes"]:
                continue
            key = tuple(
                str(row[DIMENSIONS[d]]) if keep else TOTAL
                for d, keep in zip(group_by, kept, strict=True)
            )
            cells[key] = Cell(key, row["persons"], row["episodes"])
    return cells


def suppress(cells: dict[tuple[str, ...], Cell]) -> None:
    """Mark the primary and secondary suppressions in place (see the module's docstring)."""
    for cell in cells.values():
        if 1 <= cell.persons < SMALLEST_SHOWN:
            cell.suppressed = True
    if not cells:
        return
    dims = len(next(iter(cells)))
    lines: list[list[Cell]] = []
    for d in range(dims):
        groups: dict[tuple, list[Cell]] = {}
        for key, cell in cells.items():
            groups.setdefault(key[:d] + key[d + 1 :], []).append(cell)
        lines.extend(sorted(g, key=lambda c: c.key) for g in groups.values())

    def choice(line: list[Cell], d_total) -> Cell:
        candidates = [c for c in line if not c.suppressed]
        inner = [c for c in candidates if not d_total(c)]
        pool = inner or candidates
        return min(pool, key=lambda c: (c.persons, c.key))

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if c.suppressed]
            if len(hidden) == 1 and len(line) > 1:
                # The dimension that varies along this line is where the keys differ.
                varying = next(i for i in range(dims) if len({c.key[i] for c in line}) > 1)
                choice(line, lambda c, i=varying: c.key[i] == TOTAL).suppressed = True
                changed = True


def table(member_state: str, year: int, group_by: list[str], *, suppressed: bool) -> list[Cell]:
    cells = count(member_state, year, group_by)
    if suppressed:
        suppress(cells)
    return sorted(cells.values(), key=lambda c: tuple((k == TOTAL, k) for k in c.key))


def unknown_dimensions(group_by: list[str]) -> list[str]:
    return [d for d in group_by if d not in DIMENSIONS]
