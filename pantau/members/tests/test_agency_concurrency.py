"""Two people editing the same agency: the second save conflicts visibly and overwrites nothing."""

import pytest
from django.db.models import Max
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import ConflictError
from pantau.members.models import Agency
from pantau.members.services import update_agency

pytestmark = pytest.mark.django_db


def th_agency() -> Agency:
    return Agency.objects.select_related("member_state").get(member_state__code="TH", is_lead=True)


def row(agency: Agency) -> dict:
    return Agency.objects.filter(pk=agency.pk).values().get()


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def form_data(agency: Agency, version: int, **changes) -> dict:
    data = {f: getattr(agency, f) for f in ("name", "acronym", "website", "email", "address")}
    return {**data, **changes, "version": version}


@pytest.fixture
def two_editors(make_user):
    return make_user("focal_point", "TH"), make_user("approver", "TH")


def test_service_second_save_from_the_same_version_conflicts(two_editors):
    first, second = two_editors
    agency = th_agency()
    update_agency(acting_user=first, agency=agency, version=1, email="first@oncb.example")
    after_first, events = row(agency), last_event_id()

    with pytest.raises(ConflictError) as caught:
        update_agency(acting_user=second, agency=agency, version=1, email="second@oncb.example")

    assert caught.value.current.version == 2
    assert caught.value.current.email == "first@oncb.example"
    assert caught.value.submitted_version == 1
    assert "version 2" in str(caught.value)
    assert row(agency) == after_first
    assert last_event_id() == events


def test_service_saves_from_the_current_version(two_editors):
    first, second = two_editors
    agency = th_agency()
    update_agency(acting_user=first, agency=agency, version=1, email="first@oncb.example")
    saved = update_agency(acting_user=second, agency=agency, version=2, address="Bangkok")
    assert saved.version == 3
    assert (saved.email, saved.address) == ("first@oncb.example", "Bangkok")


def test_api_second_patch_gets_412_with_the_current_etag(api_client, two_editors):
    first, second = two_editors
    agency = th_agency()
    url = f"/api/v1/member-states/TH/agencies/{agency.pk}"
    first_headers = {**api_client.bearer(first), "If-Match": '"1"'}
    second_headers = {**api_client.bearer(second), "If-Match": '"1"'}

    # Both read the agency at version 1.
    listing = api_client.get("/api/v1/member-states/TH")
    assert {a["id"]: a["version"] for a in listing.json()["agencies"]}[agency.pk] == 1

    ok = api_client.patch(
        url, {"email": "first@oncb.example"}, content_type="application/json", headers=first_headers
    )
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    after_first, events = row(agency), last_event_id()

    late = api_client.patch(
        url,
        {"email": "second@oncb.example", "address": "Somewhere"},
        content_type="application/json",
        headers=second_headers,
    )
    assert late.status_code == 412
    assert late["ETag"] == '"2"'
    assert "version 2" in late.json()["detail"]
    assert row(agency) == after_first
    assert last_event_id() == events

    # Retrying with the ETag the 412 gave (weak form accepted too) succeeds.
    retry = api_client.patch(
        url,
        {"address": "Somewhere"},
        content_type="application/json",
        headers={**second_headers, "If-Match": f"W/{late['ETag']}"},
    )
    assert retry.status_code == 200
    assert retry["ETag"] == '"3"'
    assert row(agency)["email"] == "first@oncb.example"
    assert row(agency)["address"] == "Somewhere"


@pytest.mark.parametrize(
    ("if_match", "status"),
    [(None, 428), ("", 428), ("not-a-version", 400), ('"abc"', 400)],
    ids=["missing", "empty", "garbage", "quoted-garbage"],
)
def test_api_patch_needs_a_usable_if_match(api_client, make_user, if_match, status):
    user = make_user("focal_point", "TH")
    agency = th_agency()
    headers = api_client.bearer(user)
    if if_match is not None:
        headers["If-Match"] = if_match
    before, events = row(agency), last_event_id()
    response = api_client.patch(
        f"/api/v1/member-states/TH/agencies/{agency.pk}",
        {"email": "x@oncb.example"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert row(agency) == before
    assert last_event_id() == events


def test_page_shows_both_versions_on_conflict_and_saves_nothing(client, two_editors):
    first, second = two_editors
    agency = th_agency()
    url = reverse("members:agency-edit", args=["TH", agency.pk])

    # Both open the form at version 1.
    client.force_login(first)
    assert 'name="version" value="1"' in client.get(url).text
    client.force_login(second)
    assert 'name="version" value="1"' in client.get(url).text

    client.force_login(first)
    saved = client.post(url, form_data(agency, 1, email="saved-by-first@oncb.example"))
    assert saved.status_code == 302
    after_first, events = row(agency), last_event_id()

    client.force_login(second)
    response = client.post(url, form_data(agency, 1, email="typed-by-second@oncb.example"))
    assert response.status_code == 409
    html = response.text
    assert "Somebody else saved this agency" in html
    assert "saved-by-first@oncb.example" in html  # the other person's saved value
    assert "typed-by-second@oncb.example" in html  # this user's unsaved value, not lost
    assert row(agency) == after_first
    assert last_event_id() == events

    # The re-rendered form carries the current version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in html
    again = client.post(url, form_data(agency, 2, email="typed-by-second@oncb.example"))
    assert again.status_code == 302
    assert row(agency)["email"] == "typed-by-second@oncb.example"
    assert row(agency)["version"] == 3
