"""Building a review, one path: read the snapshot -> render the HTML, PDF and XLSX from it ->
write the version (files, snapshot, hash, what changed) and its audit event in one
transaction. Run by the background task (tasks.build_review_task) and by `pantau review
build`; never in a web request."""

import json
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.actors import Actor, actor_label
from pantau.core.exceptions import PermissionDenied

from . import documents
from .choices import BuildStatus, FileFormat
from .models import ReviewExercise, ReviewVersion
from .permissions import can_build_review
from .snapshot import canonical_json, changes, content_hash, take_snapshot

STEPS = ("snapshot", "charts", "document", "pdf", "xlsx", "store")
Progress = Callable[[str, int, int], None]


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def render_files(snapshot: dict, meta: documents.Meta, progress: Progress) -> dict[str, bytes]:
    """The three documents of one snapshot."""

    def step(name: str) -> None:
        progress(name, STEPS.index(name), len(STEPS))

    ctx = documents.context(snapshot, meta, step)
    html = documents.render_html(ctx)
    step("pdf")
    pdf = documents.render_pdf(html)
    step("xlsx")
    xlsx = documents.render_xlsx(snapshot, meta)
    return {FileFormat.HTML: html.encode("utf-8"), FileFormat.PDF: pdf, FileFormat.XLSX: xlsx}


def build_review(
    *,
    acting_user: Actor,
    exercise: ReviewExercise,
    reader=None,
    progress: Progress = _no_progress,
) -> ReviewVersion:
    """Build a new version of `exercise`. The snapshot reads the country reports as `reader`
    may see them (default: the acting user; the Secretariat sees every approved report)."""
    if not can_build_review(acting_user, exercise):
        raise PermissionDenied("Only the ASEAN Secretariat builds a draft review")
    progress("snapshot", 0, len(STEPS))
    with transaction.atomic():  # one consistent read
        snapshot = take_snapshot(reader or acting_user, exercise)
    text = canonical_json(snapshot)
    digest = content_hash(text)
    built_at = timezone.now()
    with transaction.atomic():
        locked = ReviewExercise.objects.select_for_update().get(pk=exercise.pk)
        if not can_build_review(acting_user, locked):
            raise PermissionDenied("The review is no longer a draft")
        previous = locked.versions.order_by("-number").first()
        number = (previous.number if previous else 0) + 1
        meta = documents.Meta(
            version=number,
            snapshot_hash=digest,
            generated_at=built_at,
            executive_summary=locked.executive_summary,
            recommendations=locked.recommendations,
        )
        files = render_files(snapshot, meta, progress)
        progress("store", len(STEPS) - 1, len(STEPS))
        names = {}
        for fmt, content in files.items():
            name = f"reviews/{locked.pk}/v{number}/review-{locked.pk}-v{number}.{fmt}"
            if default_storage.exists(name):  # a rolled-back attempt's leftovers
                default_storage.delete(name)
            names[fmt] = default_storage.save(name, ContentFile(content))
        what_changed = changes(json.loads(previous.snapshot) if previous else None, snapshot)
        version = ReviewVersion.objects.create(
            exercise=locked,
            number=number,
            snapshot=text,
            snapshot_hash=digest,
            executive_summary=locked.executive_summary,
            recommendations=locked.recommendations,
            files=names,
            changes=what_changed,
            built_at=built_at,
            built_by_label=actor_label(acting_user)[:150],
        )
        before = {"version": locked.version, "snapshot_hash": locked.snapshot_hash}
        locked.version = number
        locked.snapshot_hash = digest
        locked.built_at = built_at
        locked.build_status = BuildStatus.IDLE
        locked.build_error = ""
        locked.lock_version += 1
        locked.updated_at = built_at
        locked.save(
            update_fields=[
                "version",
                "snapshot_hash",
                "built_at",
                "build_status",
                "build_error",
                "lock_version",
                "updated_at",
            ]
        )
        record(
            actor=acting_user,
            action="reviews.review.build",
            obj=locked,
            before=before,
            after={
                "version": number,
                "snapshot_hash": digest,
                "files": names,
                "changed_figures": len(what_changed),
            },
        )
    progress("store", len(STEPS), len(STEPS))
    return version
