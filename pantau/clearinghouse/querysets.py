"""Restricted reads: the search behind the browse page and the API, its facets, an item by id,
"more like this", and the items informing a Work Plan component."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import overload

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
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
    # The number of items found, when the facets have counted them (None: not counted yet).
    count: int | None = None
    # The first page's ids, in order, when the facets' pass has ranked them (ranked searches).
    first_ids: list[int] | None = None

    def total(self) -> int:
        if self.count is None:
            self.count = self.documents.count()
        return self.count

    def items(self, *prefetch: str) -> "Pages":
        """The items found, for a paginator: counted once, fetched a page at a time."""
        return Pages(self, prefetch)


class Pages:
    """The items of a search as a paginator slices them: a page's ids first, in the search's
    order (only the narrow columns it ranks and filters on are read and sorted), then those
    items' rows. Sorting the whole rows of every match to keep 20 carried each item's text
    through the sort (450 ms for 53,000 matches on SQLite)."""

    def __init__(self, result: SearchResult, prefetch: tuple[str, ...] = ()):
        self.result = result
        self.prefetch = prefetch

    def count(self) -> int:
        return self.result.total()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Document]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if not isinstance(index, slice):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        first = self.result.first_ids
        if first is not None and start == 0 and stop is not None and stop <= len(first):
            ids = first[:stop]
        elif first is not None and start == 0 and len(first) == self.count():
            ids = first
        else:
            ids = list(self.result.documents.values_list("pk", flat=True)[index])
        rows = Document.objects.filter(pk__in=ids).prefetch_related(*self.prefetch).in_bulk()
        return [rows[pk] for pk in ids if pk in rows]


def search_documents(
    user, filters: Filters, *, with_facets: bool = True, first_page: int = 20
) -> SearchResult:
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
    if not with_facets:
        return SearchResult(qs, {}, ranked)
    facets, count, first_ids = _facets(qs, first_page if ranked else 0)
    return SearchResult(qs, facets, ranked, count, first_ids)


FACET_NAMES = ("type", "language", "year", "REF_AREA", "component")


def _facets(
    qs: QuerySet, first_page: int = 0
) -> tuple[dict[str, list[tuple[str, str, int]]], int, list[int] | None]:
    """The facets of the items of `qs`, their number and, for a ranked search, the first
    `first_page` ids in the search's order, in one statement: the items found (id, type,
    language, year, rank) are computed once, as a materialized CTE, and every facet counts
    over them (a query per facet ran the full-text match once each: five matches more per
    search, and the count and the page two more; see bench/README.md). The count is the type
    facet's sum (every item has a type). Each item is counted once per value: the filters on
    Member State and component join one row per item at most."""
    out: dict[str, list[tuple[str, str, int]]] = {name: [] for name in FACET_NAMES}
    columns = ["pk", "type", "language", "year"] + (["rank"] if first_page else [])
    try:
        base_sql, base_params = qs.order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:
        return out, 0, [] if first_page else None
    doc = Document._meta
    states = Document.member_states.through._meta
    components = Document.components.through._meta
    state_model = Document._meta.get_field("member_states").related_model._meta
    component_model = Document._meta.get_field("components").related_model._meta
    qn = connection.ops.quote_name

    def through(meta, target_meta) -> tuple[str, str]:
        own = meta.get_field(doc.model_name).column
        other = meta.get_field(target_meta.model_name).column
        return own, other

    state_doc, state_fk = through(states, state_model)
    comp_doc, comp_fk = through(components, component_model)
    # Names from the models, the query's values parameters.
    sql = (
        f"WITH found ({', '.join(c if c != 'pk' else 'id' for c in columns)}) "  # noqa: S608  # nosec B608
        f"AS MATERIALIZED ({base_sql}) "
        "SELECT 'type', type, '', COUNT(*) FROM found GROUP BY type "
        "UNION ALL SELECT 'language', language, '', COUNT(*) FROM found GROUP BY language "
        "UNION ALL SELECT 'year', CAST(year AS TEXT), '', COUNT(*) FROM found GROUP BY year "
        f"UNION ALL SELECT 'REF_AREA', s.{qn('code')}, s.{qn('name')}, COUNT(DISTINCT found.id) "
        f"FROM found JOIN {qn(states.db_table)} t ON t.{qn(state_doc)} = found.id "
        f"JOIN {qn(state_model.db_table)} s ON s.{qn('id')} = t.{qn(state_fk)} "
        f"GROUP BY s.{qn('code')}, s.{qn('name')} "
        f"UNION ALL SELECT 'component', CAST(c.{qn('id')} AS TEXT), "
        f"CAST(c.{qn('number')} AS TEXT), COUNT(DISTINCT found.id) "
        f"FROM found JOIN {qn(components.db_table)} t ON t.{qn(comp_doc)} = found.id "
        f"JOIN {qn(component_model.db_table)} c ON c.{qn('id')} = t.{qn(comp_fk)} "
        f"GROUP BY c.{qn('id')}, c.{qn('number')}"
    )
    if first_page:
        # The order of search.matching: rank, then year, then id, each descending.
        sql += (
            " UNION ALL SELECT 'page', CAST(id AS TEXT), '', ROW_NUMBER() "  # noqa: S608  # nosec B608
            "OVER (ORDER BY rank DESC, year DESC, id DESC) FROM (SELECT id, rank, year FROM found "
            f"ORDER BY rank DESC, year DESC, id DESC LIMIT {int(first_page)}) AS page"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, base_params)
        rows = cursor.fetchall()
    labels = {
        "type": dict(Document._meta.get_field("type").choices or []),
        "language": dict(Document._meta.get_field("language").choices or []),
    }
    page: list[tuple[int, int]] = []
    for name, value, label, n in rows:
        value = str(value)
        if name == "page":
            page.append((n, int(value)))
            continue
        if name in labels:
            label = labels[name].get(value, value)
        elif name == "year":
            label = value
        out[name].append((value, str(label), n))
    out["type"].sort()
    out["language"].sort()
    out["year"].sort(key=lambda r: -int(r[0]))
    out["REF_AREA"].sort(key=lambda r: r[1])
    out["component"].sort(key=lambda r: int(r[1]))
    first_ids = [pk for _, pk in sorted(page)] if first_page else None
    return out, sum(n for _, _, n in out["type"]), first_ids


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
