"""The writes of the import side that a page or the API starts: keeping an uploaded file and
queueing its import (the pipeline itself, read -> check -> stage -> write, is pipeline.run_import,
run by the background task)."""

import secrets
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.exceptions import PermissionDenied
from pantau.core.files import sha256_of

from .. import permissions
from ..choices import ImportStatus
from ..models import DataImport
from .readers import detect_format
from .tasks import run_import_task


def register_import(
    *,
    acting_user: User,
    uploaded_file,
    dry_run: bool = False,
    publish: bool = False,
    source: str = "",
) -> DataImport:
    """Keep a file uploaded on the web (a page or the API) under MEDIA_ROOT/imports/ and queue
    its import: a pending DataImport now, and once that is committed the background task
    (tasks.run_import_task) that runs run_import on it, reporting its progress in the record.
    The file is not read here: it is parsed by the worker (in a bounded child process).
    `publish` with a `source`: administrators only, as in run_import."""
    if not permissions.can_import(acting_user):
        raise PermissionDenied("You may not import statistics")
    if publish and not permissions.can_publish_directly(acting_user):
        raise PermissionDenied("Only administrators publish values directly")
    source = source.strip()
    if len(source) > 300:
        raise ValueError("The source is longer than 300 characters")
    if publish and not source:
        raise ValueError("Values published directly name where they were published (source)")
    file_name = Path(uploaded_file.name or "upload").name[:200] or "upload"
    stored = default_storage.save(
        f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'upload'}",
        uploaded_file,
    )
    path = Path(default_storage.path(stored))
    with transaction.atomic():
        data_import = DataImport.objects.create(
            file_name=file_name,
            sha256=sha256_of(path),
            format=detect_format(path),
            uploaded_by=acting_user,
            uploaded_by_label=acting_user.get_username()[:150],
            created_at=timezone.now(),
            dry_run=dry_run,
            publish=publish,
            source=source,
            status=ImportStatus.PENDING,
        )
        record(
            actor=acting_user,
            action="statistics.import.upload",
            obj=data_import,
            after={
                "file_name": file_name,
                "sha256": data_import.sha256,
                "format": data_import.format,
                "dry_run": dry_run,
                "publish": publish,
                "source": source,
                "stored_as": stored,
            },
        )
        pk = data_import.pk
        transaction.on_commit(lambda: run_import_task.enqueue(pk, stored))
    return data_import
