"""The worker's writes: the text read from an item's file, and its embedding. Each in one
transaction with its audit event, under the worker's name (pantau.core.actors.WORKER)."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.actors import Actor

from . import search
from .choices import FileStatus
from .models import Document


def _snapshot(document: Document) -> dict:
    return {"state": document.state, "file_status": document.file_status}


@transaction.atomic
def record_extraction(
    *,
    acting_user: Actor,
    document_id: int,
    ok: bool,
    text: str = "",
    pages: int = 0,
    problem: str = "",
) -> Document | None:
    """The worker's result of reading a file: its text indexed (or "no searchable text"), or
    the file refused, its stored copy removed and nothing of it indexed."""
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.file_status != FileStatus.PENDING:
        return document  # idempotent: read already
    before = _snapshot(document)
    stored = document.file
    if ok:
        document.text = text
        document.page_count = pages or None
        # A scan has pages but (next to) no characters: flagged, never silently indexed empty.
        meaningful = sum(1 for c in text if c.isalnum())
        document.file_status = FileStatus.EXTRACTED if meaningful >= 20 else FileStatus.NO_TEXT
    else:
        document.file_status = FileStatus.REFUSED
        document.file_problem = problem[:300]
        document.file = ""
        transaction.on_commit(lambda: default_storage.delete(stored))
    document.updated_at = timezone.now()
    document.save(
        update_fields=["text", "page_count", "file_status", "file_problem", "file", "updated_at"]
    )
    search.index_document(document)
    record(
        actor=acting_user,
        action="clearinghouse.file.read" if ok else "clearinghouse.file.refused",
        obj=document,
        before=before,
        after={
            **_snapshot(document),
            "characters": len(document.text),
            "pages": pages,
            "problem": document.file_problem,
        },
    )
    return document


@transaction.atomic
def record_embedding(*, acting_user: Actor, document_id: int, vector: bytes, model: str) -> None:
    """Keep an item's embedding (derived data: audited as such, without the vector)."""
    updated = Document.objects.filter(pk=document_id).update(
        embedding=vector, embedding_model=model
    )
    if updated:
        record(
            actor=acting_user,
            action="clearinghouse.document.embed",
            object_type="clearinghouse.document",
            object_id=str(document_id),
            after={"model": model, "bytes": len(vector)},
        )
