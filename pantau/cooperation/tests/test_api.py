"""Events and funded projects through the API: who may record and edit them, ETag/If-Match,
and that a refusal changes nothing."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.cooperation.models import Event, FundingMechanism, FundingProject

pytestmark = pytest.mark.django_db

TRAINING = {
    "title": "Regional training on precursor control",
    "kind": "training",
    "start_date": "2024-05-06",
    "end_date": "2024-05-08",
    "activities": ["4.a"],
    "organiser": "TH",
    "participants": [{"member_state": "TH", "female": 12, "male": 9}],
}


@pytest.fixture
def th_focal(make_user):
    return make_user("focal_point", "TH")


@pytest.fixture
def event(api_client, th_focal):
    response = api_client.post(
        "/api/v1/events/",
        TRAINING,
        content_type="application/json",
        headers=api_client.bearer(th_focal),
    )
    assert response.status_code == 201, response.content
    return Event.objects.get(pk=response.json()["id"])


def test_a_focal_point_records_and_edits_its_states_event(api_client, th_focal, event):
    headers = api_client.bearer(th_focal)
    got = api_client.get(f"/api/v1/events/{event.pk}", headers=headers)
    assert got.json()["activities"] == ["4.a"] and got["ETag"] == '"1"'
    assert got.json()["participants"] == [{"member_state": "TH", "female": 12, "male": 9}]
    saved = api_client.put(
        f"/api/v1/events/{event.pk}",
        {"outcomes": "Guidelines adopted"},
        content_type="application/json",
        headers=headers | {"If-Match": '"1"'},
    )
    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    stale = api_client.put(
        f"/api/v1/events/{event.pk}",
        {"outcomes": "Lost update"},
        content_type="application/json",
        headers=headers | {"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert (
        api_client.put(
            f"/api/v1/events/{event.pk}",
            {"outcomes": "x"},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 428
    )
    event.refresh_from_db()
    assert event.outcomes == "Guidelines adopted" and event.version == 2
    assert AuditEvent.objects.filter(action__startswith="cooperation.event").count() == 2


@pytest.mark.parametrize(
    ("role", "state", "status"),
    [("focal_point", "MY", 404), ("narco_officer", "TH", 404), ("secretariat", None, 200)],
)
def test_another_state_or_role_cannot_edit(api_client, make_user, event, role, state, status):
    headers = api_client.bearer(make_user(role, state)) | {"If-Match": '"1"'}
    events = AuditEvent.objects.count()
    response = api_client.put(
        f"/api/v1/events/{event.pk}",
        {"title": "Hijacked"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status
    if status != 200:
        event.refresh_from_db()
        assert event.title == TRAINING["title"] and event.version == 1
        assert AuditEvent.objects.count() == events


def test_a_public_event_seen_by_another_state_is_still_not_theirs(api_client, make_user, event):
    Event.objects.filter(pk=event.pk).update(is_public=True)
    my = make_user("focal_point", "MY")
    response = api_client.put(
        f"/api/v1/events/{event.pk}",
        {"title": "Hijacked"},
        content_type="application/json",
        headers=api_client.bearer(my) | {"If-Match": '"1"'},
    )
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).title == TRAINING["title"]
    assert api_client.get(f"/api/v1/events/{event.pk}").status_code == 200


def test_anonymous_sees_public_events_only_and_cannot_write(client, event):
    assert client.get("/api/v1/events/").json() == []
    assert client.get(f"/api/v1/events/{event.pk}").status_code == 404
    assert (
        client.post("/api/v1/events/", TRAINING, content_type="application/json").status_code == 401
    )
    assert Event.objects.count() == 1


def test_a_focal_point_cannot_record_for_another_state(api_client, make_user):
    my = make_user("focal_point", "MY")
    response = api_client.post(
        "/api/v1/events/", TRAINING, content_type="application/json", headers=api_client.bearer(my)
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_funding_projects(api_client, th_focal, make_user):
    assert FundingMechanism.objects.filter(code="jaif-2").exists()  # seeded by setup
    project = {
        "title": "Community-based treatment pilots",
        "mechanism": "jaif-2",
        "implementers": ["TH"],
        "activities": ["15.a"],
        "amount": "250000.00",
        "currency": "USD",
        "status": "ongoing",
    }
    created = api_client.post(
        "/api/v1/funding/projects/",
        project,
        content_type="application/json",
        headers=api_client.bearer(th_focal),
    )
    assert created.status_code == 201, created.content
    my = make_user("focal_point", "MY")
    refused = api_client.post(
        "/api/v1/funding/projects/",
        project,
        content_type="application/json",
        headers=api_client.bearer(my),
    )
    assert refused.status_code == 403
    assert FundingProject.objects.count() == 1
    assert api_client.get("/api/v1/funding/projects/", headers=api_client.bearer(my)).json() == []
    listed = api_client.get("/api/v1/funding/projects/", headers=api_client.bearer(th_focal))
    assert [p["title"] for p in listed.json()] == [project["title"]]
    assert api_client.get("/api/v1/funding/projects/").status_code == 401
