"""The one path of a boundary file: keep the upload (web request) -> parse and check it in a
bounded child process (worker, tasks.load_boundary_file) -> load every area of it as the
state's next version, or none. register_boundary_file is the service a page or the API calls."""

import secrets
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import Actor, actor_label
from pantau.core.exceptions import PermissionDenied
from pantau.core.files import sha256_of
from pantau.members.models import MemberState

from . import permissions
from .geo import MAX_FILE_BYTES
from .models import BoundaryVersion
from .tasks import load_boundaries_task


class BoundaryFileRefused(ValueError):
    """The upload was refused before it was kept (too large, no file)."""


def register_boundary_file(
    *,
    acting_user: Actor,
    member_state: MemberState,
    uploaded_file,
    note: str = "",
    system: bool = False,
    is_demo: bool = False,
) -> BoundaryVersion:
    """Keep a boundary file uploaded for `member_state` and queue its loading by the worker.
    The file is not read here (only its size is checked). `system`: the operator or the demo
    loader, with an administrator's rights."""
    if not system and not permissions.can_upload_boundaries(acting_user, member_state.code):
        raise PermissionDenied("You may not load boundaries of this Member State")
    size = getattr(uploaded_file, "size", None) or 0
    if size > MAX_FILE_BYTES:
        raise BoundaryFileRefused(
            f"The file is {size / 1024 / 1024:,.0f} MB; at most "
            f"{MAX_FILE_BYTES // 1024 // 1024:,} MB is read (simplify the boundaries)"
        )
    if size == 0:
        raise BoundaryFileRefused("The file is empty")
    file_name = Path(uploaded_file.name or "boundaries").name[:200] or "boundaries"
    stored = default_storage.save(
        f"cultivation/boundaries/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'boundaries'}",
        uploaded_file,
    )
    with transaction.atomic():
        boundary = BoundaryVersion.objects.create(
            member_state=member_state,
            file_name=file_name,
            stored_name=stored,
            sha256=sha256_of(Path(default_storage.path(stored))),
            note=note.strip()[:300],
            uploaded_by=acting_user if isinstance(acting_user, User) else None,
            uploaded_by_label=actor_label(acting_user)[:150],
            is_demo=is_demo,
            created_at=timezone.now(),
        )
        record(
            actor=acting_user,
            action="cultivation.boundaries.upload",
            obj=boundary,
            member_state=member_state.code,
            after={"file_name": file_name, "sha256": boundary.sha256, "stored_as": stored},
        )
        pk = boundary.pk
        transaction.on_commit(lambda: load_boundaries_task.enqueue(pk))
    return boundary
