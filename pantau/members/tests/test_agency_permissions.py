"""Who may edit a national agency's details, through the service, the page and the API.

Focal points and approvers edit their own Member State's agencies; nobody else does, and every
refusal leaves the agency and the audit log exactly as they were."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.core.tests.pages import comparable_page
from pantau.members.models import Agency
from pantau.members.services import update_agency

pytestmark = pytest.mark.django_db

# (role, member state, working group) of users who may not edit the agency of `target`.
DENIED = [
    pytest.param(("focal_point", "TH", None), "MY", id="th-focal-point-on-MY"),
    pytest.param(("approver", "TH", None), "MY", id="th-approver-on-MY"),
    pytest.param(("focal_point", "MY", None), "TH", id="my-focal-point-on-TH"),
    pytest.param(("narco_officer", "TH", None), "TH", id="th-narco-officer-on-TH"),
    pytest.param(("secretariat", None, None), "TH", id="secretariat"),
    pytest.param(("asod_reviewer", None, None), "TH", id="asod-reviewer"),
    pytest.param(("wg_member", None, "LE"), "TH", id="law-enforcement-wg-member"),
    pytest.param((None, None, None), "TH", id="no-role"),
]
ALLOWED = [
    pytest.param(("focal_point", "TH", None), id="th-focal-point"),
    pytest.param(("approver", "TH", None), id="th-approver"),
    pytest.param(("administrator", None, None), id="administrator"),
]

FORM = {
    "name": "Office of the Narcotics Control Board",
    "acronym": "ONCB",
    "website": "https://www.oncb.go.th/",
    "email": "contact@oncb.example",
    "address": "5 Din Daeng Road, Bangkok",
}


def lead_agency(code: str) -> Agency:
    return Agency.objects.select_related("member_state").get(member_state__code=code, is_lead=True)


def row(agency: Agency) -> dict:
    """Every column of the agency as stored."""
    return Agency.objects.filter(pk=agency.pk).values().get()


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def edit_url(agency: Agency, code: str | None = None) -> str:
    return reverse("members:agency-edit", args=[code or agency.member_state.code, agency.pk])


def api_url(agency: Agency, code: str | None = None) -> str:
    return f"/api/v1/member-states/{code or agency.member_state.code}/agencies/{agency.pk}"


def patch(client, agency: Agency, headers: dict, data: dict | None = None, code: str | None = None):
    return client.patch(
        api_url(agency, code),
        data=data or {"email": "changed@example.org"},
        content_type="application/json",
        headers=headers,
    )


# --- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "target"), DENIED)
def test_service_refuses(make_user, who, target):
    user = make_user(*who)
    agency = lead_agency(target)
    before, events = row(agency), last_event_id()
    with pytest.raises(PermissionDenied):
        update_agency(acting_user=user, agency=agency, version=1, email="changed@example.org")
    assert row(agency) == before
    assert last_event_id() == events


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_service_refuses_nobody(anonymous):
    agency = lead_agency("TH")
    before, events = row(agency), last_event_id()
    with pytest.raises(PermissionDenied):
        update_agency(acting_user=anonymous, agency=agency, version=1, email="x@example.org")
    assert row(agency) == before
    assert last_event_id() == events


@pytest.mark.parametrize(("who", "target"), DENIED)
def test_page_answers_404_like_a_missing_agency(client, make_user, who, target):
    user = make_user(*who)
    agency = lead_agency(target)
    client.force_login(user)
    before, events = row(agency), last_event_id()

    missing_url = reverse("members:agency-edit", args=[target, 999_999])
    missing = client.get(missing_url)
    assert missing.status_code == 404
    shown = client.get(edit_url(agency))
    assert shown.status_code == 404
    assert comparable_page(shown, edit_url(agency)) == comparable_page(missing, missing_url)
    posted = client.post(edit_url(agency), {**FORM, "name": "Hijacked", "version": 1})
    assert posted.status_code == 404

    assert row(agency) == before
    assert last_event_id() == events


@pytest.mark.parametrize(("who", "target"), DENIED)
def test_api_answers_404_like_a_missing_agency(api_client, make_user, who, target):
    user = make_user(*who)
    agency = lead_agency(target)
    headers = {**api_client.bearer(user), "If-Match": '"1"'}
    before, events = row(agency), last_event_id()

    missing = api_client.patch(
        f"/api/v1/member-states/{target}/agencies/999999",
        data={"email": "changed@example.org"},
        content_type="application/json",
        headers=headers,
    )
    response = patch(api_client, agency, headers)
    assert response.status_code == 404
    assert response.json() == missing.json()

    assert row(agency) == before
    assert last_event_id() == events


def test_anonymous_page_visitor_is_sent_to_sign_in(client):
    agency = lead_agency("TH")
    before, events = row(agency), last_event_id()
    login = reverse("accounts:login")
    for response in (
        client.get(edit_url(agency)),
        client.post(edit_url(agency), {**FORM, "name": "Hijacked", "version": 1}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(login)
        assert edit_url(agency) in response.url
    assert row(agency) == before
    assert last_event_id() == events


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer pnt_not-a-real-token-0000000000000000000000000",
        "Bearer not-even-our-prefix",
        "Basic dXNlcjpwYXNz",
    ],
    ids=["none", "unknown-token", "foreign-token", "basic-auth"],
)
def test_api_without_valid_credentials_answers_401(client, authorization):
    agency = lead_agency("TH")
    headers = {"If-Match": '"1"'}
    if authorization:
        headers["Authorization"] = authorization
    before, events = row(agency), last_event_id()
    response = patch(client, agency, headers)
    assert response.status_code == 401
    assert row(agency) == before
    assert last_event_id() == events


def test_the_url_must_name_the_agencys_own_state(client, api_client, make_user):
    """A TH focal point cannot reach a TH agency through another state's address either."""
    user = make_user("focal_point", "TH")
    agency = lead_agency("TH")
    headers = {**api_client.bearer(user), "If-Match": '"1"'}
    client.force_login(user)
    before, events = row(agency), last_event_id()
    assert client.get(edit_url(agency, code="MY")).status_code == 404
    assert patch(api_client, agency, headers, code="MY").status_code == 404
    assert row(agency) == before
    assert last_event_id() == events


# --- permitted -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
def test_page_saves_and_audits(client, make_user, who):
    user = make_user(*who)
    agency = lead_agency("TH")
    client.force_login(user)
    before, events = row(agency), last_event_id()

    form = client.get(edit_url(agency))
    assert form.status_code == 200
    assert 'name="version"' in form.text

    response = client.post(edit_url(agency), {**FORM, "version": 1})
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=["TH"])

    # Exactly the edited fields changed, and the version moved on by one.
    assert row(agency) == {**before, **FORM, "version": 2}
    new = list(AuditEvent.objects.filter(id__gt=events))
    assert [e.action for e in new] == ["members.agency.update"]
    assert new[0].actor == user
    assert new[0].member_state == "TH"
    assert new[0].object_id == str(agency.pk)
    assert new[0].before["version"] == 1
    assert new[0].before["email"] == ""
    assert new[0].after["version"] == 2
    assert new[0].after["email"] == FORM["email"]


@pytest.mark.parametrize("who", ALLOWED)
def test_api_saves_and_audits(api_client, make_user, who):
    user = make_user(*who)
    agency = lead_agency("TH")
    headers = {**api_client.bearer(user), "If-Match": '"1"'}
    events = last_event_id()

    response = patch(api_client, agency, headers, data={"website": "https://oncb.example/"})
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["website"] == "https://oncb.example/"
    assert body["version"] == 2
    assert body["name"] == agency.name  # fields not sent are left alone

    stored = row(agency)
    assert stored["website"] == "https://oncb.example/"
    assert stored["version"] == 2
    assert stored["name"] == agency.name
    new = list(AuditEvent.objects.filter(id__gt=events))
    assert [(e.action, e.member_state, e.actor_id) for e in new] == [
        ("members.agency.update", "TH", user.pk)
    ]


def test_detail_page_offers_edit_links_only_where_allowed(client, make_user):
    th_agency, my_agency = lead_agency("TH"), lead_agency("MY")
    client.force_login(make_user("focal_point", "TH"))
    assert edit_url(th_agency) in client.get(reverse("members:detail", args=["TH"])).text
    assert edit_url(my_agency) not in client.get(reverse("members:detail", args=["MY"])).text


def test_invalid_input_changes_nothing(client, api_client, make_user):
    user = make_user("focal_point", "TH")
    agency = lead_agency("TH")
    headers = {**api_client.bearer(user), "If-Match": '"1"'}
    client.force_login(user)
    before, events = row(agency), last_event_id()

    page = client.post(edit_url(agency), {**FORM, "email": "not an e-mail", "version": 1})
    assert page.status_code == 200
    assert "valid email" in page.text
    api = patch(api_client, agency, headers, data={"email": "not an e-mail"})
    assert api.status_code == 400
    assert "valid email" in api.json()["detail"]
    for bad in ({"name": None}, {"name": ""}, {"website": "javascript:alert(1)"}):
        assert patch(api_client, agency, headers, data=bad).status_code == 400, bad

    assert row(agency) == before
    assert last_event_id() == events
