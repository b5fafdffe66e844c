"""The review pages: the list (and the Secretariat's creation form), a review's page (state,
texts, build with its progress, versions and what changed, the workflow) and its files. Every
read starts from the restricted reads (querysets.py): others see published reviews only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pantau.core.exceptions import PermissionDenied

from . import services
from .choices import WORKFLOW, FileFormat, ReviewTransition
from .forms import ReviewForm, TextsForm
from .permissions import (
    can_build_review,
    can_create_review,
    can_edit_review,
    can_transition_review,
)
from .querysets import get_review_or_404, get_version_or_404, reviews_for
from .tasks import read_progress

CONTENT_TYPES = {
    FileFormat.HTML: "text/html; charset=utf-8",
    FileFormat.PDF: "application/pdf",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/list.html",
        {
            "reviews": reviews_for(request.user),
            "form": ReviewForm(initial={"plan": "2016-2025"})
            if can_create_review(request.user)
            else None,
        },
    )


@login_required
@require_POST
def review_create(request) -> HttpResponse:
    if not can_create_review(request.user):
        raise PermissionDenied(_("Only the ASEAN Secretariat creates review exercises"))
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            exercise = services.create_review(acting_user=request.user, **form.cleaned_data)
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("reviews:detail", exercise.pk)
    return render(
        request,
        "reviews/list.html",
        {"reviews": reviews_for(request.user), "form": form},
        status=400,
    )


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_review_or_404(request.user, pk)
    versions = list(exercise.versions.order_by("-number"))
    user = request.user
    return render(
        request,
        "reviews/detail.html",
        {
            "review": exercise,
            "versions": versions,
            "newest": versions[0] if versions else None,
            "formats": FileFormat.values,
            "progress": read_progress(exercise.pk),
            "can_build": can_build_review(user, exercise),
            "texts_form": TextsForm(
                initial={
                    "lock_version": exercise.lock_version,
                    "executive_summary": exercise.executive_summary,
                    "recommendations": exercise.recommendations,
                }
            )
            if can_edit_review(user, exercise)
            else None,
            "actions": [
                (a, ReviewTransition(a).label)
                for a in WORKFLOW
                if can_transition_review(user, exercise, a)
            ],
            "texts_changed": bool(versions)
            and (
                versions[0].executive_summary != exercise.executive_summary
                or versions[0].recommendations != exercise.recommendations
            ),
        },
    )


@login_required
@require_POST
def review_texts(request, pk: int) -> HttpResponse:
    exercise = get_review_or_404(request.user, pk)
    form = TextsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The texts could not be saved."))
        return redirect("reviews:detail", pk)
    try:
        services.update_texts(acting_user=request.user, exercise=exercise, **form.cleaned_data)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved. The documents show the texts from the next build."))
    return redirect("reviews:detail", pk)


@login_required
@require_POST
def review_build(request, pk: int) -> HttpResponse:
    exercise = get_review_or_404(request.user, pk)
    services.request_build(acting_user=request.user, exercise=exercise)
    messages.success(request, _("The build is queued; this page shows its progress."))
    return redirect("reviews:detail", pk)


@require_GET
def review_progress(request: HttpRequest, pk: int) -> JsonResponse:
    exercise = get_review_or_404(request.user, pk)
    return JsonResponse(
        {
            "build_status": exercise.build_status,
            "version": exercise.version,
            "progress": read_progress(exercise.pk),
            "error": exercise.build_error,
        }
    )


@login_required
@require_POST
def review_transition(request, pk: int) -> HttpResponse:
    exercise = get_review_or_404(request.user, pk)
    action = request.POST.get("action", "")
    if action not in WORKFLOW:
        raise Http404("No such action")
    lock = request.POST.get("lock_version", "")
    try:
        services.transition(
            acting_user=request.user,
            exercise=exercise,
            action=action,
            lock_version=int(lock) if lock.isdigit() else None,
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect("reviews:detail", pk)


@require_GET
def review_file(request: HttpRequest, pk: int, version: int, fmt: str) -> FileResponse:
    """A built file of one version, as it was built (never rendered again)."""
    found = get_version_or_404(request.user, pk, version)
    if fmt not in FileFormat.values or not found.file_name(fmt):
        raise Http404("No such file")
    name = found.file_name(fmt)
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=CONTENT_TYPES[FileFormat(fmt)],
        as_attachment=fmt != FileFormat.HTML,
        filename=name.rsplit("/", 1)[-1],
    )
    response["X-Snapshot-SHA256"] = found.snapshot_hash
    if fmt == FileFormat.HTML:
        # The stored report is a document of its own: no scripts, only its inline style.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return response
