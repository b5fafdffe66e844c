"""The ASEAN-NARCO pages: officers only (404 for every other user, sign-in for anonymous),
forms that keep what was typed on a conflict, buttons for the originator only, and an
access page that shows the originator who read its records."""

import datetime
import re

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from pantau.audit.models import AuditEvent
from pantau.narco.models import Person, Syndicate, WatchListEntry

from .factories import last_event_id, make_person

pytestmark = pytest.mark.django_db


def narco_urls(records) -> list[str]:
    """Every URL of the module, from the resolver: a page added later is covered too."""
    resolver = get_resolver()
    (pattern,) = [p for p in resolver.url_patterns if getattr(p, "namespace", "") == "narco"]
    urls = []
    for p in pattern.url_patterns:
        assert isinstance(p, URLPattern)
        args = [records.syn_all.pk if "syndicate" in p.name else records.th_all.pk]
        if p.name == "watch-confirm":
            args = [WatchListEntry.objects.first().pk]
        urls.append(reverse(f"narco:{p.name}", args=args if "<int:pk>" in str(p.pattern) else []))
    return urls


@pytest.fixture
def watch(officers, records):
    from pantau.narco import services

    return services.add_watch_entry(
        acting_user=officers.th,
        person=records.th_all,
        activity="Illustrative activity",
        source_agency="Illustrative agency",
        source_reliability="B",
        information_grade="2",
        sharing="all",
    )


def state_of(records) -> dict:
    return {
        "persons": list(Person.objects.values()),
        "syndicates": list(Syndicate.objects.values()),
        "watch": list(WatchListEntry.objects.values()),
        "events": last_event_id(),
    }


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["secretariat", "administrator", "superuser", "th-focal-point", "th-approver", "no-role"]
)
def test_every_page_answers_404_to_non_officers(client, outsiders, records, watch, who):
    client.sign_in(outsiders[who])
    before = state_of(records)
    for url in narco_urls(records):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "X", "names": "X"}).status_code == 404, url
    assert state_of(records) == before


def test_every_page_sends_anonymous_visitors_to_sign_in(client, records, watch):
    login = reverse("accounts:login")
    for url in narco_urls(records):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url


def test_officers_open_every_page(client, officers, records, watch):
    client.sign_in(officers.th)
    for url in narco_urls(records):
        if url.endswith(("/confirm/", "/watch/")):
            continue  # POST only
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_nav_link_is_shown_to_officers_only(client, officers, outsiders):
    client.sign_in(officers.my)
    assert 'href="/narco/">ASEAN-NARCO</a>' in client.get("/").text
    for user in outsiders.values():
        client.sign_in(user)
        assert "ASEAN-NARCO" not in client.get("/").text
    client.logout()
    assert "ASEAN-NARCO" not in client.get("/").text


# --- home, detail, buttons ------------------------------------------------------------------


def test_home_lists_our_records_and_flags_the_overdue(client, officers, records):
    overdue = timezone.localdate() - datetime.timedelta(days=1)
    Person.objects.filter(pk=records.th_my.pk).update(review_date=overdue)
    client.sign_in(officers.th)
    page = client.get(reverse("narco:home"))
    assert "Illustrative Somchai Demo" in page.text
    assert "Illustrative Lao Record" not in page.text  # Lao PDR's record, not ours
    confirm = reverse("narco:person-confirm", args=[records.th_my.pk])
    assert confirm in page.text
    assert reverse("narco:person-confirm", args=[records.th_all.pk]) not in page.text
    assert "overdue" in page.text

    response = client.post(confirm, {"next": reverse("narco:home")})
    assert response.status_code == 302
    assert Person.objects.get(pk=records.th_my.pk).review_date > timezone.localdate()


def test_a_partner_cannot_confirm(client, officers, records):
    Person.objects.filter(pk=records.th_my.pk).update(review_date="2000-01-01")
    client.sign_in(officers.my)
    before = state_of(records)
    response = client.post(reverse("narco:person-confirm", args=[records.th_my.pk]))
    assert response.status_code == 404
    assert state_of(records) == before


def test_the_detail_page_shows_the_record_and_buttons_to_the_originator_only(
    client, officers, records
):
    url = reverse("narco:person-detail", args=[records.th_my.pk])
    edit = reverse("narco:person-edit", args=[records.th_my.pk])
    client.sign_in(officers.th)
    page = client.get(url)
    assert "ZX9876543" in page.text
    assert "1979-04-01" in page.text
    assert edit in page.text

    client.sign_in(officers.my)
    page = client.get(url, REMOTE_ADDR="198.51.100.9")
    assert page.status_code == 200
    assert "ZX9876543" in page.text
    assert edit not in page.text
    assert client.get(edit).status_code == 404

    client.sign_in(officers.la)
    assert client.get(url).status_code == 404
    assert client.get(reverse("narco:person-detail", args=[999999])).status_code == 404


def test_the_originator_sees_who_read_its_records(client, officers, records):
    client.sign_in(officers.my)
    client.get(reverse("narco:person-detail", args=[records.th_my.pk]), REMOTE_ADDR="198.51.100.9")
    event = AuditEvent.objects.filter(action="narco.person.read").latest("id")
    assert (event.actor, event.member_state) == (officers.my, "TH")

    client.sign_in(officers.th2)
    page = client.get(reverse("narco:access"))
    assert page.status_code == 200
    row = next(r for r in page.text.split("<tr>") if "narco.person.read" in r)
    assert officers.my.username in row
    assert "198.51.100.9" in row
    assert f"Person #{records.th_my.pk}" in row

    # Malaysia's own access page does not show Thailand's records being read.
    client.sign_in(officers.my)
    page = client.get(reverse("narco:access"))
    assert f"Person #{records.th_my.pk}" not in page.text


def test_the_general_audit_page_shows_no_narco_event(client, officers, records, outsiders):
    client.sign_in(officers.my)
    since = last_event_id()
    assert client.get(reverse("narco:person-detail", args=[records.th_my.pk])).status_code == 200
    # The read is audited (so there is a narco event the general page could show, and the
    # absences below mean something): Malaysia's officer read Thailand's record.
    read = AuditEvent.objects.get(id__gt=since, action="narco.person.read")
    assert (read.actor, read.member_state) == (officers.my, "TH")
    assert (read.object_type, read.object_id) == ("narco.person", str(records.th_my.pk))
    assert read.object_repr == f"Person #{records.th_my.pk}"
    for who in ("secretariat", "administrator", "th-focal-point"):
        client.sign_in(outsiders[who])
        page = client.get("/audit/")
        assert page.status_code == 200
        assert "narco." not in page.text
        assert "<code>narco." not in page.text
        filtered = client.get("/audit/", {"action": "narco."})
        assert "<code>narco." not in filtered.text
        assert "No events." in filtered.text


# --- forms ------------------------------------------------------------------------------------


def test_an_officer_records_a_person_through_the_form(client, officers):
    client.sign_in(officers.th)
    response = client.post(
        reverse("narco:person-create"),
        {
            "names": "Illustrative Somchai Demo\n\nIllustrative สมชาย เดโม\n",
            "nationality": "th",
            "date_of_birth": "1979-04-01",
            "identity_documents": "passport | AB123 | th\nID card | 99-1",
            "wanted_by": "TH",
            "status": "wanted",
            "sharing": "states",
            "shared_with": ["MY", "LA"],
        },
    )
    assert response.status_code == 302, response.text
    person = Person.objects.get()
    assert response.url == reverse("narco:person-detail", args=[person.pk])
    assert person.names == ["Illustrative Somchai Demo", "Illustrative สมชาย เดโม"]
    assert person.nationality == "TH"
    assert person.identity_documents == [
        {"type": "passport", "number": "AB123", "country": "TH"},
        {"type": "ID card", "number": "99-1", "country": ""},
    ]
    assert sorted(s.code for s in person.shared_with.all()) == ["LA", "MY"]
    assert person.sharing == "states"


def test_a_form_problem_is_shown_and_nothing_is_saved(client, officers):
    client.sign_in(officers.th)
    response = client.post(
        reverse("narco:person-create"),
        {"names": "Illustrative X", "nationality": "TH", "status": "wanted", "sharing": "states"},
    )
    assert response.status_code == 200
    assert "name at least one Member State" in response.text
    assert not Person.objects.exists()


def test_a_stale_edit_shows_the_conflict_and_keeps_what_was_typed(client, officers, records):
    url = reverse("narco:person-edit", args=[records.th_my.pk])
    client.sign_in(officers.th)
    form = client.get(url)
    assert 'name="version" value="1"' in form.text
    assert "Illustrative Somchai Demo" in form.text

    # Somebody else saves first.
    from pantau.narco import services

    services.update_person(
        acting_user=officers.th2, person=records.th_my, version=1, status="in_custody"
    )
    before = Person.objects.filter(pk=records.th_my.pk).values().get()
    response = client.post(
        url,
        {
            "version": "1",
            "names": "Illustrative Typed Name",
            "nationality": "TH",
            "status": "closed",
            "sharing": "all",
        },
    )
    assert response.status_code == 409
    assert "Somebody else saved this record" in response.text
    assert "Illustrative Typed Name" in response.text  # what was typed is kept
    assert 'name="version" value="2"' in response.text  # saving again applies it
    assert Person.objects.filter(pk=records.th_my.pk).values().get() == before

    again = client.post(
        url,
        {
            "version": "2",
            "names": "Illustrative Typed Name",
            "nationality": "TH",
            "status": "closed",
            "sharing": "all",
        },
    )
    assert again.status_code == 302
    person = Person.objects.get(pk=records.th_my.pk)
    assert (person.names, person.status, person.version) == (
        ["Illustrative Typed Name"],
        "closed",
        3,
    )


def test_a_syndicate_is_recorded_and_edited_through_the_forms(client, officers, records):
    client.sign_in(officers.th)
    response = client.post(
        reverse("narco:syndicate-create"),
        {
            "name": "Illustrative Ring",
            "aliases": "Illustrative R\nIllustrative Ring Two",
            "drug_types": "methamphetamine",
            "members": f"{records.th_my.pk}, #{records.la_th.pk}",
            "status": "active",
            "sharing": "all",
        },
    )
    assert response.status_code == 302, response.text
    syndicate = Syndicate.objects.get(name="Illustrative Ring")
    assert syndicate.aliases == ["Illustrative R", "Illustrative Ring Two"]
    assert set(syndicate.members.values_list("pk", flat=True)) == {
        records.th_my.pk,
        records.la_th.pk,
    }
    edit = reverse("narco:syndicate-edit", args=[syndicate.pk])
    assert "Illustrative Ring Two" in client.get(edit).text
    response = client.post(
        edit,
        {
            "version": "1",
            "name": "Illustrative Ring Renamed",
            "members": "",
            "status": "disrupted",
            "sharing": "originator",
        },
    )
    assert response.status_code == 302, response.text
    syndicate.refresh_from_db()
    assert (syndicate.name, syndicate.status, syndicate.sharing) == (
        "Illustrative Ring Renamed",
        "disrupted",
        "originator",
    )
    assert not syndicate.members.exists()


def test_a_watch_list_entry_is_added_from_a_record_page(client, officers, records):
    client.sign_in(officers.my)
    url = reverse("narco:syndicate-watch", args=[records.syn_all.pk])
    response = client.post(
        url,
        {
            "activity": "Illustrative shipment",
            "source_agency": "Illustrative agency",
            "source_reliability": "A",
            "information_grade": "3",
            "sharing": "states",
            "shared_with": ["TH"],
        },
    )
    assert response.status_code == 302, response.text
    entry = WatchListEntry.objects.get()
    assert (entry.syndicate_id, entry.originator.code) == (records.syn_all.pk, "MY")
    assert (entry.source_reliability, entry.information_grade) == ("A", "3")
    page = client.get(reverse("narco:syndicate-detail", args=[records.syn_all.pk]))
    assert "Illustrative shipment" in page.text
    # 4x4 grading selects on the form.
    assert re.search(r'<select name="source_reliability"', page.text)
    assert re.search(r'<select name="information_grade"', page.text)
    # Lao PDR does not see Malaysia's entry shared with Thailand only; the page it does see
    # is its audited read of the syndicate, which lists no entry of Malaysia's.
    client.sign_in(officers.la)
    since = last_event_id()
    page = client.get(reverse("narco:syndicate-detail", args=[records.syn_all.pk]))
    assert page.status_code == 200
    assert "Illustrative Golden Network" in page.text
    assert "Illustrative shipment" not in page.text
    read = AuditEvent.objects.get(id__gt=since, action="narco.syndicate.read")
    assert (read.actor, read.member_state) == (officers.la, "TH")
    assert (read.object_type, read.object_id) == ("narco.syndicate", str(records.syn_all.pk))
    listed = AuditEvent.objects.filter(id__gt=since, action="narco.watchlistentry.list")
    assert all(entry.pk not in e.after["ids"] for e in listed)
    assert not listed.filter(member_state="MY").exists()


def test_a_watch_entry_needs_a_grading(client, officers, records):
    client.sign_in(officers.th)
    url = reverse("narco:person-watch", args=[records.th_all.pk])
    response = client.post(url, {"activity": "x", "source_agency": "y", "sharing": "all"})
    assert response.status_code == 400
    assert not WatchListEntry.objects.exists()
    client.sign_in(officers.my)
    hidden = reverse("narco:person-watch", args=[records.th_only.pk])
    full = {
        "activity": "x",
        "source_agency": "y",
        "source_reliability": "A",
        "information_grade": "1",
        "sharing": "all",
    }
    assert client.post(hidden, full).status_code == 404
    assert not WatchListEntry.objects.exists()


def test_the_home_page_takes_a_fixed_number_of_queries(
    client, officers, records, django_assert_max_num_queries
):
    for n in range(10):
        make_person(officers.th, [f"Illustrative Extra {n}"], ["MY", "LA"])
    client.sign_in(officers.th)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("narco:home")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("narco:person-list")).status_code == 200
