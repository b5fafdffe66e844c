"""Sensitive locations (surveyed fields, eradication sites): read only by the Member State's
law-enforcement (national NARCO officer) and alternative-development officers, every read
audited; the other country, the wrong role, a regional role and anonymous get nothing, and
their denial changes nothing (no audit event, no location)."""

import pytest
from django.core.exceptions import ValidationError

from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied
from pantau.cultivation.models import SensitiveLocation
from pantau.cultivation.services import add_location, read_locations
from pantau.members.models import MemberState

pytestmark = pytest.mark.django_db

URL = "/api/v1/cultivation/locations"
FIELD = {"type": "Point", "coordinates": [97.5, 21.2]}
SITE = {
    "type": "Polygon",
    "coordinates": [[[97.0, 21.0], [97.01, 21.0], [97.01, 21.01], [97.0, 21.01], [97.0, 21.0]]],
}


@pytest.fixture
def locations():
    actor = SystemActor("test")
    mm, la = MemberState.objects.get(code="MM"), MemberState.objects.get(code="LA")
    return [
        add_location(acting_user=actor, member_state=mm, kind="field", geometry=FIELD, system=True),
        add_location(
            acting_user=actor,
            member_state=mm,
            kind="eradication_site",
            geometry=SITE,
            area_code="MM-X1A",
            system=True,
        ),
        add_location(
            acting_user=actor,
            member_state=la,
            kind="field",
            geometry={"type": "Point", "coordinates": [101.0, 20.5]},
            system=True,
        ),
    ]


def reads():
    return AuditEvent.objects.filter(action="cultivation.location.read").count()


def state():
    return (
        list(SensitiveLocation.objects.values_list("pk", "member_state", "geometry")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ["narco_officer", "ad_officer"])
def test_the_states_officers_read_its_locations_and_each_read_is_audited(
    api_client, make_user, locations, role
):
    officer = make_user(role, "MM")
    before = reads()
    response = api_client.get(URL, {"REF_AREA": "MM"}, headers=api_client.bearer(officer, "read"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert {loc["kind"] for loc in body} == {"field", "eradication_site"}
    assert {loc["REF_AREA"] for loc in body} == {"MM"}
    assert body[0]["geometry"]["type"] in ("Point", "Polygon")
    assert reads() == before + 1
    event = AuditEvent.objects.filter(action="cultivation.location.read").latest("pk")
    assert event.member_state == "MM"
    assert sorted(event.after["ids"]) == sorted(loc.pk for loc in locations[:2])
    api_client.get(URL, {"REF_AREA": "MM"}, headers=api_client.bearer(officer, "read"))
    assert reads() == before + 2


@pytest.mark.parametrize(
    "role,country",
    [
        ("narco_officer", "LA"),  # another Member State's law-enforcement officer
        ("ad_officer", "LA"),
        ("focal_point", "LA"),
        ("focal_point", "MM"),  # the wrong role of the same state
        ("approver", "MM"),
        ("treatment_coordinator", "MM"),
        ("secretariat", None),  # regional roles see area-level figures only
        ("administrator", None),
    ],
)
def test_everyone_else_is_refused_and_nothing_changes(
    api_client, make_user, locations, role, country
):
    user = make_user(role, country)
    headers = api_client.bearer(user, "read")  # issuing the token is audited: before `before`
    before = state()
    response = api_client.get(URL, {"REF_AREA": "MM"}, headers=headers)
    assert response.status_code == 403, response.content
    assert "geometry" not in response.content.decode()
    assert state() == before
    with pytest.raises(PermissionDenied):
        read_locations(acting_user=user, member_state="MM")
    assert state() == before


def test_a_working_group_member_and_the_public_see_no_location(api_client, make_user, locations):
    member = make_user("wg_member", group="AD")
    headers = api_client.bearer(member, "read")
    before = state()
    denied = api_client.get(URL, {"REF_AREA": "MM"}, headers=headers)
    assert denied.status_code == 403
    anonymous = api_client.get(URL, {"REF_AREA": "MM"})
    assert anonymous.status_code == 401
    assert "coordinates" not in anonymous.content.decode()
    assert state() == before


def test_an_unknown_state_is_404_and_the_officer_of_one_state_reads_only_it(
    api_client, make_user, locations
):
    officer = make_user("narco_officer", "LA")
    headers = api_client.bearer(officer, "read")
    assert api_client.get(URL, {"REF_AREA": "ZZ"}, headers=headers).status_code == 404
    own = api_client.get(URL, {"REF_AREA": "LA"}, headers=headers).json()
    assert [loc["id"] for loc in own] == [locations[2].pk]


def test_adding_a_location_is_scoped_checked_and_audited(make_user):
    mm = MemberState.objects.get(code="MM")
    officer, other = make_user("ad_officer", "MM"), make_user("ad_officer", "LA")
    location = add_location(acting_user=officer, member_state=mm, kind="field", geometry=FIELD)
    assert AuditEvent.objects.filter(
        action="cultivation.location.create", object_id=str(location.pk)
    ).exists()
    before = state()
    with pytest.raises(PermissionDenied):
        add_location(acting_user=other, member_state=mm, kind="field", geometry=FIELD)
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[97, 21], [98, 22], [98, 21], [97, 22], [97, 21]]],
    }
    for kind, geometry in (
        ("field", bow_tie),
        ("field", {"type": "LineString", "coordinates": [[97, 21], [98, 22]]}),
        ("field", {"type": "Point", "coordinates": [2_000_000, 21]}),
        ("village", FIELD),
    ):
        with pytest.raises(ValidationError):
            add_location(acting_user=officer, member_state=mm, kind=kind, geometry=geometry)
    assert state() == before
