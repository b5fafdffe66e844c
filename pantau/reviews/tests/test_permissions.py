"""Only the Secretariat creates and builds reviews, ASOD approves, the public reads published
reviews only: a focal point, a working-group member and anonymous are refused on the pages,
the API and the file URLs, and nothing changes when they try."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from pantau.accounts.services import issue_token
from pantau.audit.models import AuditEvent
from pantau.reviews import services
from pantau.reviews.models import ReviewExercise, ReviewVersion

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(ReviewExercise.objects.values_list("pk", "state", "lock_version", "build_status")),
        ReviewVersion.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def draft(people, plan, media):
    exercise = services.create_review(
        acting_user=people.secretariat, kind="end-of-term", plan=plan, year=2024
    )
    # A built version's files, without the (slow) build: the file URLs must be refused too.
    names = {}
    for fmt in ("html", "pdf", "xlsx"):
        names[fmt] = default_storage.save(f"reviews/{exercise.pk}/v1/r.{fmt}", ContentFile(b"x"))
    ReviewVersion.objects.create(
        exercise=exercise,
        number=1,
        snapshot="{}",
        snapshot_hash="0" * 64,
        files=names,
        built_at=timezone.now(),
        built_by_label="test",
    )
    ReviewExercise.objects.filter(pk=exercise.pk).update(version=1, snapshot_hash="0" * 64)
    exercise.refresh_from_db()
    return exercise


@pytest.mark.parametrize("who", ["focal", "wg", "anonymous"])
def test_others_cannot_create_build_read_or_move_a_draft(who, people, draft, client):
    headers = {}
    if who != "anonymous":
        user = getattr(people, who)
        client.force_login(user)
        _, key = issue_token(acting_user=user, user=user, name="t", scope="write")
        headers = {"Authorization": f"Bearer {key}"}
    before = _state()
    pk = draft.pk
    pages = [
        f"/reviews/{pk}/",
        f"/reviews/{pk}/progress",
        *(f"/reviews/{pk}/v1/{fmt}" for fmt in ("html", "pdf", "xlsx")),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in (f"/reviews/{pk}/build", f"/reviews/{pk}/texts", f"/reviews/{pk}/transition"):
        answer = client.post(url, {"action": "submit", "executive_summary": "x", "lock_version": 1})
        assert answer.status_code in (302, 404) and not answer.get("Location", "").endswith(
            f"/reviews/{pk}/"
        ), url
    answer = client.post("/reviews/new", {"kind": "annual", "plan": "2016-2025", "year": 2024})
    assert answer.status_code in (302, 403)
    assert client.get("/reviews/").status_code == 200
    assert str(draft) not in client.get("/reviews/").content.decode()

    body = {"kind": "annual", "plan": "2016-2025", "year": 2024}
    create = client.post("/api/v1/reviews/", body, content_type="application/json", headers=headers)
    assert create.status_code in (401, 403)
    for url in (f"/api/v1/reviews/{pk}/build", f"/api/v1/reviews/{pk}/transitions"):
        answer = client.post(
            url, {"action": "submit"}, content_type="application/json", headers=headers
        )
        assert answer.status_code in (401, 403, 404), url
    assert client.get(f"/api/v1/reviews/{pk}", headers=headers).status_code in (401, 404)
    assert client.get("/api/v1/reviews/", headers=headers).json() == []
    assert _state() == before


def test_the_workflow_by_role_and_the_public_sees_it_once_published(people, draft, client):
    with pytest.raises(services.PermissionDenied):
        services.transition(acting_user=people.asod, exercise=draft, action="submit")
    services.transition(acting_user=people.secretariat, exercise=draft, action="submit")
    with pytest.raises(services.PermissionDenied):
        services.transition(acting_user=people.secretariat, exercise=draft, action="approve")
    services.transition(acting_user=people.asod, exercise=draft, action="approve")
    assert client.get(f"/api/v1/reviews/{draft.pk}").status_code == 404
    services.transition(acting_user=people.secretariat, exercise=draft, action="publish")
    answer = client.get(f"/api/v1/reviews/{draft.pk}").json()
    assert answer["state"] == "published" and answer["snapshot_hash"] == "0" * 64
    assert set(answer["files"]) == {"html", "pdf", "xlsx"}
    assert client.get(f"/reviews/{draft.pk}/v1/pdf").status_code == 200
    actions = AuditEvent.objects.filter(action__startswith="reviews.review.").values_list(
        "action", flat=True
    )
    assert {"reviews.review.submit", "reviews.review.approve", "reviews.review.publish"} <= set(
        actions
    )


def test_the_secretariat_creates_and_queues_a_build_through_the_api(
    people, plan, media, api_client
):
    headers = api_client.bearer(people.secretariat)
    body = {"kind": "end-of-term", "plan": "2016-2025", "year": 2024}
    created = api_client.post(
        "/api/v1/reviews/", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["state"] == "draft" and created.json()["milestone"]
    queued = api_client.post(f"/api/v1/reviews/{pk}/build", headers=headers)
    assert queued.status_code == 202 and queued.json()["task_id"]
    answer = api_client.get(f"/api/v1/reviews/{pk}", headers=headers).json()
    assert answer["build_status"] == "queued" and answer["files"] == {}
