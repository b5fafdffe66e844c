"""Programmes and services through the API: scoping, ETag / If-Match, transitions, and that
anonymous callers read published entries only."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.programmes.models import NationalProgramme, Service

from .factories import PROGRAMME, SERVICE

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _create(api_client, user, path, body):
    response = api_client.post(path, body, content_type=JSON, headers=api_client.bearer(user))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def draft(api_client, people):
    return _create(
        api_client,
        people.th_focal,
        "/api/v1/programmes/",
        {**PROGRAMME, "member_state": "TH", "groups": ["youth"]},
    )


def test_draft_edit_publish_with_if_match(api_client, people, draft):
    focal = api_client.bearer(people.th_focal)
    pk = draft["id"]
    got = api_client.get(f"/api/v1/programmes/{pk}", headers=focal)
    assert got["ETag"] == '"1"' and got.json()["allowed_transitions"] == []
    saved = api_client.put(
        f"/api/v1/programmes/{pk}",
        {"objectives": "Reach every district"},
        content_type=JSON,
        headers=focal | {"If-Match": '"1"'},
    )
    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    stale = api_client.put(
        f"/api/v1/programmes/{pk}",
        {"objectives": "Lost update"},
        content_type=JSON,
        headers=focal | {"If-Match": '"1"'},
    )
    assert stale.status_code == 412 and stale["ETag"] == '"2"'
    missing = api_client.put(
        f"/api/v1/programmes/{pk}", {"objectives": "x"}, content_type=JSON, headers=focal
    )
    assert missing.status_code == 428
    assert NationalProgramme.objects.get(pk=pk).objectives == "Reach every district"

    assert api_client.get(f"/api/v1/programmes/{pk}").status_code == 404  # a draft
    approver = api_client.bearer(people.th_approver)
    assert api_client.get(f"/api/v1/programmes/{pk}", headers=approver).json()[
        "allowed_transitions"
    ] == ["publish"]
    published = api_client.post(
        f"/api/v1/programmes/{pk}/transitions",
        {"action": "publish"},
        content_type=JSON,
        headers=approver | {"If-Match": '"2"'},
    )
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published["ETag"] == '"3"'
    public = api_client.get("/api/v1/programmes/?REF_AREA=TH&group=youth")
    assert [p["id"] for p in public.json()] == [pk]
    assert api_client.get("/api/v1/programmes/?group=prisoners").json() == []
    # Published: edited only after a revision back to draft.
    refused = api_client.put(
        f"/api/v1/programmes/{pk}",
        {"title": "x"},
        content_type=JSON,
        headers=focal | {"If-Match": '"3"'},
    )
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("who", "status"),
    [("my_focal", 404), ("my_approver", 404), ("th_narco", 404), ("secretariat", 403)],
)
def test_another_state_or_role_changes_nothing(api_client, people, draft, who, status):
    headers = api_client.bearer(getattr(people, who))
    pk = draft["id"]
    events = AuditEvent.objects.count()
    put = api_client.put(
        f"/api/v1/programmes/{pk}",
        {"title": "Hijacked"},
        content_type=JSON,
        headers=headers | {"If-Match": '"1"'},
    )
    assert put.status_code == status
    publish = api_client.post(
        f"/api/v1/programmes/{pk}/transitions",
        {"action": "publish"},
        content_type=JSON,
        headers=headers,
    )
    assert publish.status_code == status
    create = api_client.post(
        "/api/v1/programmes/",
        {**PROGRAMME, "member_state": "TH"},
        content_type=JSON,
        headers=headers,
    )
    assert create.status_code == 403
    programme = NationalProgramme.objects.get(pk=pk)
    assert (programme.title, programme.status, programme.version) == (
        PROGRAMME["title"],
        "draft",
        1,
    )
    assert NationalProgramme.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_anonymous_cannot_write(api_client, draft):
    pk = draft["id"]
    assert api_client.post("/api/v1/programmes/", PROGRAMME, content_type=JSON).status_code == 401
    assert (
        api_client.post(
            f"/api/v1/programmes/{pk}/transitions", {"action": "publish"}, content_type=JSON
        ).status_code
        == 401
    )
    assert NationalProgramme.objects.get(pk=pk).status == "draft"


def test_services_workflow_and_filters(api_client, people, draft):
    focal = api_client.bearer(people.th_focal)
    body = {
        **SERVICE,
        "member_state": "TH",
        "groups": ["youth", "families"],
        "programme": draft["id"],
    }
    created = _create(api_client, people.th_focal, "/api/v1/programme-services/", body)
    pk = created["id"]
    assert created["programme"] == draft["id"] and created["groups"] == ["families", "youth"]
    bad = api_client.post(
        "/api/v1/programme-services/",
        {**body, "groups": []},
        content_type=JSON,
        headers=focal,
    )
    assert bad.status_code in (400, 422)
    saved = api_client.put(
        f"/api/v1/programme-services/{pk}",
        {"coverage": "Bangkok and 76 provinces"},
        content_type=JSON,
        headers=focal | {"If-Match": '"1"'},
    )
    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    assert api_client.get("/api/v1/programme-services/").json() == []
    approver = api_client.bearer(people.th_approver)
    api_client.post(
        f"/api/v1/programme-services/{pk}/transitions",
        {"action": "publish"},
        content_type=JSON,
        headers=approver,
    )
    listed = api_client.get("/api/v1/programme-services/?kind=counselling&group=families").json()
    assert [s["id"] for s in listed] == [pk]
    assert listed[0]["coverage"] == "Bangkok and 76 provinces"
    assert api_client.get("/api/v1/programme-services/?kind=treatment").json() == []
    withdrawn = api_client.post(
        f"/api/v1/programme-services/{pk}/transitions",
        {"action": "withdraw"},
        content_type=JSON,
        headers=approver,
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert api_client.get("/api/v1/programme-services/").json() == []
    assert api_client.get(f"/api/v1/programme-services/{pk}").status_code == 404
    assert Service.objects.get(pk=pk).version == 4


def test_nul_characters_and_odd_codes_are_refused_not_failed(api_client, people):
    focal = api_client.bearer(people.th_focal)
    bad = api_client.post(
        "/api/v1/programmes/",
        {**PROGRAMME, "member_state": "TH", "title": "Nul\x00title"},
        content_type=JSON,
        headers=focal,
    )
    assert bad.status_code == 400 and "title" in bad.json()["detail"]
    odd = api_client.post(
        "/api/v1/programmes/",
        {**PROGRAMME, "member_state": "T\x00"},
        content_type=JSON,
        headers=focal,
    )
    assert odd.status_code == 400
    assert api_client.get("/api/v1/programmes/?REF_AREA=T%00").json() == []
    assert NationalProgramme.objects.count() == 0
