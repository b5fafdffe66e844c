"""Times carry their zone: pages show them in the user's time zone (profile) or the site's
(Asia/Jakarta), each with its zone; stored times and the API stay UTC."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pantau.accounts.models import User
from pantau.accounts.services import set_time_zone
from pantau.audit.models import AuditEvent
from pantau.audit.services import record
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied
from pantau.narco import services as narco_services
from pantau.narco.tests.factories import make_person

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
TIME_ZONE = reverse("accounts:time-zone")
# 02:30 UTC is 09:30 in Jakarta (WIB, +07) and 10:30 in Manila (PST, +08).
INSTANT = datetime.datetime(2026, 3, 1, 2, 30, 5, tzinfo=datetime.UTC)


def at_instant():
    return mock.patch("django.utils.timezone.now", return_value=INSTANT)


@pytest.fixture
def event(db):
    with at_instant(), transaction.atomic():
        return record(
            actor=SystemActor("test"), action="accounts.test.instant", object_repr="instant"
        )


def row_of(page: str, marker: str) -> str:
    [row] = [line for line in page.splitlines() if marker in line]
    return row


# --- the preference ---------------------------------------------------------------------------


def test_the_profile_sets_the_time_zone_and_the_change_is_audited(client, make_user):
    user = make_user("focal_point", "TH")
    client.force_login(user)
    page = client.get(PROFILE).text
    assert "Pages show times in <strong>Asia/Jakarta</strong>" in page
    assert '<option value="Asia/Manila">Asia/Manila (the Philippines)</option>' in page
    response = client.post(TIME_ZONE, {"time_zone": "Asia/Manila"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Asia/Manila"
    event = AuditEvent.objects.latest("id")
    assert event.action == "accounts.user.time_zone"
    assert (event.before, event.after) == ({"time_zone": ""}, {"time_zone": "Asia/Manila"})
    assert "Pages show times in <strong>Asia/Manila</strong>" in client.get(PROFILE).text

    # Back to the site's zone.
    client.post(TIME_ZONE, {"time_zone": ""})
    user.refresh_from_db()
    assert user.time_zone == ""
    assert "Pages show times in <strong>Asia/Jakarta</strong>" in client.get(PROFILE).text


def test_an_unknown_zone_is_refused_and_nothing_changes(client, make_user):
    user = make_user("focal_point", "TH")
    client.force_login(user)
    last = AuditEvent.objects.latest("id").pk
    for bad in ["Mars/Olympus_Mons", "asia/manila", "../etc/passwd", "x" * 80]:
        response = client.post(TIME_ZONE, {"time_zone": bad})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    user.refresh_from_db()
    assert user.time_zone == ""
    assert AuditEvent.objects.latest("id").pk == last


def test_the_service_validates_and_acts_only_for_oneself(make_user):
    user = make_user("focal_point", "TH")
    other = make_user("focal_point", "MY")
    with pytest.raises(ValidationError):
        set_time_zone(acting_user=user, user=user, time_zone="Mars/Olympus_Mons")
    with pytest.raises(PermissionDenied):
        set_time_zone(acting_user=other, user=user, time_zone="Asia/Manila")
    user.refresh_from_db()
    assert user.time_zone == ""
    admin = make_user("administrator")
    set_time_zone(acting_user=admin, user=user, time_zone="Asia/Manila")
    user.refresh_from_db()
    assert user.time_zone == "Asia/Manila"


def test_anonymous_cannot_set_a_zone(client, make_user):
    user = make_user("focal_point", "TH")
    response = client.post(TIME_ZONE, {"time_zone": "Asia/Manila"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(TIME_ZONE).status_code in (302, 405)
    user.refresh_from_db()
    assert user.time_zone == ""


# --- the audit log ----------------------------------------------------------------------------


def test_the_audit_log_shows_the_site_zone_by_default(client, make_user, event):
    client.force_login(make_user("secretariat"))
    page = client.get(reverse("audit:list")).text
    assert "When (Asia/Jakarta)" in page
    assert "UTC)" not in page  # no more "When (UTC)" over Jakarta times
    row = row_of(page, "accounts.test.instant")
    assert ">2026-03-01 09:30:05 WIB</time>" in row
    assert 'datetime="2026-03-01T02:30:05+00:00"' in row
    assert 'title="2026-03-01 02:30:05 UTC"' in row


def test_the_audit_log_shows_the_users_zone(client, make_user, event):
    user = make_user("secretariat")
    set_time_zone(acting_user=user, user=user, time_zone="Asia/Manila")
    client.force_login(user)
    page = client.get(reverse("audit:list")).text
    assert "When (Asia/Manila)" in page
    assert ">2026-03-01 10:30:05 PST</time>" in row_of(page, "accounts.test.instant")

    set_time_zone(acting_user=user, user=user, time_zone="UTC")
    page = client.get(reverse("audit:list")).text
    assert "When (UTC)" in page
    assert ">2026-03-01 02:30:05 UTC</time>" in row_of(page, "accounts.test.instant")


def test_the_zone_is_per_request(client, make_user, event):
    manila = make_user("secretariat")
    set_time_zone(acting_user=manila, user=manila, time_zone="Asia/Manila")
    client.force_login(manila)
    assert "When (Asia/Manila)" in client.get(reverse("audit:list")).text
    assert timezone.get_current_timezone_name() == "Asia/Jakarta"  # not left activated
    client.force_login(make_user("secretariat"))
    assert "When (Asia/Jakarta)" in client.get(reverse("audit:list")).text


def test_a_zone_tzdata_no_longer_knows_falls_back_to_the_sites(client, make_user, event):
    user = make_user("secretariat")
    User.objects.filter(pk=user.pk).update(time_zone="Asia/Atlantis")
    client.force_login(user)
    page = client.get(reverse("audit:list"))
    assert page.status_code == 200
    assert "When (Asia/Jakarta)" in page.text


def test_the_audit_api_stays_utc_whatever_the_users_zone(client, api_client, make_user, event):
    user = make_user("secretariat")
    set_time_zone(acting_user=user, user=user, time_zone="Asia/Manila")
    for headers in [api_client.bearer(user), {}]:
        client.force_login(user)
        events = client.get(
            "/api/v1/audit/events", {"action": "accounts.test.instant"}, headers=headers
        ).json()
        assert [e["occurred_at"] for e in events] == ["2026-03-01T02:30:05Z"]
    stored = AuditEvent.objects.get(pk=event.pk).occurred_at
    assert stored == INSTANT and stored.utcoffset() == datetime.timedelta(0)


# --- the ASEAN-NARCO logs ------------------------------------------------------------------------


@pytest.fixture
def narco_hit(make_user):
    th = make_user("narco_officer", "TH")
    la = make_user("narco_officer", "LA")
    make_person(th, ["Illustrative Hidden Person"])  # shared with nobody
    with at_instant():
        narco_services.search(acting_user=la, query="Illustrative Hidden Person")
    return th


@pytest.mark.parametrize(
    "zone,shown",
    [
        ("", ["When (Asia/Jakarta)", "2026-03-01 09:30 WIB", "2026-03-01 09:30:05 WIB"]),
        ("Asia/Manila", ["When (Asia/Manila)", "2026-03-01 10:30 PST", "2026-03-01 10:30:05 PST"]),
    ],
)
def test_the_narco_hit_and_access_logs_show_times_with_their_zone(client, narco_hit, zone, shown):
    set_time_zone(acting_user=narco_hit, user=narco_hit, time_zone=zone)
    client.force_login(narco_hit)
    label, minute, second = shown
    hits = client.get(reverse("narco:hits")).text
    assert label in hits and "When (UTC)" not in hits
    assert f">{minute}</time>" in hits
    assert 'title="2026-03-01 02:30:05 UTC"' in hits
    access = client.get(reverse("narco:access")).text
    assert label in access and "When (UTC)" not in access
    assert f">{second}</time>" in access
