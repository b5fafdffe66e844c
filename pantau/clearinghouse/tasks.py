"""Background work of the clearinghouse, run by the worker (`pantau worker`): reading the text
of an uploaded file in a limited child process, indexing it, and embedding the item for
"more like this". Idempotent: a file already read is not read again; an embedding is
recomputed from the item as it is."""

from django.core.files.storage import default_storage
from django.tasks import task

from pantau.core.actors import WORKER

from . import processing, similarity
from .choices import FileStatus
from .extract import run_extraction
from .models import Document


def process_document(document_id: int, *, embed: bool = True) -> dict:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return {"status": "missing"}
    if document.file_status == FileStatus.PENDING and document.file:
        kind = "docx" if document.file_name.lower().endswith(".docx") else "pdf"
        result = run_extraction(default_storage.path(document.file), kind)
        document = processing.record_extraction(
            acting_user=WORKER,
            document_id=document_id,
            ok=result.ok,
            text=result.text,
            pages=result.pages,
            problem=result.problem,
        )
        assert document is not None
    if embed:
        vector = similarity.embed([similarity.document_text(document)])[0]
        processing.record_embedding(
            acting_user=WORKER,
            document_id=document_id,
            vector=similarity.to_bytes(vector),
            model=similarity.MODEL_NAME,
        )
    return {"status": document.file_status}


@task
def process_document_task(document_id: int) -> dict:
    return process_document(document_id)
