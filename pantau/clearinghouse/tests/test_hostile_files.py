"""Hostile files get a clear error and change nothing. What the request can tell without
parsing (size, extension against the first bytes, an encrypted PDF's /Encrypt, a declared
page count) is refused before anything is kept; what only reading tells (a decompression bomb,
a page tree that hides its count) is refused by the worker's limited child process, which
removes the kept file and indexes nothing."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.audit.models import AuditEvent
from pantau.clearinghouse import services
from pantau.clearinghouse.choices import FileStatus
from pantau.clearinghouse.extract import run_extraction
from pantau.clearinghouse.models import Document

from .factories import (
    encrypted_pdf_upload,
    inflating_pdf_upload,
    many_pages_pdf_upload,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


def _refused(user, upload, expected: str):
    events = AuditEvent.objects.count()
    with pytest.raises(services.InvalidSubmission) as info:
        services.submit_document(
            acting_user=user, title="Hostile", year=2024, type="research", uploaded_file=upload
        )
    assert expected in info.value.problems["file"]
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not default_storage.exists("clearinghouse") or not any(
        default_storage.listdir("clearinghouse")[1]
    )


def test_a_file_that_is_not_what_its_extension_says(people):
    _refused(people.plain, SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf"), "not a PDF")
    _refused(people.plain, SimpleUploadedFile("notes.docx", pdf_bytes("x")), "not a Word")
    _refused(people.plain, SimpleUploadedFile("tool.exe", b"MZ"), "Only PDF and DOCX")


def test_an_encrypted_pdf(people):
    _refused(people.plain, encrypted_pdf_upload(), "encrypted")


def test_a_page_count_bomb(people):
    _refused(people.plain, many_pages_pdf_upload(), "pages")


def test_a_file_over_the_size_limit(people, settings):
    settings.PANTAU_CLEARINGHOUSE_MAX_BYTES = 10_000
    _refused(people.plain, SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 20_000), "limit")


def test_a_decompression_bomb_is_refused_by_the_worker(people, submit):
    document = submit(people.plain, uploaded_file=inflating_pdf_upload(80))
    assert document.file_status == FileStatus.REFUSED
    assert "decompression bomb" in document.file_problem
    assert document.file == ""
    assert document.text == ""
    assert AuditEvent.objects.filter(
        action="clearinghouse.file.refused", object_id=str(document.pk)
    ).exists()


def test_the_child_is_stopped_by_its_memory_limit(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(inflating_pdf_upload(80).read())
    result = run_extraction(str(path), "pdf", memory=120 * 1024 * 1024)
    assert not result.ok
    assert result.problem
