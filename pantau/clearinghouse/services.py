"""Every write of the clearinghouse: submission, moderation, the worker's reading of a file.
Each runs in one transaction with its audit event; the file's text is read by the worker
(tasks.process_document_task), queued once the submission is committed."""

import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pantau.audit.services import record
from pantau.core.actors import Actor, SystemActor, actor_label
from pantau.core.exceptions import PermissionDenied
from pantau.core.files import sha256_of
from pantau.members.models import MemberState
from pantau.workplan.models import Component

from . import permissions, search
from .checks import FileRefused, check_upload, max_bytes
from .choices import MODERATION, DocumentState, DocumentType, FileStatus, Language
from .models import Document
from .tasks import process_document_task


class InvalidSubmission(ValueError):
    """Bad input: the message (and `problems`) say what, nothing was written."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _snapshot(document: Document) -> dict:
    return {
        "title": document.title,
        "year": document.year,
        "type": document.type,
        "state": document.state,
        "file_status": document.file_status,
        "moderation_comment": document.moderation_comment,
    }


def _validate(*, title: str, year, type: str, language: str, link: str, has_file: bool) -> int:
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = _("A title is required.")
    try:
        year_value = int(year)
    except (TypeError, ValueError):
        year_value = 0
    if not 1900 <= year_value <= timezone.now().year + 1:
        problems["year"] = _("A year between 1900 and next year is required.")
    if type not in DocumentType.values:
        problems["type"] = _("Unknown type %(type)r; one of %(types)s.") % {
            "type": type,
            "types": ", ".join(DocumentType.values),
        }
    if language not in Language.values:
        problems["language"] = _("Unknown language %(language)r.") % {"language": language}
    if link and not link.startswith(("https://", "http://")):
        problems["link"] = _("A link must start with https:// or http://.")
    if not has_file and not link:
        problems["file"] = _("Attach a file (PDF or DOCX) or give a link.")
    if problems:
        raise InvalidSubmission(problems)
    return year_value


def _read_upload(uploaded_file) -> tuple[str, bytes, str]:
    """(safe name, bytes, kind) of an upload that passed the request's checks."""
    name = Path(uploaded_file.name or "upload").name[:200] or "upload"
    size = uploaded_file.size or 0
    if size > max_bytes():
        check_upload(name, size, b"", b"")  # raises the size refusal without reading
    uploaded_file.seek(0)
    raw = uploaded_file.read(max_bytes() + 1)
    kind = check_upload(name, len(raw), raw[:1024], raw)
    return name, raw, kind


@transaction.atomic
def submit_document(
    *,
    acting_user: Actor,
    title: str,
    year,
    type: str,
    abstract: str = "",
    authors: str = "",
    language: str = Language.ENGLISH,
    keywords: str = "",
    licence: str = "",
    link: str = "",
    member_states: list[str] | None = None,
    components: list[int] | None = None,
    uploaded_file=None,
    is_demo: bool = False,
) -> Document:
    """A registered user submits an item; the Secretariat will moderate it. Bad input or a
    refused file raise InvalidSubmission and nothing is written (no file kept)."""
    if not permissions.can_submit(acting_user):
        raise PermissionDenied(_("Sign in to submit an item to the clearinghouse."))
    year_value = _validate(
        title=title,
        year=year,
        type=type,
        language=language,
        link=link,
        has_file=bool(uploaded_file),
    )
    states = list(MemberState.objects.filter(code__in=member_states or []))
    if len(states) != len(set(member_states or [])):
        raise InvalidSubmission({"member_states": _("Unknown Member State code.")})
    parts = list(Component.objects.filter(pk__in=components or []))
    if len(parts) != len(set(components or [])):
        raise InvalidSubmission({"components": _("Unknown Work Plan component.")})
    stored = ""
    file_fields: dict = {}
    if uploaded_file is not None:
        try:
            name, raw, _kind = _read_upload(uploaded_file)
        except FileRefused as exc:
            raise InvalidSubmission({"file": str(exc)}) from exc
        stored = default_storage.save(
            f"clearinghouse/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
            f"{get_valid_filename(name) or 'upload'}",
            ContentFile(raw),
        )
        file_fields = {
            "file": stored,
            "file_name": name,
            "file_size": len(raw),
            "file_sha256": sha256_of(Path(default_storage.path(stored))),
            "file_status": FileStatus.PENDING,
        }
    try:
        document = _create(
            acting_user=acting_user,
            fields={
                "title": title.strip()[:500],
                "authors": authors.strip()[:500],
                "year": year_value,
                "type": type,
                "language": language,
                "abstract": abstract.strip(),
                "keywords": keywords.strip()[:500],
                "licence": licence.strip()[:100],
                "link": link.strip()[:500],
                "is_demo": is_demo,
                **file_fields,
            },
            states=states,
            parts=parts,
            stored=stored,
        )
    except Exception:
        if stored:
            default_storage.delete(stored)  # nothing kept of a submission that failed
        raise
    pk = document.pk
    transaction.on_commit(lambda: process_document_task.enqueue(pk))
    return document


def _create(*, acting_user: Actor, fields: dict, states, parts, stored: str) -> Document:
    now = timezone.now()
    document = Document.objects.create(
        submitted_by=None if isinstance(acting_user, SystemActor) else acting_user,
        submitted_by_label=actor_label(acting_user)[:150],
        created_at=now,
        updated_at=now,
        **fields,
    )
    document.member_states.set(states)
    document.components.set(parts)
    search.index_document(document)
    record(
        actor=acting_user,
        action="clearinghouse.document.submit",
        obj=document,
        after={
            **_snapshot(document),
            "member_states": sorted(s.code for s in states),
            "components": sorted(c.pk for c in parts),
            "file_name": document.file_name,
            "file_sha256": document.file_sha256,
            "stored_as": stored,
        },
    )
    return document


@transaction.atomic
def moderate(*, acting_user: Actor, document: Document, action: str, comment: str = "") -> Document:
    """publish, request_changes, reject (with a comment), withdraw a published item. Nothing is
    ever deleted: a withdrawn item leaves the public pages and keeps its history."""
    if action not in MODERATION:
        raise InvalidSubmission({"action": _("Unknown moderation action %(a)r.") % {"a": action}})
    if not permissions.can_moderate(acting_user):
        raise PermissionDenied(_("Only the ASEAN Secretariat moderates the clearinghouse."))
    current = Document.objects.select_for_update().get(pk=document.pk)
    sources, target = MODERATION[action]
    if current.state not in sources:
        raise InvalidSubmission(
            {
                "state": _("An item that is %(state)s cannot be sent to %(target)s.")
                % {"state": current.get_state_display(), "target": target}
            }
        )
    if action in ("request_changes", "reject", "withdraw") and not comment.strip():
        raise InvalidSubmission({"comment": _("Say why, for the submitter.")})
    if action == "publish" and current.file_status in (FileStatus.PENDING, FileStatus.REFUSED):
        raise InvalidSubmission(
            {"file": _("The file is still being read, or was refused: it cannot be published.")}
        )
    before = _snapshot(current)
    now = timezone.now()
    current.state = target
    current.moderation_comment = comment.strip()
    current.updated_at = now
    if action == "publish":
        current.published_at = now
    current.version = F("version") + 1
    current.save(
        update_fields=["state", "moderation_comment", "updated_at", "published_at", "version"]
    )
    current.refresh_from_db()
    record(
        actor=acting_user,
        action=f"clearinghouse.document.{action}",
        obj=current,
        before=before,
        after=_snapshot(current),
    )
    return current


@transaction.atomic
def resubmit(*, acting_user: Actor, document: Document, comment: str = "") -> Document:
    """The submitter sends an item back for moderation after a request for changes."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if not permissions.can_resubmit(acting_user, current):
        raise PermissionDenied(_("Only the submitter resubmits an item returned for changes."))
    before = _snapshot(current)
    current.state = DocumentState.SUBMITTED
    current.moderation_comment = ""
    current.updated_at = timezone.now()
    current.version = F("version") + 1
    current.save(update_fields=["state", "moderation_comment", "updated_at", "version"])
    current.refresh_from_db()
    record(
        actor=acting_user,
        action="clearinghouse.document.resubmit",
        obj=current,
        before=before,
        after={**_snapshot(current), "comment": comment.strip()},
    )
    return current
