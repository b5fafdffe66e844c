"""Search by one name (issue 15.5): an officer at a checkpoint types one name first. It matches
any part of a record's names and aliases, through one-letter variants and other scripts, says
why each record matched, and still finds nothing that is not shared with the searcher."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from pantau.accounts.models import User
from pantau.audit.models import AuditEvent
from pantau.narco import names, services
from pantau.narco.models import NameKey, NameToken, Person, SearchHit, Syndicate
from pantau.site.demo.narco import load_narco_demo

from .factories import make_person

pytestmark = pytest.mark.django_db

# The demo's records (pantau/site/demo/narco.py): who made them, with whom they are shared.
SOMCHAI = "Illustrative Somchai Demo"  # TH, shared with MY; also "Illustrative สมชาย เดโม"
NGUYEN = "Illustrative Nguyễn Văn Demo"  # LA, shared with TH; also "Illustrative Nguyen Van Demo"
GOLDEN = "Illustrative Golden Demo Network"  # MY, shared with all


@pytest.fixture
def demo():
    load_narco_demo()
    return {code: User.objects.get(username=f"{code.lower()}.narco") for code in ("TH", "MY", "LA")}


def person_named(name: str) -> Person:
    return Person.objects.get(name_keys__name=name)


def persons(officer, query: str) -> list[int]:
    return [m.record.pk for m in services.search(acting_user=officer, query=query).persons]


@pytest.mark.parametrize(
    ("query", "state", "recorded", "part", "how"),
    [
        ("Nguyen", "TH", NGUYEN, "Nguyen", "exact"),  # the page's own example
        ("Nguyễn", "TH", NGUYEN, "Nguyễn", "exact"),
        ("nguyen", "LA", NGUYEN, "Nguyen", "exact"),
        ("Somchai", "MY", SOMCHAI, "Somchai", "exact"),
        ("Somchay", "MY", SOMCHAI, "Somchai", "one_edit"),
        ("สมชาย", "MY", SOMCHAI, "สมชาย", "exact"),  # Thai script: the record's native name
        ("สมชาย", "TH", SOMCHAI, "สมชาย", "exact"),
    ],
)
def test_one_name_finds_its_demo_person_and_says_why(demo, query, state, recorded, part, how):
    person = person_named(recorded)
    result = services.search(acting_user=demo[state], query=query)
    assert [m.record.pk for m in result.persons] == [person.pk]
    (match,) = result.persons
    (why,) = match.explanation
    assert (why.query, why.part, why.how) == (query, part, how)
    assert why.name in person.names
    assert match.score == why.score == names.WORD_SCORES[why.how]


def test_two_words_one_of_them_misspelt_find_the_demo_person(demo):
    person = person_named(SOMCHAI)
    (match,) = services.search(acting_user=demo["MY"], query="Somchay Demo").persons
    assert match.record.pk == person.pk
    assert [(w.query, w.part, w.how) for w in match.explanation] == [
        ("Somchay", "Somchai", "one_edit"),
        ("Demo", "Demo", "exact"),
    ]
    assert match.score == 95.0  # the mean of 90 (one edit) and 100 (exact)


def test_one_word_of_a_syndicate_name_finds_it(demo):
    syndicate = Syndicate.objects.get(name=GOLDEN)
    for code in ("TH", "MY", "LA"):
        result = services.search(acting_user=demo[code], query="Golden")
        assert [m.record.pk for m in result.syndicates] == [syndicate.pk], code
        assert result.persons == []
        (why,) = result.syndicates[0].explanation
        assert (why.part, why.name, why.how) == ("Golden", GOLDEN, "exact")


def test_a_thai_query_finds_a_latin_only_record_by_sound(officers):
    person = make_person(officers.th, ["Somchai Latin"], "all")
    (match,) = services.search(acting_user=officers.my, query="สมชาย").persons
    assert match.record.pk == person.pk
    (why,) = match.explanation
    assert (why.part, why.how) == ("Somchai", "phonetic")


@pytest.mark.parametrize(
    ("query", "state"),
    [
        ("Somchai", "LA"),  # Thailand shares it with Malaysia only
        ("Somchay", "LA"),
        ("สมชาย", "LA"),
        ("Nguyen", "MY"),  # Lao PDR shares it with Thailand only
        ("Nguyễn", "MY"),
    ],
)
def test_one_name_never_finds_a_record_not_shared_with_the_searcher(demo, query, state):
    result = services.search(acting_user=demo[state], query=query)
    assert result.persons == []
    assert result.syndicates == []
    # The originator is told, as for any other search that matched a hidden record.
    hit = SearchHit.objects.get(searched_by=demo[state])
    assert hit.query == query
    assert hit.person_id not in Person.objects.restrict(demo[state]).values_list("pk", flat=True)


def test_every_one_name_answer_is_within_what_the_searcher_may_see(officers, records):
    # records: Thai ones shared each way (originator only, MY, all), one of Lao PDR's for TH.
    for officer in (officers.th, officers.my, officers.la):
        visible_p = set(Person.objects.restrict(officer).values_list("pk", flat=True))
        visible_s = set(Syndicate.objects.restrict(officer).values_list("pk", flat=True))
        for query in ("Illustrative", "Somchai", "Lao", "Golden", "Quiet", "Originator"):
            result = services.search(acting_user=officer, query=query)
            assert {m.record.pk for m in result.persons} <= visible_p, (officer, query)
            assert {m.record.pk for m in result.syndicates} <= visible_s, (officer, query)
    assert persons(officers.la, "Originator") == []
    assert persons(officers.th, "Originator") == [records.th_only.pk]
    assert persons(officers.my, "Somchai") == [records.th_my.pk]
    assert persons(officers.la, "Somchai") == []


def test_a_name_matching_nothing_finds_nothing_and_is_audited(demo):
    before = AuditEvent.objects.filter(action="narco.search").count()
    result = services.search(acting_user=demo["TH"], query="Zygmunt")
    assert (result.persons, result.syndicates) == ([], [])
    assert not SearchHit.objects.exists()
    assert AuditEvent.objects.filter(action="narco.search").count() == before + 1
    event = AuditEvent.objects.filter(action="narco.search").latest("id")
    assert event.actor == demo["TH"]
    assert event.after == {"query": "Zygmunt", "persons": [], "syndicates": []}


def test_a_one_name_search_is_audited_as_before(demo):
    person = person_named(NGUYEN)
    services.search(acting_user=demo["TH"], query="Nguyen")
    event = AuditEvent.objects.filter(action="narco.search").latest("id")
    assert (event.actor, event.member_state) == (demo["TH"], "TH")
    assert event.after == {"query": "Nguyen", "persons": [person.pk], "syndicates": []}
    # Lao PDR, the originator, sees that Thailand read its record's names.
    read = AuditEvent.objects.get(action="narco.search.result")
    assert (read.actor, read.member_state, read.after["ids"]) == (demo["TH"], "LA", [person.pk])


def test_only_records_sharing_a_key_with_the_query_are_scored(officers, monkeypatch):
    wanted = make_person(officers.th, ["Illustrative Somchai Demo"], "all")
    for n in range(20):
        make_person(officers.th, [f"Unrelated Person{n:02d} Xyz"], "all")
    scored = []
    explain = names.explain

    def spy(query, recorded):
        scored.append(list(recorded))
        return explain(query, recorded)

    monkeypatch.setattr(names, "explain", spy)
    assert persons(officers.my, "Somchay") == [wanted.pk]
    assert scored == [["Illustrative Somchai Demo"]]


def test_names_recorded_before_the_keys_existed_are_keyed_by_the_migration(officers):
    person = make_person(officers.th, ["Illustrative Somchai Demo"], "all")
    NameToken.objects.all().delete()
    assert persons(officers.my, "Somchai") == []
    migration = importlib.import_module("pantau.narco.migrations.0002_name_tokens")
    migration.index_existing_names(apps, None)
    assert persons(officers.my, "Somchai") == [person.pk]
    assert NameToken.objects.filter(name_key__in=NameKey.objects.filter(person=person)).exists()


def test_the_search_page_explains_each_match(client, demo):
    person = person_named(SOMCHAI)
    client.sign_in(demo["MY"])
    page = client.get(reverse("narco:search"), {"name": "Somchay"})
    assert page.status_code == 200
    assert reverse("narco:person-detail", args=[person.pk]) in page.text
    assert "“Somchay” → “Somchai” in “Illustrative Somchai Demo”: one letter differs" in page.text


def test_the_api_explains_each_match(api_client, demo):
    person = person_named(SOMCHAI)
    response = api_client.get(
        "/api/v1/narco/search", {"name": "สมชาย"}, headers=api_client.bearer(demo["MY"])
    )
    assert response.status_code == 200
    (found,) = response.json()["persons"]
    assert found["id"] == person.pk
    assert found["score"] == 100.0
    assert found["explanation"] == [
        {
            "query": "สมชาย",
            "part": "สมชาย",
            "name": "Illustrative สมชาย เดโม",
            "how": "exact",
            "score": 100.0,
        }
    ]
    assert response.json()["syndicates"] == []
