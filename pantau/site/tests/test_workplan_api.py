"""The public catalogue API and the API's self-description."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

PLAN = "/api/v1/workplans/2016-2025"


@pytest.fixture
def plan(client):
    response = client.get(PLAN)
    assert response.status_code == 200
    return response.json()


def activities(plan: dict) -> dict[str, dict]:
    return {
        a["code"]: a for s in plan["sections"] for c in s["components"] for a in c["activities"]
    }


def components(plan: dict) -> dict[int, dict]:
    return {c["number"]: c for s in plan["sections"] for c in s["components"]}


def test_list_shows_both_plans_as_a_history(client):
    response = client.get("/api/v1/workplans/")
    assert response.status_code == 200
    plans = {p["code"]: p for p in response.json()}
    assert list(plans) == ["2009-2015", "2016-2025"]
    assert plans["2009-2015"]["successor"] == "2016-2025"
    assert plans["2009-2015"]["predecessor"] is None
    assert plans["2016-2025"]["predecessor"] == "2009-2015"
    assert plans["2016-2025"]["successor"] is None
    assert plans["2016-2025"]["url"] == PLAN
    assert (plans["2016-2025"]["period_start"], plans["2016-2025"]["period_end"]) == (2016, 2025)


def test_plan_counts(plan):
    assert plan["code"] == "2016-2025"
    assert plan["counts"]["sections"] == 7
    assert plan["counts"]["components"] == 26
    assert plan["counts"]["activities"] == 73
    assert plan["counts"]["reportable"] == 81
    # The counts describe the tree that is returned, not a separate query.
    assert len(plan["sections"]) == 7
    assert len(components(plan)) == 26
    assert len(activities(plan)) == 73
    leaves = [
        child["code"] if a["children"] else a["code"]
        for a in activities(plan).values()
        for child in (a["children"] or [None])
    ]
    assert len(leaves) == 81


def test_plan_tree_is_nested(plan):
    assert [s["numeral"] for s in plan["sections"]] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert [c["number"] for c in components(plan).values()] == list(range(1, 27))

    heading = activities(plan)["15.b"]
    assert heading["reportable"] is False
    assert [c["code"] for c in heading["children"]] == ["15.b.i", "15.b.ii", "15.b.iii", "15.b.iv"]
    assert all(c["text"] for c in heading["children"])

    single = activities(plan)["8"]
    assert single["reportable"] is True
    assert single["children"] == []
    assert single["text"].startswith("Adopt evidence-based prevention intervention")
    assert single["text"].endswith("unique situations.")


def test_component_9_targets(plan):
    targets = components(plan)[9]["targets"]
    assert [t["numeral"] for t in targets] == ["i", "ii", "iii"]
    assert targets[2]["text"] == "gradual decrease in national or regional traffic of precursors."
    assert components(plan)[8]["targets"] == []


def test_sections_name_their_working_groups(plan):
    groups = {s["numeral"]: s["working_group"] for s in plan["sections"]}
    assert groups == {
        "I": None,
        "II": "PE",
        "III": "LE",
        "IV": "TR",
        "V": "RE",
        "VI": "AD",
        "VII": None,
    }
    assert {g["code"] for g in plan["working_groups"]} == {"PE", "LE", "TR", "RE", "AD"}
    assert [(r["year"], r["kind"]) for r in plan["reviews"]] == [
        (2018, "internal"),
        (2020, "mid_term"),
        (2022, "internal"),
        (2024, "end_of_term"),
    ]


@pytest.mark.parametrize("code", ["2026-2035", "nonsense", "2016"])
def test_unknown_plan_is_404(client, code):
    response = client.get(f"/api/v1/workplans/{code}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_plan_is_fetched_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        assert client.get(PLAN).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/workplans/").status_code == 200


def test_public_endpoints_refuse_bad_credentials_but_accept_none(client):
    assert client.get(PLAN).status_code == 200
    bad = {"Authorization": "Bearer pnt_not-a-token"}
    assert client.get(PLAN, headers=bad).status_code == 401


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Pantau API"
    assert {
        "/api/v1/workplans/",
        "/api/v1/workplans/{code}",
        "/api/v1/member-states/",
        "/api/v1/member-states/{code}",
        "/api/v1/member-states/{code}/agencies/{agency_id}",
        "/api/v1/me",
        "/api/v1/audit/events",
    } <= set(document["paths"])
    patch = document["paths"]["/api/v1/member-states/{code}/agencies/{agency_id}"]["patch"]
    assert {"200", "404", "412", "428"} <= set(patch["responses"])


def test_docs_page_uses_only_local_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.text
    sources = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any(s.endswith(".js") for s in sources)
    assert any(s.endswith(".css") for s in sources)
    for source in sources:
        assert not re.match(r"(https?:)?//", source), source
        assert source.startswith("/static/"), source
    for source in sources:
        assert client.get(source).status_code == 200, source
