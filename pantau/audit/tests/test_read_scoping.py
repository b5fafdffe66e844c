"""Who reads the audit log: the Secretariat everything, a national role its own Member State's
events only, other roles nothing; the page and the API give the same answer."""

import pytest
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.members.models import Agency
from pantau.members.services import update_agency

pytestmark = pytest.mark.django_db

TH_NAME = "Thai agency renamed for the audit test"
MY_NAME = "Malaysian agency renamed for the audit test"


@pytest.fixture
def agency_events(make_user):
    """One agency update in Thailand and one in Malaysia, each by its own focal point."""
    start = AuditEvent.objects.latest("id").pk
    for code, name in (("TH", TH_NAME), ("MY", MY_NAME)):
        agency = Agency.objects.get(member_state__code=code, is_lead=True)
        update_agency(
            acting_user=make_user("focal_point", code), agency=agency, version=1, name=name
        )
    th = AuditEvent.objects.get(id__gt=start, action="members.agency.update", member_state="TH")
    my = AuditEvent.objects.get(id__gt=start, action="members.agency.update", member_state="MY")
    return start, th, my


def api_events(client, headers, **params) -> list[dict]:
    response = client.get("/api/v1/audit/events", params, headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


def page(client, **params):
    return client.get(reverse("audit:list"), params)


@pytest.mark.parametrize(("role", "state"), [("secretariat", None), ("administrator", None)])
def test_regional_roles_read_every_event(client, api_client, make_user, agency_events, role, state):
    start, th, my = agency_events
    user = make_user(role, state)
    headers = api_client.bearer(user)
    events = api_events(api_client, headers, after_id=start)
    ids = [e["id"] for e in events]
    assert th.pk in ids
    assert my.pk in ids
    assert ids == sorted(ids)
    by_id = {e["id"]: e for e in events}
    assert by_id[th.pk]["after"]["name"] == TH_NAME
    assert by_id[th.pk]["hash"] == th.hash
    assert by_id[th.pk]["actor"] == th.actor_label
    # Events without a Member State (accounts, for instance) are visible too.
    assert any(e["member_state"] == "" for e in api_events(api_client, headers, limit=1000))

    client.force_login(user)
    response = page(client, action="members.agency.update")
    assert response.status_code == 200
    assert TH_NAME in response.text
    assert MY_NAME in response.text


@pytest.mark.parametrize(
    ("role", "own", "other", "own_name", "other_name"),
    [
        ("focal_point", "TH", "MY", TH_NAME, MY_NAME),
        ("approver", "TH", "MY", TH_NAME, MY_NAME),
        ("focal_point", "MY", "TH", MY_NAME, TH_NAME),
    ],
)
def test_national_roles_read_their_own_states_events_only(
    client, api_client, make_user, agency_events, role, own, other, own_name, other_name
):
    start, th, my = agency_events
    own_event, other_event = (th, my) if own == "TH" else (my, th)
    user = make_user(role, own)
    headers = api_client.bearer(user)

    recent = api_events(api_client, headers, after_id=start)
    assert own_event.pk in [e["id"] for e in recent]
    assert other_event.pk not in [e["id"] for e in recent]
    whole_log = api_events(api_client, headers, limit=1000)
    assert whole_log
    assert {e["member_state"] for e in whole_log} == {own}
    # Asking for the other state's object by id does not reveal it either.
    agency = Agency.objects.get(member_state__code=other, is_lead=True)
    assert (
        api_events(api_client, headers, object_type="members.agency", object_id=str(agency.pk))
        == []
    )

    client.force_login(user)
    response = page(client, action="members.agency.update")
    assert response.status_code == 200
    assert own_name in response.text
    assert other_name not in response.text


@pytest.mark.parametrize(
    ("role", "state", "group"),
    [
        ("asod_reviewer", None, None),
        ("wg_member", None, "LE"),
        ("narco_officer", "TH", None),
        (None, None, None),
    ],
    ids=["asod-reviewer", "wg-member", "narco-officer", "no-role"],
)
def test_other_roles_are_refused(client, api_client, make_user, agency_events, role, state, group):
    user = make_user(role, state, group)
    response = api_client.get("/api/v1/audit/events", headers=api_client.bearer(user))
    assert response.status_code == 403
    assert "audit" in response.json()["detail"]
    client.force_login(user)
    response = page(client)
    assert response.status_code == 403
    assert TH_NAME not in response.text


def test_anonymous_is_sent_to_sign_in_or_gets_401(client, agency_events):
    response = page(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    response = client.get("/api/v1/audit/events")
    assert response.status_code == 401
    response = client.get(
        "/api/v1/audit/events", headers={"Authorization": "Bearer pnt_forged-token-1234567890"}
    )
    assert response.status_code == 401


def test_api_filters_and_pages(api_client, make_user, agency_events):
    start, th, my = agency_events
    headers = api_client.bearer(make_user("secretariat"))
    first = api_events(api_client, headers, after_id=start, action="members.agency", limit=1)
    assert [e["id"] for e in first] == [th.pk]
    second = api_events(api_client, headers, after_id=first[0]["id"], action="members.agency")
    assert [e["id"] for e in second] == [my.pk]
    assert [
        e["id"]
        for e in api_events(
            api_client, headers, object_type="members.agency", object_id=my.object_id
        )
        if e["action"] == "members.agency.update"
    ] == [my.pk]
