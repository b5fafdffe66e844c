"""The clearinghouse's pages: browse and search (public: published items only for the public),
an item, submission (any registered user) and moderation (the Secretariat)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import PermissionDenied

from . import services
from .choices import DocumentState, DocumentType, FileStatus, Language
from .forms import ModerationForm, SubmissionForm
from .models import Document
from .permissions import can_moderate, can_moderate_document, can_resubmit
from .querysets import Filters, get_document_or_404, search_documents, similar_documents
from .text import snippet


def browse(request):
    filters = Filters.from_params(request.GET)
    result = search_documents(request.user, filters)
    page = Paginator(result.items("member_states"), 20).get_page(request.GET.get("page"))
    hits = [(d, snippet(d.abstract or d.text or "", filters.q) if filters.q else []) for d in page]
    queue = mine = None
    if can_moderate(request.user):
        queue = Document.objects.restrict(request.user).filter(state=DocumentState.SUBMITTED)
    elif request.user.is_authenticated:
        mine = Document.objects.restrict(request.user).filter(submitted_by=request.user)
    return render(
        request,
        "clearinghouse/browse.html",
        {
            "filters": filters,
            "page": page,
            "hits": hits,
            "facets": result.facets,
            "types": DocumentType.choices,
            "languages": Language.choices,
            "queue": queue,
            "mine": mine,
        },
    )


def detail(request, pk: int):
    document = get_document_or_404(request.user, pk)
    actions = [
        a
        for a in ("publish", "request_changes", "reject", "withdraw")
        if can_moderate_document(request.user, document, a)
    ]
    return render(
        request,
        "clearinghouse/detail.html",
        {
            "document": document,
            "similar": similar_documents(document),
            "actions": actions,
            "can_resubmit": can_resubmit(request.user, document),
            "show_state": can_moderate(request.user)
            or (request.user.is_authenticated and document.submitted_by_id == request.user.pk),
            "form": ModerationForm(),
            "FileStatus": FileStatus,
        },
    )


def download(request, pk: int):
    document = get_document_or_404(request.user, pk)
    if not document.file or document.file_status == FileStatus.PENDING:
        raise Http404("No file")
    response = FileResponse(
        default_storage.open(document.file, "rb"),
        as_attachment=True,
        filename=document.file_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def submit(request):
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.submit_document(
                acting_user=request.user,
                title=data["title"],
                authors=data["authors"],
                year=data["year"],
                type=data["type"],
                language=data["language"],
                abstract=data["abstract"],
                keywords=data["keywords"],
                licence=data["licence"],
                link=data["link"],
                member_states=[s.code for s in data["member_states"]],
                components=[c.pk for c in data["components"]],
                uploaded_file=data["file"],
            )
        except services.InvalidSubmission as exc:
            for name, problem in exc.problems.items():
                form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(
                request, _("Thank you: the ASEAN Secretariat will review your submission.")
            )
            return redirect("clearinghouse:detail", document.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "clearinghouse/submit.html", {"form": form}, status=status)


@require_POST
@login_required
def moderate(request, pk: int):
    document = get_document_or_404(request.user, pk)
    form = ModerationForm(request.POST)
    if not can_moderate(request.user):
        return HttpResponseForbidden(_("Only the ASEAN Secretariat moderates the clearinghouse."))
    if not form.is_valid():
        messages.error(request, _("Choose a moderation action."))
        return redirect("clearinghouse:detail", pk)
    try:
        services.moderate(
            acting_user=request.user,
            document=document,
            action=form.cleaned_data["action"],
            comment=form.cleaned_data["comment"],
        )
    except services.InvalidSubmission as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    return redirect("clearinghouse:detail", pk)


@require_POST
@login_required
def resubmit(request, pk: int):
    document = get_document_or_404(request.user, pk)
    try:
        services.resubmit(
            acting_user=request.user, document=document, comment=request.POST.get("comment", "")
        )
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    return redirect("clearinghouse:detail", pk)
