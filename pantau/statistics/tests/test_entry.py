"""The data-entry forms: only a Member State's own focal points and approvers (others 404 for
another state's forms, 403 for the wrong role, anonymous to sign in; a refused request writes
nothing); a save round-trip through the imports' validation, in canonical units, with
history and audit; totals computed and checked; published values read-only; conflicts."""

import html as html_lib
import re

import pytest
from django.db.models import Max

from pantau.audit.models import AuditEvent

from ..ingest import pipeline
from ..models import DataValue, DataValueHistory
from .factories import write_csv

pytestmark = pytest.mark.django_db

SEIZURES = "/statistics/entry/TH/2020/seizures/"
ARRESTS = "/statistics/entry/TH/2020/arrests_cases/"


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def values() -> set[tuple]:
    return set(
        DataValue.objects.values_list(
            "indicator__code",
            "ref_area",
            "drug",
            "sex",
            "offence",
            "unit_kind",
            "obs_value",
            "reported_unit",
            "reported_value",
            "version",
            "status",
        )
    )


def form_of(response) -> dict[str, str]:
    """What a browser would send back: every input and the selected option of every select."""
    page = response.content.decode()
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name[1] != "csrfmiddlewaretoken":
            data[name[1]] = html_lib.unescape(value[1]) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]+)"[^>]*selected', options)
        data[name] = chosen[1] if chosen else re.search(r'<option value="([^"]+)"', options)[1]
    return data


def save(client, url, **cells):
    """Open the form, type `cells` over it ({"DRUG_SEIZURE.HEROIN.mass": ("2.5", "KG")} or
    a value alone), send it back."""
    data = form_of(client.get(url))
    for stem, typed in cells.items():
        stem = stem.replace("__", ".")
        value, unit = typed if isinstance(typed, tuple) else (typed, None)
        assert f"{stem}.value" in data, stem
        data[f"{stem}.value"] = value
        if unit:
            data[f"{stem}.unit"] = unit
    return client.post(url, data)


# --- who may enter data ------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in ("/statistics/entry/", SEIZURES):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(SEIZURES, {"DRUG_SEIZURE.HEROIN.mass.value": "1"}).status_code == 302
    assert not DataValue.objects.exists()


@pytest.mark.parametrize("who", ["secretariat", "admin", "wg"])
def test_roles_that_do_not_enter_data_get_403_and_nothing_changes(who, people, client):
    login(client, getattr(people, who))
    events = last_event_id()
    assert client.get("/statistics/entry/").status_code == 403
    assert client.get(SEIZURES).status_code == 403
    response = client.post(
        SEIZURES,
        {"DRUG_SEIZURE.HEROIN.mass.value": "1", "DRUG_SEIZURE.HEROIN.mass.unit": "KG"},
    )
    assert response.status_code == 403
    assert not DataValue.objects.exists()
    assert last_event_id() == events


def test_another_member_states_forms_are_not_found_and_nothing_changes(people, client):
    login(client, people.my_focal)
    events = last_event_id()
    assert client.get(SEIZURES).status_code == 404
    response = client.post(
        SEIZURES,
        {
            "DRUG_SEIZURE.HEROIN.mass.value": "1",
            "DRUG_SEIZURE.HEROIN.mass.unit": "KG",
            "DRUG_SEIZURE.HEROIN.mass.version": "0",
        },
    )
    assert response.status_code == 404
    assert not DataValue.objects.exists()
    assert last_event_id() == events
    assert client.get("/statistics/entry/MY/2020/seizures/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/statistics/entry/TH/2020/nonsense/",
        "/statistics/entry/TH/2031/seizures/",  # outside the Work Plans
        "/statistics/entry/XX/2020/seizures/",
    ],
)
def test_forms_that_do_not_exist_are_not_found(url, people, client):
    assert login(client, people.th_focal).get(url).status_code == 404


def test_a_state_has_no_form_for_years_before_it_joined(make_user, client):
    login(client, make_user("focal_point", "TL"))
    assert client.get("/statistics/entry/TL/2020/seizures/").status_code == 404
    assert client.get("/statistics/entry/TL/2025/seizures/").status_code == 200


@pytest.mark.parametrize("who", ["th_focal", "th_approver"])
def test_the_states_focal_points_and_approvers_get_its_forms(who, people, client):
    login(client, getattr(people, who))
    index = client.get("/statistics/entry/").content.decode()
    assert 'href="/statistics/entry/TH/2020/seizures/"' in index
    assert "/statistics/entry/MY/" not in index
    for group in (
        "seizures",
        "arrests_cases",
        "precursors",
        "laboratories",
        "cultivation",
        "treatment",
    ):
        assert client.get(f"/statistics/entry/TH/2020/{group}/").status_code == 200, group


# --- the grids ---------------------------------------------------------------------------------


def test_the_seizure_grid_has_a_row_per_drug_and_a_unit_choice_per_kind(people, client):
    page = login(client, people.th_focal).get(SEIZURES).content.decode()
    data = form_of(client.get(SEIZURES))
    for drug in ("METH_TABLET", "METH_CRYSTAL", "HEROIN", "KRATOM"):
        for kind in ("mass", "volume", "dosage"):
            assert f"DRUG_SEIZURE.{drug}.{kind}.value" in data
    # Leaves only: a parent (METH) has no row until a value is stored for it.
    assert "DRUG_SEIZURE.METH.mass.value" not in data
    units = re.search(
        r'<select name="DRUG_SEIZURE.HEROIN.mass.unit"[^>]*>(.*?)</select>', page, re.S
    )
    assert re.findall(r'<option value="(\w+)"', units[1]) == ["KG", "G", "MG", "T"]
    units = re.search(
        r'<select name="DRUG_SEIZURE.HEROIN.dosage.unit"[^>]*>(.*?)</select>', page, re.S
    )
    assert re.findall(r'<option value="(\w+)"', units[1]) == ["UNIT", "TABLET"]


def test_the_arrest_grid_has_offences_by_sex_with_the_total(people, client):
    data = form_of(login(client, people.th_focal).get(ARRESTS))
    for offence in ("TRAFFICKING", "POSSESSION", "USE", "_T"):
        for sex in ("F", "M", "_T"):
            assert f"DRUG_ARREST.{offence}.{sex}.value" in data
    assert data["DRUG_ARREST.USE.F.unit"] == "PERSON"
    assert "DRUG_CASE.TRAFFICKING.count.value" in data
    assert "DRUG_OPERATION._T.count.value" in data


# --- saving ------------------------------------------------------------------------------------


def test_a_save_round_trip_in_canonical_units_with_history_and_audit(people, client):
    login(client, people.th_focal)
    events = last_event_id()

    response = save(
        client,
        SEIZURES,
        DRUG_SEIZURE__METH_TABLET__dosage=("361000000", "TABLET"),
        DRUG_SEIZURE__METH_CRYSTAL__mass=("1200", "G"),
        DRUG_SEIZURE__HEROIN__mass=("2.5", "KG"),
    )

    assert response.status_code == 302 and response["Location"] == SEIZURES
    assert values() == {
        (
            "DRUG_SEIZURE",
            "TH",
            "METH_TABLET",
            "_T",
            "_T",
            "dosage",
            361e6,
            "TABLET",
            361e6,
            1,
            "draft",
        ),
        ("DRUG_SEIZURE", "TH", "METH_CRYSTAL", "_T", "_T", "mass", 1.2, "G", 1200, 1, "draft"),
        ("DRUG_SEIZURE", "TH", "HEROIN", "_T", "_T", "mass", 2.5, "KG", 2.5, 1, "draft"),
    }
    assert set(DataValue.objects.values_list("updated_by", flat=True)) == {people.th_focal.pk}
    event = AuditEvent.objects.get(pk__gt=events)
    assert (event.action, event.member_state, event.actor_id) == (
        "statistics.entry.save",
        "TH",
        people.th_focal.pk,
    )
    assert event.after["created"] == 3

    # The form shows what was saved, in the unit it was reported in, with thousands
    # separators (read back as the same number).
    page = client.get(SEIZURES)
    data = form_of(page)
    assert (
        data["DRUG_SEIZURE.METH_CRYSTAL.mass.value"],
        data["DRUG_SEIZURE.METH_CRYSTAL.mass.unit"],
    ) == ("1,200", "G")
    assert data["DRUG_SEIZURE.METH_CRYSTAL.mass.version"] == "1"
    assert "Saved: 3 new, 0 changed" in page.content.decode()

    # Sent back unchanged: nothing is written.
    before = values()
    response = client.post(SEIZURES, data)
    assert response.status_code == 302
    assert values() == before
    assert last_event_id() == event.pk

    # A change keeps the old value in the history.
    save(client, SEIZURES, DRUG_SEIZURE__HEROIN__mass=("3000", "G"))
    heroin = DataValue.objects.get(drug="HEROIN")
    assert (heroin.obs_value, heroin.reported_unit, heroin.version) == (3.0, "G", 2)
    old = DataValueHistory.objects.get(value=heroin)
    assert (old.obs_value, old.reported_unit, old.version) == (2.5, "KG", 1)
    assert AuditEvent.objects.get(pk__gt=event.pk).before == {
        "DRUG_SEIZURE.HEROIN.mass mass": "2.5 KG"
    }


def test_an_empty_total_is_computed_from_female_and_male(people, client):
    login(client, people.th_focal)

    save(
        client,
        ARRESTS,
        DRUG_ARREST__TRAFFICKING__F="10",
        DRUG_ARREST__TRAFFICKING__M="15",
        DRUG_ARREST__USE__F="4",  # M unknown: no total computed
    )

    arrests = {
        (v.offence, v.sex): v.obs_value
        for v in DataValue.objects.filter(indicator__code="DRUG_ARREST")
    }
    assert arrests == {
        ("TRAFFICKING", "F"): 10,
        ("TRAFFICKING", "M"): 15,
        ("TRAFFICKING", "_T"): 25,
        ("USE", "F"): 4,
    }


def test_a_total_that_differs_from_female_and_male_is_refused_on_its_row(people, client):
    login(client, people.th_focal)
    events = last_event_id()

    response = save(
        client,
        ARRESTS,
        DRUG_ARREST__TRAFFICKING__F="10",
        DRUG_ARREST__TRAFFICKING__M="15",
        DRUG_ARREST__TRAFFICKING___T="20",
        DRUG_CASE__TRAFFICKING__count="7",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Trafficking: female + male = 25 but the total is 20" in page
    assert "nothing was saved" in page
    # What was typed is shown again, to be corrected.
    assert form_of(response)["DRUG_ARREST.TRAFFICKING._T.value"] == "20"
    assert not DataValue.objects.exists()
    assert last_event_id() == events


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("many", "&#x27;many&#x27; is not a number"),
        ("-5", "-5 is negative"),
        ("1,5", "is not a number"),  # a decimal comma: not read as 15 nor as 1.5
    ],
)
def test_a_bad_figure_is_refused_on_its_cell_and_nothing_is_saved(typed, message, people, client):
    login(client, people.th_focal)
    response = save(
        client,
        SEIZURES,
        DRUG_SEIZURE__HEROIN__mass=("1", "KG"),
        DRUG_SEIZURE__OPIUM__mass=(typed, "KG"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="e-DRUG_SEIZURE.OPIUM.mass"' in page and message in page
    assert not DataValue.objects.exists()


def test_a_unit_of_another_kind_is_refused(people, client):
    login(client, people.th_focal)
    data = form_of(client.get(SEIZURES))
    data["DRUG_SEIZURE.HEROIN.mass.value"] = "5"
    data["DRUG_SEIZURE.HEROIN.mass.unit"] = "PERSON"
    response = client.post(SEIZURES, data)
    assert response.status_code == 400
    assert "DRUG_SEIZURE is measured in" in response.content.decode()
    assert not DataValue.objects.exists()


def test_a_saved_value_cannot_be_emptied(people, client):
    login(client, people.th_focal)
    save(client, SEIZURES, DRUG_SEIZURE__HEROIN__mass=("1", "KG"))
    before = values()
    response = save(client, SEIZURES, DRUG_SEIZURE__HEROIN__mass="")
    assert response.status_code == 400
    assert "cannot be emptied" in response.content.decode()
    assert values() == before


def test_a_value_saved_by_someone_else_meanwhile_is_a_conflict(people, client):
    login(client, people.th_focal)
    stale = form_of(client.get(SEIZURES))
    login(client, people.th_approver)
    save(client, SEIZURES, DRUG_SEIZURE__HEROIN__mass=("1", "KG"))
    before = values()

    login(client, people.th_focal)
    stale["DRUG_SEIZURE.HEROIN.mass.value"] = "2"
    response = client.post(SEIZURES, stale)

    assert response.status_code == 400
    assert "changed by th_approver since this form was opened (now: 1 KG)" in (
        response.content.decode()
    )
    assert values() == before
    # The form now carries the current version: saving again is possible.
    assert client.post(SEIZURES, form_of(response)).status_code == 302
    assert DataValue.objects.get(drug="HEROIN").reported_value == 2


def test_published_values_are_read_only(people, client, tmp_path):
    path = write_csv(
        tmp_path / "published.csv",
        [["TH", "2020", "DRUG_SEIZURE", "HEROIN", "", "", "", "KG", "7", "A", ""]],
    )
    pipeline.run_import(
        acting_user=people.admin, path=path, publish=True, source="ADMN report 2020"
    )
    login(client, people.th_focal)

    response = client.get(SEIZURES)
    page = response.content.decode()
    assert 'name="DRUG_SEIZURE.HEROIN.mass.value"' not in page
    # The unit by its name: SDMX codes only for people who ask (?codes=1).
    assert re.search(r'<span class="readonly-value">7</span> Kilogram <span class="chip"', page)
    coded = client.get(SEIZURES + "?codes=1").content.decode()
    assert re.search(r'<span class="readonly-value">7</span> KG <span class="chip"', coded)

    # Sending a value for it anyway changes nothing; the rest of the form is saved.
    data = form_of(response)
    data["DRUG_SEIZURE.HEROIN.mass.value"] = "9"
    data["DRUG_SEIZURE.HEROIN.mass.unit"] = "KG"
    data["DRUG_SEIZURE.HEROIN.mass.version"] = "1"
    data["DRUG_SEIZURE.OPIUM.mass.value"] = "3"
    assert client.post(SEIZURES, data).status_code == 302
    heroin = DataValue.objects.get(drug="HEROIN")
    assert (heroin.obs_value, heroin.status, heroin.version) == (7, "published", 1)
    assert DataValue.objects.get(drug="OPIUM").status == "draft"


def test_a_form_is_built_in_a_fixed_number_of_queries(
    people, client, django_assert_max_num_queries
):
    login(client, people.th_focal)
    save(
        client,
        SEIZURES,
        DRUG_SEIZURE__HEROIN__mass=("1", "KG"),
        DRUG_SEIZURE__OPIUM__mass=("2", "KG"),
        DRUG_SEIZURE__MDMA__dosage=("300", "TABLET"),
    )
    # 18: the earlier years' values and the bounds (the plausible range) are two of them.
    with django_assert_max_num_queries(18):
        assert client.get(SEIZURES).status_code == 200
