"""Sessions end after 30 idle minutes and 8 hours after sign-in however active (ASVS 3.3.2),
without writing the session on every request."""

import time

import pytest
from django.urls import reverse

from pantau.accounts.middleware import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def shift(client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[{"signed_in": SIGNED_IN_AT, "seen": SEEN_AT}[key]] = time.time() - ago
    session.save()


@pytest.fixture
def signed_in(client, make_user):
    client.force_login(make_user("focal_point", "TH"))
    return client


def test_an_active_session_stays_without_a_write_per_request(signed_in):
    seen = signed_in.session[SEEN_AT]
    for _ in range(3):
        assert signed_in.get(PROFILE).status_code == 200
    assert signed_in.session[SEEN_AT] == seen


def test_activity_moves_the_idle_clock(signed_in):
    shift(signed_in, seen=10 * 60)
    assert signed_in.get(PROFILE).status_code == 200
    assert time.time() - signed_in.session[SEEN_AT] < 5


def test_an_idle_session_is_signed_out(signed_in, settings):
    shift(signed_in, seen=settings.PANTAU_SESSION_IDLE + 1)
    response = signed_in.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in signed_in.session


def test_a_session_ends_after_its_maximum_age_however_active(signed_in, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    shift(signed_in, signed_in=settings.PANTAU_SESSION_MAX_AGE + 1, seen=5)
    response = signed_in.get(PROFILE)
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session
