"""Aggregates: persons by client code, and small-cell suppression (primary and secondary)
proved on crafted tables: no shown total minus the shown cells of its line gives back a
hidden count."""

import datetime
from itertools import product

import pytest

from pantau.treatment.aggregates import TOTAL, Cell, suppress

from .factories import make_episode

pytestmark = pytest.mark.django_db
AGG = "/api/v1/treatment/aggregates?REF_AREA=TH&TIME_PERIOD=2024&group_by=DRUG,SEX"


def crafted(inner: dict[tuple[str, str], int]) -> dict:
    """A DRUG x SEX table with its margins, additive."""
    cells = {k: Cell(k, v, v) for k, v in inner.items()}
    drugs = {d for d, _ in inner}
    sexes = {s for _, s in inner}
    for d in drugs:
        v = sum(n for (dd, _), n in inner.items() if dd == d)
        cells[(d, TOTAL)] = Cell((d, TOTAL), v, v)
    for s in sexes:
        v = sum(n for (_, ss), n in inner.items() if ss == s)
        cells[(TOTAL, s)] = Cell((TOTAL, s), v, v)
    g = sum(inner.values())
    cells[(TOTAL, TOTAL)] = Cell((TOTAL, TOTAL), g, g)
    return cells


def assert_nothing_derivable(cells: dict) -> None:
    for cell in cells.values():
        if 1 <= cell.persons <= 4:
            assert cell.suppressed, cell
    # Every line (one dimension varying, its total included) hides 0 or at least 2 cells.
    for d in range(2):
        lines: dict = {}
        for key, cell in cells.items():
            lines.setdefault(key[:d] + key[d + 1 :], []).append(cell)
        for line in lines.values():
            assert sum(c.suppressed for c in line) != 1, [(c.key, c.suppressed) for c in line]


def test_a_row_total_cannot_reveal_a_small_cell():
    cells = crafted({("METH", "F"): 3, ("METH", "M"): 40, ("HEROIN", "F"): 12, ("HEROIN", "M"): 30})
    suppress(cells)
    assert cells[("METH", "F")].suppressed
    # METH total (43) minus METH M (40) would give 3: one more cell of the row is hidden,
    # and of the column, and the pattern closes.
    assert_nothing_derivable(cells)
    assert not cells[(TOTAL, TOTAL)].suppressed


def test_a_row_with_one_cell_hides_its_total():
    cells = crafted({("KRATOM", "M"): 2, ("METH", "M"): 50, ("METH", "F"): 20})
    suppress(cells)
    assert cells[("KRATOM", "M")].suppressed and cells[("KRATOM", TOTAL)].suppressed
    assert_nothing_derivable(cells)


@pytest.mark.parametrize("seed", range(30))
def test_random_tables(seed):
    import random

    rng = random.Random(seed)
    drugs = ["METH", "HEROIN", "KRATOM", "CANNABIS"][: rng.randint(1, 4)]
    inner = {k: rng.choice([0, 1, 2, 4, 5, 7, 30]) for k in product(drugs, ["F", "M"])}
    cells = crafted({k: v for k, v in inner.items() if v})
    if not cells:
        return
    suppress(cells)
    assert_nothing_derivable(cells)


def test_same_person_two_centres_is_one_person_two_episodes(api_client, people, centres):
    for staff, centre in ((people.th1, centres.th1), (people.th2, centres.th2)):
        make_episode(staff, centre, initials="SK", dob=datetime.date(1990, 1, 1), sex="M")
    body = api_client.get(AGG, headers=api_client.bearer(people.th_coord)).json()
    assert body["suppression_applied"] is False
    total = next(c for c in body["cells"] if c["key"] == {"DRUG": TOTAL, "SEX": TOTAL})
    assert (total["persons"], total["episodes"]) == (1, 2)


@pytest.mark.parametrize("who", ["my_coord", "th1", None])
def test_suppressed_for_anyone_but_the_countrys_coordinator(
    api_client, people, centres, outsiders, who
):
    for i in range(6):
        make_episode(people.th1, centres.th1, initials=f"A{chr(65 + i)}", sex="M")
    make_episode(people.th1, centres.th1, initials="FF", sex="F")
    users = [getattr(people, who)] if who else [None]
    if who is None:
        users += list(outsiders.values())
    for user in users:
        headers = api_client.bearer(user) if user else {}
        body = api_client.get(AGG, headers=headers).json()
        assert body["suppression_applied"] is True
        shown = {tuple(c["key"].values()): c for c in body["cells"]}
        assert shown[("METH_TABLET", "F")]["persons"] is None
        assert shown[("METH_TABLET", "F")]["suppressed"] is True
        # The row total minus the men would give the women: hidden too.
        assert (
            shown[("METH_TABLET", TOTAL)]["persons"] is None
            or shown[("METH_TABLET", "M")]["persons"] is None
        )
    coordinator = api_client.get(AGG, headers=api_client.bearer(people.th_coord)).json()
    shown = {tuple(c["key"].values()): c for c in coordinator["cells"]}
    assert shown[("METH_TABLET", "F")]["persons"] == 1


def test_group_by_is_checked(api_client):
    response = api_client.get(AGG.replace("DRUG,SEX", "DRUG,NAME"))
    assert response.status_code == 400
