"""Sharing is explicit per record: an officer sees exactly the records shared with their
Member State; nobody else (Secretariat, administrators, focal points) sees anything of the
module; only the originator changes or confirms a record; overdue records are archived."""

import datetime
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.narco import services
from pantau.narco.models import Person, Syndicate, WatchListEntry
from pantau.narco.querysets import access_events

from .factories import last_event_id, make_person

pytestmark = pytest.mark.django_db


def visible(user, model=Person) -> set[int]:
    return set(model.objects.restrict(user).values_list("pk", flat=True))


def person_row(person: Person) -> dict:
    return Person.objects.filter(pk=person.pk).values().get()


def test_each_officer_sees_exactly_what_is_shared_with_their_state(officers, records):
    r = records
    assert visible(officers.th) == {r.th_only.pk, r.th_my.pk, r.th_all.pk, r.la_th.pk}
    assert visible(officers.th2) == visible(officers.th)
    assert visible(officers.my) == {r.th_my.pk, r.th_all.pk}
    assert visible(officers.la) == {r.th_all.pk, r.la_th.pk}
    assert visible(officers.th, Syndicate) == {r.syn_all.pk, r.syn_th.pk}
    assert visible(officers.my, Syndicate) == {r.syn_all.pk}


def test_the_api_lists_exactly_the_shared_records(api_client, officers, records):
    r = records
    expected = {
        officers.th: {r.th_only.pk, r.th_my.pk, r.th_all.pk, r.la_th.pk},
        officers.my: {r.th_my.pk, r.th_all.pk},
        officers.la: {r.th_all.pk, r.la_th.pk},
    }
    for officer, ids in expected.items():
        response = api_client.get("/api/v1/narco/persons", headers=api_client.bearer(officer))
        assert response.status_code == 200
        assert {p["id"] for p in response.json()} == ids
    response = api_client.get("/api/v1/narco/syndicates", headers=api_client.bearer(officers.my))
    assert [s["id"] for s in response.json()] == [r.syn_all.pk]


def test_a_shared_record_lists_only_members_the_reader_may_see(api_client, officers):
    hidden = make_person(officers.th, ["Illustrative Hidden Member"])
    shown = make_person(officers.th, ["Illustrative Shown Member"], ["MY"])
    syndicate = services.create_syndicate(
        acting_user=officers.th,
        name="Illustrative Ring",
        sharing="all",
        members=[hidden.pk, shown.pk],
    )
    headers = api_client.bearer(officers.my)
    body = api_client.get(f"/api/v1/narco/syndicates/{syndicate.pk}", headers=headers).json()
    assert body["members"] == [shown.pk]
    page = api_client.get(reverse("narco:syndicate-detail", args=[syndicate.pk]))
    assert page.status_code == 302  # the session client is not signed in
    api_client.sign_in(officers.my)
    page = api_client.get(reverse("narco:syndicate-detail", args=[syndicate.pk]))
    assert "Illustrative Shown Member" in page.text
    assert "Illustrative Hidden Member" not in page.text


def test_archived_records_are_hidden_from_partners_not_from_the_originator(officers, records):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Person.objects.filter(pk=records.th_my.pk).update(review_date=timezone.localdate())
    assert services.archive_overdue(today=tomorrow) == 1
    assert records.th_my.pk not in visible(officers.my)
    assert records.th_my.pk in visible(officers.th)
    assert records.th_my.pk not in visible(officers.my, Person) | visible(officers.la, Person)


def test_archive_overdue_archives_past_the_review_date_and_confirm_restores(officers, records):
    today = timezone.localdate()
    Person.objects.filter(pk=records.th_my.pk).update(
        review_date=today - datetime.timedelta(days=1)
    )
    Syndicate.objects.filter(pk=records.syn_all.pk).update(
        review_date=today - datetime.timedelta(days=3)
    )
    out = StringIO()
    call_command("narco", "review", stdout=out)
    assert "Archived 2 record(s)" in out.getvalue()
    assert Person.objects.get(pk=records.th_my.pk).archived_at is not None
    assert Person.objects.get(pk=records.th_all.pk).archived_at is None
    assert records.syn_all.pk not in visible(officers.my, Syndicate)
    assert AuditEvent.objects.filter(action="narco.person.archive").count() == 1

    # Running again archives nothing more.
    out = StringIO()
    call_command("narco", "review", stdout=out)
    assert "Archived 0 record(s)" in out.getvalue()

    person = Person.objects.get(pk=records.th_my.pk)
    services.confirm_record(acting_user=officers.th2, obj=person)
    person.refresh_from_db()
    assert person.archived_at is None
    assert person.review_date > today
    assert records.th_my.pk in visible(officers.my)
    assert AuditEvent.objects.filter(action="narco.person.confirm", member_state="TH").exists()


def test_only_the_originator_confirms(officers, records):
    person = Person.objects.get(pk=records.th_my.pk)
    before, events = person_row(person), last_event_id()
    with pytest.raises(PermissionDenied):
        services.confirm_record(acting_user=officers.my, obj=person)
    assert person_row(person) == before
    assert last_event_id() == events


def test_only_the_originator_changes_a_record(officers, records):
    person = Person.objects.get(pk=records.th_my.pk)
    before, events = person_row(person), last_event_id()
    with pytest.raises(PermissionDenied):
        services.update_person(
            acting_user=officers.my, person=person, version=person.version, status="closed"
        )
    assert person_row(person) == before
    assert last_event_id() == events


def test_sharing_changes_take_effect(officers, records):
    person = records.th_only
    services.update_person(
        acting_user=officers.th, person=person, version=1, sharing="states", shared_with=["LA"]
    )
    assert person.pk in visible(officers.la)
    assert person.pk not in visible(officers.my)
    services.update_person(acting_user=officers.th, person=person, version=2, sharing="all")
    assert person.pk in visible(officers.my)
    services.update_person(acting_user=officers.th, person=person, version=3, sharing="originator")
    assert person.pk not in visible(officers.my) | visible(officers.la)


# --- nobody else sees anything ----------------------------------------------------------------


OUTSIDERS = ["secretariat", "administrator", "superuser", "th-focal-point", "th-approver", "asod"]


@pytest.mark.parametrize("who", [*OUTSIDERS, "no-role"])
def test_outsiders_see_nothing_through_the_querysets(outsiders, records, who):
    user = outsiders[who]
    for model in (Person, Syndicate, WatchListEntry):
        assert not model.objects.restrict(user).exists()
        assert not model.objects.restrict(user, "change").exists()
    assert not access_events(user).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_from_every_api_operation(api_client, outsiders, records, who):
    user = outsiders[who]
    headers = api_client.bearer(user)
    before, events = person_row(records.th_all), last_event_id()
    pk = records.th_all.pk
    calls = [
        ("get", "/api/v1/narco/persons", None),
        ("post", "/api/v1/narco/persons", {"names": ["X Y"], "nationality": "TH"}),
        ("get", f"/api/v1/narco/persons/{pk}", None),
        ("put", f"/api/v1/narco/persons/{pk}", {"status": "closed"}),
        ("get", "/api/v1/narco/syndicates", None),
        ("post", "/api/v1/narco/syndicates", {"name": "X"}),
        ("get", f"/api/v1/narco/syndicates/{records.syn_all.pk}", None),
        ("put", f"/api/v1/narco/syndicates/{records.syn_all.pk}", {"name": "X"}),
        ("get", "/api/v1/narco/search?name=Illustrative", None),
    ]
    for method, url, data in calls:
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(api_client, method)(
            url, data=data, headers={**headers, "If-Match": '"1"'}, **kwargs
        )
        assert response.status_code == 404, (method, url)
        assert response.json() == {"detail": "Not Found"}, (method, url)
    # Even a payload the schema refuses answers 404, not 422.
    for method, url in (("post", "/api/v1/narco/persons"), ("put", f"/api/v1/narco/persons/{pk}")):
        response = getattr(api_client, method)(
            url, data="{", content_type="application/json", headers=headers
        )
        assert response.status_code == 404, (method, url)
    assert person_row(records.th_all) == before
    assert last_event_id() == events


@pytest.mark.parametrize("who", ["secretariat", "superuser", "th-focal-point"])
def test_outsiders_signed_in_by_session_get_404_too(client, outsiders, records, who):
    client.sign_in(outsiders[who])
    for url in ("/api/v1/narco/persons", f"/api/v1/narco/persons/{records.th_all.pk}"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


def test_anonymous_gets_the_same_404_as_a_signed_in_outsider(client, records):
    # Missing and forbidden answer the same: no credentials is not a different answer.
    before, events, persons = person_row(records.th_all), last_event_id(), Person.objects.count()
    for url in ("/api/v1/narco/persons", f"/api/v1/narco/persons/{records.th_all.pk}"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    assert client.get("/api/v1/narco/search?name=Illustrative").status_code == 404
    created = client.post(
        "/api/v1/narco/persons", {"names": ["X"]}, content_type="application/json"
    )
    assert created.status_code == 404
    assert person_row(records.th_all) == before
    assert (last_event_id(), Person.objects.count()) == (events, persons)


def test_a_token_that_is_not_valid_gets_401(client, records):
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/narco/persons", headers=headers).status_code == 401


def test_the_django_admin_has_no_narco_model():
    assert not [m for m in admin.site._registry if m._meta.app_label == "narco"]


def test_the_django_admin_shows_nothing_of_the_module_to_a_superuser(client, outsiders, records):
    client.sign_in(outsiders["superuser"])
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "narco" not in index.text.lower()
    assert client.get("/admin/narco/").status_code == 404
    assert client.get(f"/admin/narco/person/{records.th_all.pk}/change/").status_code == 404
