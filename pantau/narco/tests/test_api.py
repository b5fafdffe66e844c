"""The ASEAN-NARCO API: creating and reading records, If-Match on changes, ids that leak
nothing, and an audit event for every read."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.narco.models import Person, Syndicate
from pantau.site.api import api

from .factories import last_event_id, make_person

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/narco/persons"
SYNDICATES = "/api/v1/narco/syndicates"


def row(model, pk: int) -> dict:
    return model.objects.filter(pk=pk).values().get()


def put(client, url: str, user, data: dict, if_match: str | None = None):
    headers = client.bearer(user)
    if if_match is not None:
        headers["If-Match"] = if_match
    return client.put(url, data=data, content_type="application/json", headers=headers)


def test_the_smallest_valid_person(api_client, officers):
    response = api_client.post(
        PERSONS,
        data={"names": ["Somchai X"], "nationality": "TH", "sharing": {"states": ["MY"]}},
        content_type="application/json",
        headers=api_client.bearer(officers.th),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.originator.code == "TH"
    assert person.created_by == officers.th
    assert body["names"] == ["Somchai X"]
    assert body["sharing"] == {"originator": "TH", "states": ["MY"]}
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert AuditEvent.objects.filter(
        action="narco.person.create", object_id=str(person.pk), member_state="TH"
    ).exists()
    # Malaysia sees it, Lao PDR does not.
    my = api_client.get(f"{PERSONS}/{person.pk}", headers=api_client.bearer(officers.my))
    assert my.status_code == 200
    la = api_client.get(f"{PERSONS}/{person.pk}", headers=api_client.bearer(officers.la))
    assert la.status_code == 404


@pytest.mark.parametrize(
    ("sharing", "expected"),
    [
        ({"states": "all"}, "all"),
        ({"states": []}, []),
        ({"originator": "TH", "states": ["LA", "MY"]}, ["LA", "MY"]),
        (None, []),
    ],
)
def test_sharing_is_written_and_read_back(api_client, officers, sharing, expected):
    data: dict = {"names": ["Somchai X"], "nationality": "TH"}
    if sharing is not None:
        data["sharing"] = sharing
    response = api_client.post(
        PERSONS, data=data, content_type="application/json", headers=api_client.bearer(officers.th)
    )
    assert response.status_code == 201, response.text
    assert response.json()["sharing"] == {"originator": "TH", "states": expected}


def test_a_full_person_round_trips(api_client, officers):
    data = {
        "names": ["Illustrative Somchai Demo", "Illustrative สมชาย เดโม"],
        "nationality": "th",
        "date_of_birth": "1979-04-01",
        "identity_documents": [{"type": "passport", "number": "ZX9876543", "country": "TH"}],
        "wanted_by": "TH",
        "wanted_for": "Illustrative charge",
        "status": "wanted",
        "sharing": {"states": "all"},
    }
    headers = api_client.bearer(officers.th)
    created = api_client.post(PERSONS, data=data, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.text
    read = api_client.get(f"{PERSONS}/{created.json()['id']}", headers=headers).json()
    assert read["nationality"] == "TH"
    assert read["date_of_birth"] == "1979-04-01"
    assert read["identity_documents"] == data["identity_documents"]
    assert read["wanted_by"] == "TH"
    assert read["status"] == "wanted"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"names": [], "nationality": "TH"}, "names:"),
        ({"names": ["X"], "nationality": "Thailand"}, "nationality:"),
        ({"names": ["X"], "nationality": "TH", "status": "dead"}, "status:"),
        ({"names": ["X"], "nationality": "TH", "wanted_by": "ZZ"}, "wanted_by:"),
        ({"names": ["X"], "nationality": "TH", "sharing": {"states": ["ZZ"]}}, "sharing.states:"),
        (
            {"names": ["X"], "nationality": "TH", "sharing": {"originator": "MY"}},
            "sharing.originator:",
        ),
    ],
)
def test_validation_problems_answer_400_with_the_list(api_client, officers, data, problem):
    headers = api_client.bearer(officers.th)  # issuing a token is an audited write
    events = last_event_id()
    response = api_client.post(PERSONS, data=data, content_type="application/json", headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert any(p.startswith(problem) for p in body["problems"]), body
    assert not Person.objects.exists()
    assert last_event_id() == events


def test_hidden_ids_answer_exactly_like_missing_ids(api_client, officers, records):
    headers = api_client.bearer(officers.my)
    for url in (f"{PERSONS}/{records.th_only.pk}", f"{SYNDICATES}/{records.syn_th.pk}"):
        hidden = api_client.get(url, headers=headers)
        missing = api_client.get(url.rsplit("/", 1)[0] + "/999999", headers=headers)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
        assert hidden.headers.get("ETag") == missing.headers.get("ETag") is None

    before = row(Person, records.th_only.pk)
    events = last_event_id()
    for pk in (records.th_only.pk, 999999):
        response = put(api_client, f"{PERSONS}/{pk}", officers.my, {"status": "closed"}, '"1"')
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    assert row(Person, records.th_only.pk) == before
    assert last_event_id() == events


def test_a_read_is_audited_with_reader_originator_and_address(api_client, officers, records):
    response = api_client.get(
        f"{PERSONS}/{records.th_my.pk}",
        headers=api_client.bearer(officers.my),
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200
    assert response.json()["identity_documents"][0]["number"] == "ZX9876543"
    assert response.headers["ETag"] == '"1"'
    event = AuditEvent.objects.filter(action="narco.person.read").latest("id")
    assert event.actor == officers.my
    assert event.member_state == "TH"
    assert event.object_id == str(records.th_my.pk)
    assert event.client_address == "203.0.113.7"
    assert "Somchai" not in str(event.after) + event.object_repr  # no names in the log


def test_a_list_is_audited_for_each_originating_state(api_client, officers, records):
    api_client.get(PERSONS, headers=api_client.bearer(officers.th))
    events = AuditEvent.objects.filter(action="narco.person.list", actor=officers.th)
    by_state = {e.member_state: e.after["ids"] for e in events}
    assert by_state == {
        "TH": [records.th_only.pk, records.th_my.pk, records.th_all.pk],
        "LA": [records.la_th.pk],
    }


def test_put_with_the_current_version_saves(api_client, officers, records):
    url = f"{PERSONS}/{records.th_my.pk}"
    response = put(
        api_client,
        url,
        officers.th2,
        {"status": "in_custody", "sharing": {"states": "all"}, "wanted_for": None},
        '"1"',
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "in_custody"
    assert body["sharing"] == {"originator": "TH", "states": "all"}
    assert body["names"] == ["Illustrative Somchai Demo"]  # fields left out are kept
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'
    assert AuditEvent.objects.filter(action="narco.person.update", member_state="TH").exists()


def test_a_stale_if_match_answers_412_and_changes_nothing(api_client, officers, records):
    url = f"{PERSONS}/{records.th_my.pk}"
    assert put(api_client, url, officers.th, {"status": "closed"}, '"1"').status_code == 200
    api_client.bearer(officers.th2)
    before, events = row(Person, records.th_my.pk), last_event_id()
    response = put(api_client, url, officers.th2, {"status": "extradited"}, '"1"')
    assert response.status_code == 412
    assert response.headers["ETag"] == '"2"'
    assert row(Person, records.th_my.pk) == before
    assert last_event_id() == events


def test_a_missing_if_match_answers_428(api_client, officers, records):
    before = row(Person, records.th_my.pk)
    response = put(api_client, f"{PERSONS}/{records.th_my.pk}", officers.th, {"status": "closed"})
    assert response.status_code == 428
    bad = put(api_client, f"{PERSONS}/{records.th_my.pk}", officers.th, {"status": "closed"}, "x")
    assert bad.status_code == 400
    assert row(Person, records.th_my.pk) == before


def test_a_partner_cannot_change_a_record_shared_with_it(api_client, officers, records):
    api_client.bearer(officers.my)
    before, events = row(Person, records.th_my.pk), last_event_id()
    response = put(
        api_client, f"{PERSONS}/{records.th_my.pk}", officers.my, {"status": "closed"}, '"1"'
    )
    assert response.status_code in (403, 404)
    assert row(Person, records.th_my.pk) == before
    assert last_event_id() == events
    syndicate = put(
        api_client, f"{SYNDICATES}/{records.syn_all.pk}", officers.my, {"name": "Changed"}, '"1"'
    )
    assert syndicate.status_code in (403, 404)
    assert Syndicate.objects.get(pk=records.syn_all.pk).name == "Illustrative Golden Network"
    assert last_event_id() == events


def test_syndicates_are_created_read_and_changed(api_client, officers):
    member = make_person(officers.th, ["Illustrative Member"], "all")
    headers = api_client.bearer(officers.th)
    created = api_client.post(
        SYNDICATES,
        data={
            "name": "Illustrative Ring",
            "aliases": ["Illustrative R"],
            "drug_types": ["methamphetamine"],
            "members": [member.pk],
            "sharing": {"states": ["MY"]},
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["members"] == [member.pk]
    assert body["sharing"] == {"originator": "TH", "states": ["MY"]}
    url = f"{SYNDICATES}/{body['id']}"
    read = api_client.get(url, headers=api_client.bearer(officers.my))
    assert read.status_code == 200
    assert read.json()["aliases"] == ["Illustrative R"]
    changed = put(api_client, url, officers.th, {"status": "disrupted", "members": []}, '"1"')
    assert changed.status_code == 200, changed.text
    assert changed.json()["members"] == []
    assert changed.json()["status"] == "disrupted"
    empty = put(api_client, url, officers.th, {"name": " "}, '"2"')
    assert empty.status_code == 400
    assert empty.json()["problems"] == ["name: required"]


def test_a_syndicate_cannot_link_a_person_hidden_from_its_author(api_client, officers):
    hidden = make_person(officers.th, ["Illustrative Hidden"])
    response = api_client.post(
        SYNDICATES,
        data={"name": "Illustrative Ring", "members": [hidden.pk]},
        content_type="application/json",
        headers=api_client.bearer(officers.my),
    )
    assert response.status_code == 400
    assert response.json()["problems"] == ["members: unknown person id"]


def test_the_audit_api_shows_no_narco_event_even_to_the_secretariat(
    api_client, officers, records, make_user
):
    api_client.get(f"{PERSONS}/{records.th_all.pk}", headers=api_client.bearer(officers.my))
    assert AuditEvent.objects.filter(action__startswith="narco.").count() > 5
    for user in (
        make_user("secretariat"),
        make_user("administrator"),
        make_user("focal_point", "TH"),
    ):
        response = api_client.get(
            "/api/v1/audit/events", {"limit": 1000}, headers=api_client.bearer(user)
        )
        assert response.status_code == 200
        assert response.json(), "the log has other events"
        assert not [e for e in response.json() if e["action"].startswith("narco.")]
        filtered = api_client.get(
            "/api/v1/audit/events", {"action": "narco."}, headers=api_client.bearer(user)
        )
        assert filtered.json() == []


def test_every_narco_operation_is_documented():
    paths = api.get_openapi_schema()["paths"]
    narco = {p: set(ops) for p, ops in paths.items() if p.startswith("/api/v1/narco/")}
    assert narco == {
        "/api/v1/narco/persons": {"get", "post"},
        "/api/v1/narco/persons/{id}": {"get", "put"},
        "/api/v1/narco/syndicates": {"get", "post"},
        "/api/v1/narco/syndicates/{id}": {"get", "put"},
        "/api/v1/narco/search": {"get"},
    }


def test_the_list_takes_a_fixed_number_of_queries(
    api_client, officers, records, django_assert_max_num_queries
):
    for n in range(10):
        make_person(officers.th, [f"Illustrative Extra {n}"], ["MY", "LA"])
    headers = api_client.bearer(officers.my)
    with django_assert_max_num_queries(20):
        response = api_client.get(PERSONS, headers=headers)
    assert len(response.json()) == 12
    with django_assert_max_num_queries(20):
        assert api_client.get(SYNDICATES, headers=headers).status_code == 200
