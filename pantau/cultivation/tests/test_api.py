"""The survey API: drafts seen by their Member State only, writes by its roles only (denial
changes nothing), the figures as the issue names them."""

import pytest

from pantau.cultivation.models import CultivationSurvey, SurveyArea
from pantau.statistics.models import DataValue

from .test_surveys import ROWS

pytestmark = pytest.mark.django_db


def rows_json():
    out = []
    for row in ROWS:
        out.append(
            {
                k: (int(v) if k in ("villages", "households") else float(v))
                if k != "area_code"
                else v
                for k, v in row.items()
            }
        )
    return out


def fingerprint():
    return (
        list(CultivationSurvey.objects.values_list("pk", "state", "version")),
        SurveyArea.objects.count(),
        DataValue.objects.count(),
    )


def test_the_survey_workflow_through_the_api(api_client, make_user):
    focal, approver = make_user("focal_point", "MM"), make_user("approver", "MM")
    f, a = api_client.bearer(focal), api_client.bearer(approver)
    created = api_client.post(
        "/api/v1/cultivation/surveys",
        {"REF_AREA": "MM", "year": 2024, "crop": "OPIUM_POPPY", "method": "satellite"},
        content_type="application/json",
        headers=f,
    )
    assert created.status_code == 201, created.content
    survey = created.json()
    put = api_client.put(
        f"/api/v1/cultivation/surveys/{survey['id']}/areas",
        {"version": survey["version"], "areas": rows_json()},
        content_type="application/json",
        headers=f,
    )
    assert put.status_code == 200, put.content
    detail = put.json()
    assert detail["totals"]["area_ha"] == 1500
    assert detail["totals"]["production_kg_low"] == 12000
    assert {a["area_code"] for a in detail["areas"]} == {"MM-X1A", "MM-X1B"}
    stale = api_client.post(
        f"/api/v1/cultivation/surveys/{survey['id']}/approve",
        {"version": 1},
        content_type="application/json",
        headers=a,
    )
    assert stale.status_code == 412
    approved = api_client.post(
        f"/api/v1/cultivation/surveys/{survey['id']}/approve",
        {"version": detail["version"]},
        content_type="application/json",
        headers=a,
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    listed = api_client.get("/api/v1/cultivation/surveys?REF_AREA=MM", headers=f).json()
    assert listed == [
        {
            "id": survey["id"],
            "REF_AREA": "MM",
            "year": 2024,
            "crop": "OPIUM_POPPY",
            "method": "satellite",
            "state": "approved",
            "version": approved.json()["version"],
            "is_demo": False,
        }
    ]


def test_drafts_are_hidden_and_writes_refused_to_others(api_client, make_user):
    focal = make_user("focal_point", "MM")
    th_focal, th_approver = make_user("focal_point", "TH"), make_user("approver", "TH")
    wg, secretariat = make_user("wg_member", group="AD"), make_user("secretariat")
    created = api_client.post(
        "/api/v1/cultivation/surveys",
        {"REF_AREA": "MM", "year": 2024, "crop": "OPIUM_POPPY", "method": "ground"},
        content_type="application/json",
        headers=api_client.bearer(focal),
    ).json()
    url = f"/api/v1/cultivation/surveys/{created['id']}"
    before = fingerprint()
    for user in (th_focal, th_approver, wg):
        h = api_client.bearer(user)
        assert api_client.get(url, headers=h).status_code == 404
        assert api_client.get("/api/v1/cultivation/surveys?REF_AREA=MM", headers=h).json() == []
        assert (
            api_client.put(
                url + "/areas",
                {"version": 1, "areas": rows_json()},
                content_type="application/json",
                headers=h,
            ).status_code
            == 404
        )
        assert (
            api_client.post(
                url + "/approve", {"version": 1}, content_type="application/json", headers=h
            ).status_code
            == 404
        )
    h = api_client.bearer(secretariat)  # sees every draft, edits none
    assert api_client.get(url, headers=h).status_code == 200
    assert (
        api_client.put(
            url + "/areas",
            {"version": 1, "areas": rows_json()},
            content_type="application/json",
            headers=h,
        ).status_code
        == 403
    )
    assert (
        api_client.post(
            url + "/approve", {"version": 1}, content_type="application/json", headers=h
        ).status_code
        == 403
    )
    assert (
        api_client.post(
            "/api/v1/cultivation/surveys",
            {"REF_AREA": "MM", "year": 2023, "crop": "CANNABIS", "method": "ground"},
            content_type="application/json",
            headers=api_client.bearer(th_focal),
        ).status_code
        == 403
    )
    assert api_client.get(url).status_code == 401
    assert (
        api_client.post(
            url + "/approve", {"version": 1}, content_type="application/json"
        ).status_code
        == 401
    )
    assert fingerprint() == before


def test_bad_rows_answer_400_with_every_problem(api_client, make_user):
    focal = make_user("focal_point", "MM")
    h = api_client.bearer(focal)
    created = api_client.post(
        "/api/v1/cultivation/surveys",
        {"REF_AREA": "MM", "year": 2024, "crop": "CANNABIS", "method": "mixed"},
        content_type="application/json",
        headers=h,
    ).json()
    bad = api_client.put(
        f"/api/v1/cultivation/surveys/{created['id']}/areas",
        {
            "version": created["version"],
            "areas": [dict(rows_json()[0], area_ha=5000.0), rows_json()[0]],
        },
        content_type="application/json",
        headers=h,
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0].startswith("line 1, area_ha:")
    assert bad.json()["problems"][1].startswith("line 2, area_code:")
    assert SurveyArea.objects.count() == 0
