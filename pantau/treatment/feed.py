"""Feeding the statistics (15.d.iv, issue item 5): a country's treatment episodes of one year
become its TREATMENT_ADMISSION figures in the ADMN statistics: persons (distinct client codes)
entering treatment, by primary drug, sex and age group, with every total.

The figures go through the statistics' own import (pantau.statistics.ingest.pipeline.run_import)
as a file in its long layout, so its checks apply: codes, the Member State, and above all a
value already published is never changed by a feed (the import is refused and says why). They
arrive as drafts, for the national approver to submit like any other figure.

- Drug codes: the statistics DRUG codelist nests (METH = tablets + crystal + form not known,
  OPIATES = heroin + opium + other opiates); the group figures count the persons of the whole
  group, so a person is counted once in a group even with two episodes of two of its drugs.
- Small cells: a cell of 1 to 4 persons, and the cells that would reveal one through a total
  (aggregates.suppress, with the drug hierarchy), are left out of the file: they are never
  written into the statistics, which are published.
- Idempotent: every other cell of the table is written, zeros included, so running the feed
  again replaces the year's figures with the episodes' count of now (an unchanged figure is left
  as it is by the import); one audit event records each feed with its import's counts.
"""

import csv
import tempfile
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from pantau.audit.services import record
from pantau.core.actors import Actor, SystemActor, is_user
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState
from pantau.statistics.ingest.pipeline import run_import

from .aggregates import AGE_GROUPS, TOTAL, Cell, suppress
from .choices import Drug, Sex
from .models import Episode
from .permissions import sees_unsuppressed

INDICATOR = "TREATMENT_ADMISSION"
UNIT = "PERSON"
SOURCE = "Pantau treatment MIS: treatment episodes (EUDA TDI 3.0)"
FEED_ACTOR = SystemActor("pantau treatment feed")
# The statistics DRUG codelist's groups, by the treatment codes they hold (choices.Drug: METH
# and OPIATES there are "form not known" and "other opiates").
DRUG_GROUPS = {
    Drug.METH.value: [Drug.METH_TABLET.value, Drug.METH_CRYSTAL.value],
    Drug.OPIATES.value: [Drug.HEROIN.value, Drug.OPIUM.value],
}
COLUMNS = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "SEX",
    "AGE",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]


@dataclass
class FeedResult:
    member_state: str
    year: int
    rows: int  # cells written to the file (suppressed cells are not)
    suppressed: int
    status: str  # the statistics import's status: applied, failed...
    counts: dict[str, int]
    problems: list[str]
    data_import_id: int | None

    @property
    def ok(self) -> bool:
        return not self.problems


def _drug_codes(primary_drug: str) -> list[str]:
    """The statistics DRUG codes an episode counts under: its own (a group's own code means
    'form not known' in the treatment codelist, counted in the group only) and its group's."""
    for group, members in DRUG_GROUPS.items():
        if primary_drug in members:
            return [primary_drug, group]
    return [primary_drug]


def _age_code(age: int) -> str | None:
    for code, lo, hi in AGE_GROUPS:
        if lo <= age <= hi:
            return code
    return None


def admission_cells(member_state: str, year: int) -> dict[tuple[str, str, str], Cell]:
    """The whole (DRUG, SEX, AGE) table of the year with every total, zeros included,
    unsuppressed: persons are distinct client codes, episodes are episodes."""
    drugs = [TOTAL, *(d for d in Drug.values if d not in DRUG_GROUPS), *DRUG_GROUPS]
    sexes = [TOTAL, *Sex.values]
    ages = [TOTAL, *(code for code, _lo, _hi in AGE_GROUPS)]
    persons: dict[tuple[str, str, str], set[str]] = {}
    episodes: dict[tuple[str, str, str], int] = {}
    rows = Episode.objects.filter(
        centre__member_state__code=member_state, start_date__year=year
    ).values_list("client_code", "primary_drug", "sex", "age")
    for code, drug, sex, age in rows.iterator():
        age_code = _age_code(age)
        for key in product(
            [TOTAL, *_drug_codes(drug)], [TOTAL, sex], [TOTAL, *([age_code] if age_code else [])]
        ):
            persons.setdefault(key, set()).add(code)
            episodes[key] = episodes.get(key, 0) + 1
    return {
        key: Cell(key, len(persons.get(key, ())), episodes.get(key, 0))
        for key in product(drugs, sexes, ages)
    }


def write_feed_file(member_state: str, year: int, cells: dict, path: Path) -> int:
    """The statistics import's long CSV (docs/statistics-import.md) of the cells not
    suppressed; returns the number of rows."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for key, cell in sorted(cells.items()):
            if cell.suppressed:
                continue
            drug, sex, age = key
            comment = f"From {cell.episodes} treatment episode(s)" if cell.episodes else ""
            writer.writerow(
                [member_state, year, INDICATOR, drug, sex, age, UNIT, cell.persons, "A", comment]
            )
            written += 1
    return written


def can_feed(user: Actor, member_state: str) -> bool:
    """The country's national treatment coordinator; the command line runs as the system."""
    return isinstance(user, SystemActor) or sees_unsuppressed(user, member_state)


def feed_statistics(*, acting_user: Actor, member_state: str, year: int) -> FeedResult:
    """Produce the year's TREATMENT_ADMISSION figures of a Member State from its episodes and
    import them into the statistics as drafts (see the module's docstring)."""
    if not can_feed(acting_user, member_state):
        raise PermissionDenied(_("Only the country's treatment coordinator feeds its statistics."))
    if not MemberState.objects.filter(code=member_state).exists():
        raise ValueError(f"No Member State {member_state!r}")
    cells = admission_cells(member_state, year)
    if not cells[(TOTAL, TOTAL, TOTAL)].episodes:
        # A year the MIS was not used: its figures (typed in by hand, say) are left alone.
        return FeedResult(
            member_state=member_state,
            year=year,
            rows=0,
            suppressed=0,
            status="nothing",
            counts={},
            problems=[
                _("No treatment episode of %(state)s started in %(year)s: nothing was fed.")
                % {"state": member_state, "year": year}
            ],
            data_import_id=None,
        )
    suppress({k: c for k, c in cells.items() if c.persons}, {0: DRUG_GROUPS})
    with tempfile.TemporaryDirectory(prefix="pantau-treatment-feed-") as tmp:
        path = Path(tmp) / f"treatment-admissions-{member_state}-{year}.csv"
        rows = write_feed_file(member_state, year, cells, path)
        # The import writes in its own transaction; the feed's audit event follows it.
        result = run_import(
            acting_user=FEED_ACTOR,
            path=path,
            system=True,
            source=SOURCE,
            file_name=path.name,
        )
    data_import = result.data_import
    outcome = FeedResult(
        member_state=member_state,
        year=year,
        rows=rows,
        suppressed=sum(1 for c in cells.values() if c.suppressed),
        status=data_import.status,
        counts=dict(result.counts),
        problems=[p.format(path.name) for p in result.problems],
        data_import_id=data_import.pk,
    )
    with transaction.atomic():
        record(
            actor=acting_user,
            action="treatment.statistics.feed",
            object_type="statistics.dataimport",
            object_id=str(data_import.pk),
            member_state=member_state,
            after={
                "year": year,
                "indicator": INDICATOR,
                "rows": rows,
                "suppressed": outcome.suppressed,
                "status": outcome.status,
                "counts": outcome.counts,
                "problems": outcome.problems[:20],
                "by": "user" if is_user(acting_user) else "system",
            },
        )
    return outcome
