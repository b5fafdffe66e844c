"""Search across borders: names match through transliteration and spelling variants; a match
on a record the searcher may not see shows nothing of it but tells its originator (a hit)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.narco import names, services
from pantau.narco.models import Person, SearchHit

from .factories import make_person, make_syndicate

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def found(officer, query: str) -> list[int]:
    return [m.record.pk for m in services.search(acting_user=officer, query=query).persons]


def search_api(client, officer, query: str):
    return client.get("/api/v1/narco/search", {"name": query}, headers=client.bearer(officer))


def test_names_are_romanised_and_keyed():
    assert names.romanise("Nguyễn Văn A") == "nguyen van a"
    assert names.romanise("  Xie  Zhiliang ") == "xie zhiliang"
    assert names.score("Nguyen Van A", "nguyen van a", names.phonetic("Nguyễn Văn A")) == 100


def test_vietnamese_diacritics_do_not_matter(officers):
    person = make_person(officers.th, ["Nguyễn Văn A"], "all", nationality="VN")
    assert found(officers.my, "Nguyen Van A") == [person.pk]
    assert found(officers.my, "nguyen van a") == [person.pk]
    assert found(officers.my, "Nguyễn Văn A") == [person.pk]


def test_a_recorded_alias_matches_a_spelling_variant(officers):
    person = make_person(officers.th, ["Tse Chi Lop", "Xie Zhiliang"], "all", nationality="CN")
    assert found(officers.my, "Xie Zhi Liang") == [person.pk]
    assert found(officers.my, "Tse Chi-Lop") == [person.pk]


def test_unrelated_names_do_not_match(officers):
    make_person(officers.th, ["Nguyễn Văn A"], "all")
    assert found(officers.my, "Somchai Demo") == []


def test_syndicates_are_searched_by_name_and_alias(officers):
    syndicate = make_syndicate(
        officers.th, "Illustrative Golden Network", "all", aliases=["Illustrative Sun Yee"]
    )
    result = services.search(acting_user=officers.my, query="Illustrative Sun Yi")
    assert [m.record.pk for m in result.syndicates] == [syndicate.pk]


def test_a_too_short_query_is_refused(api_client, officers):
    response = search_api(api_client, officers.th, "x")
    assert response.status_code == 400
    assert response.json()["problems"] == ["name: type at least two letters"]


def test_a_hidden_match_reveals_nothing_and_tells_the_originator(
    api_client, officers, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    shown = make_person(officers.th, ["Nguyễn Văn Demo"], ["LA"], nationality="VN")
    hidden = make_person(officers.th, ["Nguyen Van Demo"], ["MY"], nationality="VN")

    with django_capture_on_commit_callbacks(execute=True):
        with_hidden = search_api(api_client, officers.la, "Nguyen Van Demo")
    assert with_hidden.status_code == 200
    body = with_hidden.json()
    assert [p["id"] for p in body["persons"]] == [shown.pk]

    # The originator learns of the hit: a row, an audited event under its name, an e-mail.
    hit = SearchHit.objects.get()
    assert (hit.person_id, hit.originator.code, hit.searcher_state.code) == (hidden.pk, "TH", "LA")
    assert hit.searched_by == officers.la
    assert hit.query == "Nguyen Van Demo"
    event = AuditEvent.objects.get(action="narco.hit")
    assert event.member_state == "TH"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["th.narco@example.org", "th2.narco@example.org"]
    assert "Nguyen" not in message.body  # the e-mail names no person
    assert "la.narco" not in " ".join(message.to)

    # The answer is exactly the answer of a database without the hidden record.
    Person.objects.filter(pk=hidden.pk).delete()
    without = search_api(api_client, officers.la, "Nguyen Van Demo")
    assert without.status_code == with_hidden.status_code
    assert without.json() == body
    assert without.content == with_hidden.content


def test_a_visible_match_is_no_hit(officers, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE_TASKS
    make_person(officers.th, ["Illustrative Somchai Demo"], ["MY"])
    with django_capture_on_commit_callbacks(execute=True):
        assert len(found(officers.my, "Illustrative Somchai Demo")) == 1
        assert len(found(officers.th, "Illustrative Somchai Demo")) == 1
    assert not SearchHit.objects.exists()
    assert mail.outbox == []


def test_the_search_page_shows_results_only(client, officers):
    shown = make_person(officers.th, ["Nguyễn Văn Demo"], ["LA"])
    make_person(officers.th, ["Nguyen Van Demo", "Illustrative Secret Alias"], ["MY"])
    client.sign_in(officers.la)
    page = client.get(reverse("narco:search"), {"name": "Nguyen Van Demo"})
    assert page.status_code == 200
    assert reverse("narco:person-detail", args=[shown.pk]) in page.text
    assert "Nguyen Van Demo</td>" not in page.text
    assert "Illustrative Secret Alias" not in page.text
    assert re.findall(r"/narco/persons/(\d+)/", page.text) == [str(shown.pk)]


def test_the_originator_sees_the_hit_and_the_searcher_does_not(client, officers):
    hidden = make_person(officers.th, ["Illustrative Somchai Demo"])
    services.search(acting_user=officers.my, query="Illustrative Somchai Demo")

    client.sign_in(officers.th2)
    page = client.get(reverse("narco:hits"))
    assert page.status_code == 200
    assert f"Person #{hidden.pk}" in page.text
    assert "Malaysia (MY)" in page.text
    assert "Illustrative Somchai Demo" in page.text  # the query the partner typed

    client.sign_in(officers.my)
    page = client.get(reverse("narco:hits"))
    assert "No hits." in page.text
    assert "Illustrative Somchai Demo" not in page.text


def test_partners_reading_search_results_is_audited_for_the_originator(officers):
    person = make_person(officers.th, ["Illustrative Somchai Demo"], ["MY"])
    services.search(acting_user=officers.my, query="Illustrative Somchai Demo")
    event = AuditEvent.objects.get(action="narco.search.result")
    assert event.member_state == "TH"
    assert event.actor == officers.my
    assert event.after["ids"] == [person.pk]


def test_archived_records_are_not_searched(officers):
    person = make_person(officers.th, ["Illustrative Somchai Demo"], "all")
    Person.objects.filter(pk=person.pk).update(review_date="2000-01-01")
    services.archive_overdue()
    assert found(officers.my, "Illustrative Somchai Demo") == []
    assert not SearchHit.objects.exists()


def test_two_words_narrow_what_one_word_finds(officers):
    person = make_person(officers.th, ["Chen Jia Ming"], "all", nationality="CN")
    namesake = make_person(officers.th, ["Chen Wei"], "all", nationality="CN")
    assert found(officers.my, "Chen Jia") == [person.pk]
    # An officer at a checkpoint types one name first: it finds every namesake (issue 15.5).
    assert sorted(found(officers.my, "Chen")) == sorted([person.pk, namesake.pk])


def test_a_partner_repeating_a_search_makes_one_hit_a_day(officers):
    make_person(officers.th, ["Somchai Hidden"], None)
    services.search(acting_user=officers.my, query="Somchai Hidden")
    services.search(acting_user=officers.my, query="Somchai Hidden")
    assert SearchHit.objects.filter(searched_by=officers.my).count() == 1
