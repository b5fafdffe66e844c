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
AGE_GROUPS = [  # (code of the statistics AGE codelist, lowest age, highest age)
    ("Y_LT18", 0, 17),
    ("Y18T24", 18, 24),
    ("Y25T34", 25, 34),
    ("Y35T44", 35, 44),
    ("Y_GE45", 45, 200),
]
AGE_LABELS = {
    "Y_LT18": _("Under 18 years"),
    "Y18T24": _("18 to 24 years"),
    "Y25T34": _("25 to 34 years"),
    "Y35T44": _("35 to 44 years"),
    "Y_GE45": _("45 years and over"),
}
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


def suppress(
    cells: dict[tuple[str, ...], Cell], hierarchies: dict[int, dict[str, list[str]]] | None = None
) -> None:
    """Mark the primary and secondary suppressions in place (see the module's docstring).
    `hierarchies`: for a dimension whose codes nest (the statistics DRUG codelist: METH is
    METH_TABLET, METH_CRYSTAL and more), {dimension's position: {parent: [children]}}; its
    lines are then the top level with the total, and each parent with its children."""
    for cell in cells.values():
        if 1 <= cell.persons < SMALLEST_SHOWN:
            cell.suppressed = True
    if not cells:
        return
    dims = len(next(iter(cells)))
    hierarchies = hierarchies or {}
    # (cells of one line, position of the dimension varying along it, that line's total code)
    lines: list[tuple[list[Cell], int, str]] = []

    def add_lines(d: int, codes: set[str] | None, total: str) -> None:
        groups: dict[tuple, list[Cell]] = {}
        for key, cell in cells.items():
            if codes is None or key[d] in codes:
                groups.setdefault(key[:d] + key[d + 1 :], []).append(cell)
        lines.extend((sorted(g, key=lambda c: c.key), d, total) for g in groups.values())

    for d in range(dims):
        tree = hierarchies.get(d)
        if not tree:
            add_lines(d, None, TOTAL)
            continue
        children = {c for kids in tree.values() for c in kids}
        add_lines(d, {k[d] for k in cells} - children, TOTAL)
        for parent, kids in tree.items():
            add_lines(d, {parent, *kids}, parent)

    def choice(line: list[Cell], d: int, total: str) -> Cell:
        candidates = [c for c in line if not c.suppressed]
        inner = [c for c in candidates if c.key[d] != total]
        pool = inner or candidates
        return min(pool, key=lambda c: (c.persons, c.key))

    changed = True
    while changed:
        changed = False
        for line, d, total in lines:
            hidden = [c for c in line if c.suppressed]
            if len(hidden) == 1 and len(line) > 1:
                choice(line, d, total).suppressed = True
                changed = True


def table(member_state: str, year: int, group_by: list[str], *, suppressed: bool) -> list[Cell]:
    cells = count(member_state, year, group_by)
    if suppressed:
        suppress(cells)
    return sorted(cells.values(), key=lambda c: tuple((k == TOTAL, k) for k in c.key))


def unknown_dimensions(group_by: list[str]) -> list[str]:
    return [d for d in group_by if d not in DIMENSIONS]
