"""The pseudonymous client code: stable within a state, unlinkable across states, and the
attributes it comes from are stored nowhere."""

import datetime

import pytest

from pantau.treatment.clientcode import client_code
from pantau.treatment.models import Episode

from .factories import make_episode

pytestmark = pytest.mark.django_db
DOB = datetime.date(1988, 2, 29)


def test_normalised_attributes_give_the_same_code():
    a = client_code("TH", initials=" s.k ", date_of_birth=DOB, sex="m")
    b = client_code("TH", initials="SK", date_of_birth=DOB, sex="M")
    assert a == b
    assert len(a) == 64


def test_other_attributes_give_another_code():
    a = client_code("TH", initials="SK", date_of_birth=DOB, sex="M")
    assert a != client_code("TH", initials="SK", date_of_birth=DOB, sex="F")
    assert a != client_code("TH", initials="SL", date_of_birth=DOB, sex="M")


def test_two_states_keys_give_unlinkable_codes():
    th = client_code("TH", initials="SK", date_of_birth=DOB, sex="M")
    my = client_code("MY", initials="SK", date_of_birth=DOB, sex="M")
    assert th != my


def test_the_configured_key_is_used(settings):
    from pantau.treatment.clientcode import state_key

    settings.TREATMENT_CLIENT_KEYS = {"BN": "00" * 32}
    state_key.cache_clear()
    try:
        import hashlib
        import hmac

        expected = hmac.new(bytes(32), b"SK|1988-02-29|M", hashlib.sha256).hexdigest()
        assert client_code("BN", initials="SK", date_of_birth=DOB, sex="M") == expected
    finally:
        state_key.cache_clear()


def test_attributes_are_never_stored(people, centres):
    episode = make_episode(people.th1, centres.th1, initials="QZ", dob=DOB)
    stored = " ".join(str(v) for v in Episode.objects.filter(pk=episode.pk).values().get().values())
    assert "QZ" not in stored
    assert "1988-02-29" not in stored
    assert episode.age == 36
