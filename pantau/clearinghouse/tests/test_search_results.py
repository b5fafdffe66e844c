"""The browse page's search: its facets and count computed in one pass must equal what each
filter finds on its own, its first page (ranked in that pass) must be the ranked queryset's
first page, a title match ranks above body matches, and the public sees published items only.
Runs on SQLite and PostgreSQL."""

import pytest

from pantau.clearinghouse import services
from pantau.clearinghouse.querysets import Filters, search_documents
from pantau.workplan.models import Component

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(people):
    components = list(Component.objects.filter(plan__code="2016-2025").order_by("number")[:2])
    items = [
        ("Heroin markets", "heroin heroin heroin prices", 2019, "research", "en", ["TH"], 0),
        ("Treatment of heroin users", "follow-up", 2020, "evaluation", "id", ["TH", "VN"], 1),
        ("Seizures at sea", "heroin and methamphetamine", 2020, "research", "en", ["VN"], None),
        ("Prevention in schools", "education", 2021, "guideline", "vi", [], 0),
        ("Crop substitution", "heroin poppy coffee", 2021, "research", "th", ["MY"], 1),
    ]
    documents = []
    for title, abstract, year, type_, language, states, component in items:
        d = services.submit_document(
            acting_user=people.plain,
            title=title,
            abstract=abstract,
            year=year,
            type=type_,
            language=language,
            member_states=states,
            components=[components[component].pk] if component is not None else [],
            link="https://example.org/" + title.replace(" ", "-"),
        )
        services.moderate(acting_user=people.secretariat, document=d, action="publish")
        documents.append(d)
    # A submitted item, not published: the public never counts it.
    hidden = services.submit_document(
        acting_user=people.plain,
        title="Heroin draft",
        abstract="heroin",
        year=2021,
        type="research",
        member_states=["TH"],
        link="https://example.org/draft",
    )
    return documents, hidden, components


def _ids(result) -> set[int]:
    return set(result.documents.values_list("pk", flat=True))


@pytest.mark.parametrize("q", ["", "heroin", "nothingmatches"])
def test_facet_counts_equal_the_counts_of_each_filter(library, q):
    result = search_documents(None, Filters(q=q))
    assert result.total() == len(_ids(result)) == result.documents.count()
    by_name = {
        "type": "type",
        "language": "language",
        "year": "year",
        "REF_AREA": "ref_area",
        "component": "component",
    }
    for facet, values in result.facets.items():
        for value, _label, n in values:
            narrowed = Filters(
                q=q, **{by_name[facet]: int(value) if facet in ("year", "component") else value}
            )
            assert n == len(_ids(search_documents(None, narrowed))), (facet, value)
    assert sum(n for _, _, n in result.facets["type"]) == result.total()


def test_facets_hold_labels_and_order(library):
    _documents, _hidden, components = library
    result = search_documents(None, Filters(q="heroin"))
    assert [v for v, _, _ in result.facets["year"]] == ["2021", "2020", "2019"]
    assert ("TH", "Thailand", 2) in result.facets["REF_AREA"]
    assert [label for _, label, _ in result.facets["component"]] == [
        str(c.number) for c in components
    ]
    assert ("en", "English", 2) in result.facets["language"]


def test_the_public_counts_published_items_only(library, people):
    _documents, hidden, _ = library
    public = search_documents(None, Filters(q="heroin"))
    assert hidden.pk not in _ids(public)
    assert public.total() == 4
    assert ("TH", "Thailand", 2) in public.facets["REF_AREA"]
    secretariat = search_documents(people.secretariat, Filters(q="heroin"))
    assert hidden.pk in _ids(secretariat)
    assert secretariat.total() == 5
    assert ("TH", "Thailand", 3) in secretariat.facets["REF_AREA"]


def test_a_title_match_ranks_above_body_matches(library):
    documents, _, _ = library
    result = search_documents(None, Filters(q="heroin"))
    ranked = list(result.documents.values_list("pk", flat=True))
    in_title = {documents[0].pk, documents[1].pk}
    assert set(ranked[:2]) == in_title  # "Heroin markets" also repeats it in its body
    assert result.first_ids == ranked[:20]


def test_pages_follow_the_ranked_order(library):
    result = search_documents(None, Filters(q="heroin"), first_page=2)
    ranked = list(result.documents.values_list("pk", flat=True))
    pages = result.items("member_states")
    assert pages.count() == len(ranked) == 4
    assert [d.pk for d in pages[0:2]] == ranked[:2] == result.first_ids
    assert [d.pk for d in pages[2:4]] == ranked[2:4]
    assert [d.pk for d in pages[0:4]] == ranked
    assert pages[1].pk == ranked[1]
    assert [d.pk for d in pages] == ranked


def test_browse_page_shows_the_count_and_ranked_items(client, library):
    _documents, _hidden, _ = library
    page = client.get("/clearinghouse/", {"q": "heroin"}).content.decode()
    assert "Heroin markets" in page
    assert "Heroin draft" not in page
    assert page.index("Heroin markets") < page.index("Seizures at sea")
