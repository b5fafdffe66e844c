import pytest

from pantau.audit.models import AuditEvent
from pantau.clearinghouse import services
from pantau.clearinghouse.choices import DocumentState
from pantau.clearinghouse.models import Document
from pantau.clearinghouse.tasks import process_document

from .factories import pdf_upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/documents/"


def test_a_registered_user_submits_a_pdf_and_it_is_found_after_publication(api_client, people):
    answer = api_client.post(
        URL,
        {
            "title": "Harm reduction outreach",
            "year": "2023",
            "type": "best_practice",
            "abstract": "Community work",
            "file": pdf_upload("The quokkaesque method of outreach"),
        },
        headers=api_client.bearer(people.my_focal),
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "submitted"
    process_document(body["id"], embed=False)
    assert api_client.get(URL, {"q": "quokkaesque"}).json()["count"] == 0
    published = api_client.post(
        f"{URL}{body['id']}/publish", headers=api_client.bearer(people.secretariat)
    )
    assert published.status_code == 200
    found = api_client.get(URL, {"q": "Quokkaesque"}).json()
    assert found["count"] == 1
    hit = found["results"][0]
    assert hit["id"] == body["id"]
    assert hit["url"] == f"/clearinghouse/{body['id']}/"
    assert set(hit) == {"id", "title", "year", "type", "snippet", "url"}


def test_anonymous_cannot_submit(api_client):
    answer = api_client.post(URL, {"title": "x", "year": "2024", "type": "research"})
    assert answer.status_code == 401
    assert not Document.objects.exists()


def test_a_hostile_file_gets_400_and_nothing_changes(api_client, people):
    headers = api_client.bearer(people.plain)
    events = AuditEvent.objects.count()
    answer = api_client.post(
        URL,
        {"title": "x", "year": "2024", "type": "research", "file": pdf_upload("x", "x.docx")},
        headers=headers,
    )
    assert answer.status_code == 400
    assert "file" in answer.json()["problems"]
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["th_focal", "my_focal", "plain"])
def test_only_the_secretariat_publishes(api_client, people, submit, who):
    document = submit(people.th_focal)
    headers = api_client.bearer(getattr(people, who))
    events = AuditEvent.objects.count()
    answer = api_client.post(f"{URL}{document.pk}/publish", headers=headers)
    assert answer.status_code in (403, 404)
    document.refresh_from_db()
    assert document.state == DocumentState.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_anonymous_publish_is_refused(api_client, people, submit):
    document = submit(people.th_focal)
    assert api_client.post(f"{URL}{document.pk}/publish").status_code == 401
    document.refresh_from_db()
    assert document.state == DocumentState.SUBMITTED


def test_unpublished_items_are_hidden_from_others(api_client, people, submit):
    document = submit(people.th_focal, title="Hidden draft")
    assert api_client.get(f"{URL}{document.pk}").status_code == 404
    assert api_client.get(f"{URL}{document.pk}/similar").status_code == 404
    assert (
        api_client.get(
            f"{URL}{document.pk}", headers=api_client.bearer(people.my_focal)
        ).status_code
        == 404
    )
    assert (
        api_client.get(
            f"{URL}{document.pk}", headers=api_client.bearer(people.th_focal)
        ).status_code
        == 200
    )
    assert api_client.get(URL).json()["count"] == 0


def test_facet_filters(api_client, people, submit):
    a = submit(people.plain, title="Alpha", year=2020, type="research", member_states=["TH"])
    b = submit(people.plain, title="Beta", year=2021, type="guideline", member_states=["VN"])
    for d in (a, b):
        services.moderate(acting_user=people.secretariat, document=d, action="publish")
    ids = lambda **p: {r["id"] for r in api_client.get(URL, p).json()["results"]}  # noqa: E731
    assert ids() == {a.pk, b.pk}
    assert ids(type="guideline") == {b.pk}
    assert ids(year=2020) == {a.pk}
    assert ids(REF_AREA="VN") == {b.pk}


def test_similar_suggests_published_items_only(api_client, people, submit):
    shown = submit(people.plain, title="Methamphetamine treatment in prisons", embed=True)
    near = submit(people.plain, title="Treating methamphetamine users in prison", embed=True)
    hidden = submit(people.plain, title="Methamphetamine treatment behind bars", embed=True)
    far = submit(people.plain, title="Alternative development: coffee growing", embed=True)
    for d in (shown, near, far):
        services.moderate(acting_user=people.secretariat, document=d, action="publish")
    answer = api_client.get(f"{URL}{shown.pk}/similar").json()
    ids = [r["id"] for r in answer]
    assert hidden.pk not in ids
    assert ids[0] == near.pk
    assert ids.index(near.pk) < ids.index(far.pk)
