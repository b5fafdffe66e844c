import pytest
from django.core.files.storage import default_storage

from pantau.audit.models import AuditEvent
from pantau.clearinghouse import services
from pantau.clearinghouse.choices import DocumentState, FileStatus
from pantau.clearinghouse.models import Document
from pantau.clearinghouse.search import matching
from pantau.core.exceptions import PermissionDenied

from .factories import docx_upload, pdf_upload, scanned_pdf_upload

pytestmark = pytest.mark.django_db


def found(user, query):
    qs = matching(Document.objects.restrict(user), query)
    return set(qs.values_list("pk", flat=True)) if qs is not None else set()


def test_a_word_only_inside_the_pdf_is_found_once_published(people, submit, client):
    document = submit(
        people.th_focal,
        title="Community treatment",
        uploaded_file=pdf_upload("Programme on kratom and methamphetamine: xylophonic outreach"),
    )
    assert document.file_status == FileStatus.EXTRACTED
    assert "xylophonic" in document.text
    # Before publication: the submitter and the Secretariat only.
    assert found(people.th_focal, "xylophonic") == {document.pk}
    assert found(people.secretariat, "xylophonic") == {document.pk}
    assert found(people.my_focal, "xylophonic") == set()
    assert found(None, "xylophonic") == set()
    services.moderate(acting_user=people.secretariat, document=document, action="publish")
    assert found(None, "xylophonic") == {document.pk}
    assert found(people.my_focal, "XYLOPHONIC") == {document.pk}


def test_docx_text_is_read(people, submit):
    document = submit(people.plain, uploaded_file=docx_upload("Pendidikan pencegahan narkoba"))
    assert document.file_status == FileStatus.EXTRACTED
    assert found(people.plain, "pencegahan") == {document.pk}


def test_a_scan_is_flagged_no_searchable_text(people, submit):
    document = submit(people.plain, uploaded_file=scanned_pdf_upload())
    assert document.file_status == FileStatus.NO_TEXT
    assert document.page_count == 2


def test_every_step_is_audited(people, submit):
    document = submit(people.th_focal, uploaded_file=pdf_upload("audited words here and there"))
    services.moderate(
        acting_user=people.secretariat,
        document=document,
        action="request_changes",
        comment="Add the Member States",
    )
    services.resubmit(acting_user=people.th_focal, document=document)
    services.moderate(acting_user=people.secretariat, document=document, action="publish")
    services.moderate(
        acting_user=people.secretariat, document=document, action="withdraw", comment="Outdated"
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(document.pk), action__startswith="clearinghouse.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "clearinghouse.document.submit",
        "clearinghouse.file.read",
        "clearinghouse.document.request_changes",
        "clearinghouse.document.resubmit",
        "clearinghouse.document.publish",
        "clearinghouse.document.withdraw",
    ]
    document.refresh_from_db()
    assert document.state == DocumentState.WITHDRAWN
    assert found(None, "audited") == set()


@pytest.mark.parametrize("who", ["th_focal", "my_focal", "plain", None])
def test_only_the_secretariat_moderates(people, submit, who):
    document = submit(people.th_focal)
    user = getattr(people, who) if who else None
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.moderate(acting_user=user, document=document, action="publish")
    document.refresh_from_db()
    assert document.state == DocumentState.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_anonymous_cannot_submit():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.submit_document(
            acting_user=AnonymousUser(), title="x", year=2024, type="research", link="https://a.b"
        )
    assert not Document.objects.exists()


def test_bad_input_changes_nothing(people):
    events = AuditEvent.objects.count()
    with pytest.raises(services.InvalidSubmission) as info:
        services.submit_document(
            acting_user=people.plain, title="", year="soon", type="novel", link=""
        )
    assert set(info.value.problems) == {"title", "year", "type", "file"}
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_pending_file_cannot_be_published(people, submit):
    document = submit(people.plain, uploaded_file=pdf_upload("waiting words"), process=False)
    with pytest.raises(services.InvalidSubmission):
        services.moderate(acting_user=people.secretariat, document=document, action="publish")
    assert default_storage.exists(document.file)
