"""Restricted reads: the search behind the browse page and the API, its facets, an item by id,
"more like this", and the items informing a Work Plan component."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.http import Http404

from . import search, similarity
from .models import Document


@dataclass
class Filters:
    q: str = ""
    type: str = ""
    year: int | None = None
    ref_area: str = ""
    component: int | None = None
    language: str = ""

    @classmethod
    def from_params(cls, params) -> "Filters":
        def number(name: str) -> int | None:
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        return cls(
            q=(params.get("q") or "").strip()[:300],
            type=(params.get("type") or "").strip(),
            year=number("year"),
            ref_area=(params.get("REF_AREA") or params.get("ref_area") or "").strip().upper(),
            component=number("component"),
            language=(params.get("language") or "").strip(),
        )


@dataclass
class SearchResult:
    documents: QuerySet
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    ranked: bool = False


def search_documents(user, filters: Filters, *, with_facets: bool = True) -> SearchResult:
    qs = Document.objects.restrict(user)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.ref_area:
        qs = qs.filter(member_states__code=filters.ref_area)
    if filters.component:
        qs = qs.filter(components__pk=filters.component)
    ranked = False
    if filters.q:
        narrowed = search.matching(qs, filters.q)
        qs = narrowed if narrowed is not None else qs.none()
        ranked = True
    facets = _facets(qs) if with_facets else {}
    return SearchResult(qs, facets, ranked)


def _facets(qs: QuerySet) -> dict[str, list[tuple[str, str, int]]]:
    # Counted on the search's own query (its index joined once), items counted once each: a
    # subquery of it would lose the join's table name to Django's alias.
    base = qs.order_by()
    labels = {
        "type": dict(Document._meta.get_field("type").choices or []),
        "language": dict(Document._meta.get_field("language").choices or []),
    }
    out: dict[str, list[tuple[str, str, int]]] = {}
    for name in ("type", "language", "year"):
        rows = (
            base.values(name)
            .annotate(n=Count("pk", distinct=True))
            .order_by(f"-{name}" if name == "year" else name)
        )
        out[name] = [
            (str(r[name]), str(labels.get(name, {}).get(r[name], r[name])), r["n"]) for r in rows
        ]
    rows = (
        base.filter(member_states__isnull=False)
        .values("member_states__code", "member_states__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("member_states__name")
    )
    out["REF_AREA"] = [(r["member_states__code"], r["member_states__name"], r["n"]) for r in rows]
    rows = (
        base.filter(components__isnull=False)
        .values("components__pk", "components__number")
        .annotate(n=Count("pk", distinct=True))
        .order_by("components__number")
    )
    out["component"] = [
        (str(r["components__pk"]), str(r["components__number"]), r["n"]) for r in rows
    ]
    return out


def get_document_or_404(user, pk: int) -> Document:
    """The item if `user` may see it; missing and forbidden answer the same."""
    document = (
        Document.objects.restrict(user)
        .prefetch_related("member_states", "components")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("No such item")
    return document


def similar_documents(document: Document, limit: int = 5) -> list[tuple[Document, float]]:
    """The published items nearest to `document` by their embeddings (the public rule holds:
    only published items are ever suggested)."""
    if not document.embedding:
        return []
    candidates = list(
        Document.objects.published()
        .exclude(pk=document.pk)
        .exclude(embedding__isnull=True)
        .values_list("pk", "embedding")
    )
    nearest = similarity.most_similar(bytes(document.embedding), candidates, limit)
    by_id = Document.objects.in_bulk([pk for pk, _ in nearest])
    return [(by_id[pk], score) for pk, score in nearest if pk in by_id]


def informing_component(component_ids: list[int]) -> QuerySet:
    """Published items that inform the given Work Plan components."""
    return (
        Document.objects.published()
        .filter(components__pk__in=component_ids)
        .distinct()
        .order_by("-year", "title")
    )
