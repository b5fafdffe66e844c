import pytest

from pantau.audit.models import AuditEvent
from pantau.clearinghouse import services
from pantau.clearinghouse.choices import DocumentState
from pantau.clearinghouse.models import Document
from pantau.workplan.models import Component

from .factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_the_public_sees_published_items_only(client, people, submit):
    published = submit(people.plain, title="Published study of kratom")
    services.moderate(acting_user=people.secretariat, document=published, action="publish")
    submit(people.plain, title="Draft study of kratom")
    page = client.get("/clearinghouse/", {"q": "kratom"}).content.decode()
    assert "Published study of kratom" in page
    assert "Draft study" not in page
    assert "<mark>kratom</mark>" in page or "kratom" in page


def test_snippets_highlight_the_words_found(client, people, submit):
    d = submit(people.plain, title="Study", abstract="A programme on kratom leaves in the south.")
    services.moderate(acting_user=people.secretariat, document=d, action="publish")
    page = client.get("/clearinghouse/", {"q": "KRATOM"}).content.decode()
    assert "<mark>kratom</mark>" in page


def test_submission_page(client, people):
    client.force_login(people.plain)
    answer = client.post(
        "/clearinghouse/submit/",
        {
            "title": "Guideline",
            "year": "2022",
            "type": "guideline",
            "language": "en",
            "file": pdf_upload("guideline text"),
        },
    )
    assert answer.status_code == 302
    document = Document.objects.get()
    assert document.submitted_by == people.plain
    page = client.get(answer["Location"]).content.decode()
    assert "Submitted, awaiting moderation" in page


def test_submission_refused_file_shows_the_reason(client, people):
    client.force_login(people.plain)
    answer = client.post(
        "/clearinghouse/submit/",
        {
            "title": "x",
            "year": "2022",
            "type": "guideline",
            "language": "en",
            "file": pdf_upload("x", "x.docx"),
        },
    )
    assert answer.status_code == 400
    assert "not a Word" in answer.content.decode()
    assert not Document.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    answer = client.get("/clearinghouse/submit/")
    assert answer.status_code == 302
    assert "/accounts/login" in answer["Location"]


@pytest.mark.parametrize("who", [None, "plain", "th_focal"])
def test_moderation_page_refuses_others(client, people, submit, who):
    document = submit(people.th_focal)
    if who:
        client.force_login(getattr(people, who))
    events = AuditEvent.objects.count()
    answer = client.post(f"/clearinghouse/{document.pk}/moderate/", {"action": "publish"})
    assert answer.status_code in (302, 403, 404)
    if who is None:
        assert "/accounts/login" in answer["Location"]
    document.refresh_from_db()
    assert document.state == DocumentState.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_the_secretariat_asks_for_changes_and_the_submitter_sees_the_comment(
    client, people, submit
):
    document = submit(people.th_focal)
    client.force_login(people.secretariat)
    client.post(
        f"/clearinghouse/{document.pk}/moderate/",
        {"action": "request_changes", "comment": "Please add an abstract"},
    )
    client.force_login(people.th_focal)
    page = client.get(f"/clearinghouse/{document.pk}/").content.decode()
    assert "Changes requested" in page
    assert "Please add an abstract" in page


def test_activity_page_links_to_items_informing_it(client, people, submit):
    component = Component.objects.get(plan__code="2016-2025", activities__code="15.a")
    d = submit(people.plain, title="Informing treatment study", components=[component.pk])
    services.moderate(acting_user=people.secretariat, document=d, action="publish")
    page = client.get("/workplan/2016-2025/").content.decode()
    assert f"/clearinghouse/?component={component.pk}" in page
    detail = client.get(f"/clearinghouse/{d.pk}/").content.decode()
    assert f"#component-{component.number}" in detail
