"""The clearinghouse API (/api/v1/documents/): search and read (public: published items only
for anonymous callers), submit (any registered user), moderate (the Secretariat)."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.schemas import Error

from . import services
from .permissions import can_moderate
from .querysets import Filters, get_document_or_404, search_documents, similar_documents
from .text import snippet

router = Router(tags=["Clearinghouse"])
PAGE_SIZE = 20


class SearchParams(Schema):
    q: str = Field(default="", description="Words, all of which must occur (any language)")
    type: str = Field(default="", description="research, best_practice, evaluation, ...")
    year: int | None = None
    REF_AREA: str = Field(default="", description="A Member State concerned (ISO alpha-2)")
    component: int | None = Field(default=None, description="Id of a Work Plan component")
    language: str = ""
    page: int = Field(default=1, ge=1, le=10_000)


class Hit(Schema):
    id: int
    title: str
    year: int
    type: str
    snippet: str
    url: str


class DocumentSearchOut(Schema):
    count: int
    results: list[Hit]


class DocumentOut(Schema):
    id: int
    title: str
    authors: str
    year: int
    type: str
    language: str
    abstract: str
    keywords: str
    licence: str
    link: str
    state: str
    file_status: str
    member_states: list[str]
    components: list[int]
    url: str


class Submitted(Schema):
    id: int
    state: str


class DocumentProblems(Schema):
    detail: str
    problems: dict[str, str]


class ModerationIn(Schema):
    comment: str = ""


class SimilarOut(Schema):
    id: int
    title: str
    year: int
    score: float
    url: str


def _url(pk: int) -> str:
    return reverse("clearinghouse:detail", args=[pk])


def _snippet_text(document, q: str) -> str:
    source = document.abstract or document.text or document.title
    return "".join(f"[{p}]" if hit else p for p, hit in snippet(source, q))


@router.get(
    "",
    response=DocumentSearchOut,
    auth=public,
    url_name="documents",
    summary="Search the clearinghouse",
    description="Ranked when `q` is given (every word must occur in the title, abstract, "
    "keywords, authors or the file's text; case and diacritics do not matter). Snippets mark "
    "the words found in [brackets]. Anonymous callers see published items only.",
)
def list_documents(request: HttpRequest, params: Query[SearchParams]):
    filters = Filters(
        q=params.q.strip()[:300],
        type=params.type,
        year=params.year,
        ref_area=params.REF_AREA.upper(),
        component=params.component,
        language=params.language,
    )
    result = search_documents(request.user, filters, with_facets=False)
    count = result.total()
    start = (params.page - 1) * PAGE_SIZE
    page = result.items()[start : start + PAGE_SIZE]
    return {
        "count": count,
        "results": [
            {
                "id": d.pk,
                "title": d.title,
                "year": d.year,
                "type": d.type,
                "snippet": _snippet_text(d, filters.q),
                "url": _url(d.pk),
            }
            for d in page
        ],
    }


@router.post(
    "",
    response={201: Submitted, 400: DocumentProblems, 401: Error, 403: Error},
    auth=authenticated,
    url_name="document-submit",
    summary="Submit an item (any registered user)",
    description="Multipart: `title`, `year`, `type`, `abstract`, `file` (PDF or DOCX) and/or "
    "`link`. The Secretariat moderates it; its file's text is read in the background. 400 with "
    "every problem when the input or the file is refused; nothing is kept then.",
)
def submit(
    request: HttpRequest,
    title: Form[str],
    year: Form[str],
    type: Form[str],
    abstract: Form[str] = "",
    authors: Form[str] = "",
    language: Form[str] = "en",
    keywords: Form[str] = "",
    licence: Form[str] = "",
    link: Form[str] = "",
    member_states: Form[str] = "",  # REF_AREA codes, comma-separated
    components: Form[str] = "",  # Work Plan component ids, comma-separated
    file: File[UploadedFile | None] = None,
):
    try:
        component_ids = [int(c) for c in components.split(",") if c.strip()]
    except ValueError:
        return Status(400, {"detail": "components", "problems": {"components": "ids only"}})
    try:
        document = services.submit_document(
            acting_user=caller(request),
            title=title,
            year=year,
            type=type,
            abstract=abstract,
            authors=authors,
            language=language,
            keywords=keywords,
            licence=licence,
            link=link,
            member_states=[c.strip().upper() for c in member_states.split(",") if c.strip()],
            components=component_ids,
            uploaded_file=file,
        )
    except services.InvalidSubmission as exc:
        return Status(400, {"detail": str(exc), "problems": exc.problems})
    return Status(201, {"id": document.pk, "state": document.state})


@router.get("{id}", response={200: DocumentOut, 404: Error}, auth=public, url_name="document")
def get_document(request: HttpRequest, id: int):
    d = get_document_or_404(request.user, id)
    return {
        **{f: getattr(d, f) for f in DocumentOut.model_fields if hasattr(d, f)},
        "id": d.pk,
        "member_states": sorted(s.code for s in d.member_states.all()),
        "components": sorted(c.pk for c in d.components.all()),
        "url": _url(d.pk),
    }


@router.get(
    "{id}/similar",
    response={200: list[SimilarOut], 404: Error},
    auth=public,
    url_name="document-similar",
    summary="More like this: the nearest published items by a multilingual embedding",
)
def similar(request: HttpRequest, id: int):
    d = get_document_or_404(request.user, id)
    return [
        {"id": o.pk, "title": o.title, "year": o.year, "score": round(s, 4), "url": _url(o.pk)}
        for o, s in similar_documents(d)
    ]


def _moderate(request: HttpRequest, id: int, action: str, body: ModerationIn):
    user = caller(request)
    document = get_document_or_404(user, id)
    if not can_moderate(user):
        return Status(403, {"detail": "Only the ASEAN Secretariat moderates the clearinghouse"})
    try:
        document = services.moderate(
            acting_user=user, document=document, action=action, comment=body.comment
        )
    except services.InvalidSubmission as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, {"id": document.pk, "state": document.state})


MODERATION_RESPONSES = {200: Submitted, 401: Error, 403: Error, 404: Error, 409: Error}


@router.post("{id}/publish", response=MODERATION_RESPONSES, auth=authenticated)
def publish(request: HttpRequest, id: int):
    return _moderate(request, id, "publish", ModerationIn())


@router.post("{id}/request-changes", response=MODERATION_RESPONSES, auth=authenticated)
def request_changes(request: HttpRequest, id: int, body: ModerationIn):
    return _moderate(request, id, "request_changes", body)


@router.post("{id}/reject", response=MODERATION_RESPONSES, auth=authenticated)
def reject(request: HttpRequest, id: int, body: ModerationIn):
    return _moderate(request, id, "reject", body)


@router.post("{id}/withdraw", response=MODERATION_RESPONSES, auth=authenticated)
def withdraw(request: HttpRequest, id: int, body: ModerationIn):
    return _moderate(request, id, "withdraw", body)
