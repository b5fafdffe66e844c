"""Login throttling (django-axes): five wrong passwords for one username from one address lock
that pair out for 15 minutes, the right password included; the lock ends with the cool-off or
`pantau axes_reset`."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PASSWORD = "correct horse battery"  # make_user's


def attempt(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client, username: str) -> None:
    for n in range(1, 5):
        response = attempt(client, username, f"wrong password {n}")
        assert response.status_code == 200, n
        assert "Please enter a correct username and password" in response.text
    fifth = attempt(client, username, "wrong password 5")
    assert fifth.status_code == 429


@pytest.fixture
def somchai(make_user):
    return make_user("focal_point", "TH", username="somchai")


def test_after_five_failures_even_the_right_password_is_refused(client, somchai):
    lock_out(client, "somchai")
    sixth = attempt(client, "somchai", PASSWORD)
    assert sixth.status_code == 429
    assert "Sign-in locked" in sixth.text
    assert "locked for 15 minutes" in sixth.text
    assert not signed_in(client)
    # The admin has no sign-in form of its own to try instead: it sends to this one.
    admin = client.post(reverse("admin:login"), {"username": "somchai", "password": PASSWORD})
    assert admin.status_code == 302
    assert admin["Location"].startswith(LOGIN)
    assert not signed_in(client)


def test_the_lock_is_per_username_and_address(client, somchai, make_user):
    make_user("focal_point", "MY", username="aminah")
    lock_out(client, "somchai")
    # Another account from the same address, and the same account from another address,
    # are not locked: an attacker cannot lock a colleague out from elsewhere.
    assert attempt(client, "aminah", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert attempt(client, "somchai", PASSWORD, address="10.1.2.3").status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off(client, somchai):
    lock_out(client, "somchai")
    AccessAttempt.objects.filter(username="somchai").update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )
    response = attempt(client, "somchai", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_axes_reset_lifts_the_lock(client, somchai):
    lock_out(client, "somchai")
    assert attempt(client, "somchai", PASSWORD).status_code == 429
    call_command("axes_reset_username", "somchai", stdout=StringIO())
    assert attempt(client, "somchai", PASSWORD).status_code == 302
    assert signed_in(client)

    client.post(reverse("accounts:logout"))
    lock_out(client, "somchai")
    call_command("axes_reset", stdout=StringIO())
    assert attempt(client, "somchai", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, somchai):
    for n in range(4):
        assert attempt(client, "somchai", f"wrong {n}").status_code == 200
    assert attempt(client, "somchai", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for n in range(4):
        assert attempt(client, "somchai", f"wrong again {n}").status_code == 200
    assert attempt(client, "somchai", PASSWORD).status_code == 302


def test_argon2_hashes_still_verify_through_the_lockout_backend(client, somchai, settings):
    # Production's hasher (the suite uses a fast one): the backends chain is unchanged by axes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    somchai.set_password("a long argon2 password")
    somchai.save(update_fields=["password"])
    assert somchai.password.startswith("argon2")
    assert attempt(client, "somchai", "a long argon2 password").status_code == 302
    assert signed_in(client)


def test_the_failed_password_is_not_stored(client, somchai):
    attempt(client, "somchai", "my secret guess")
    stored = AccessAttempt.objects.get(username="somchai")
    assert "my secret guess" not in stored.post_data


def test_behind_a_proxy_the_forwarded_address_counts_and_cannot_be_forged(
    client, somchai, settings
):
    settings.PANTAU_PROXY_COUNT = 1

    def via_proxy(password: str, forwarded: str):
        return client.post(
            LOGIN,
            {"username": "somchai", "password": password},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(5):
        # The client forges a different address each time; the proxy appends the real one.
        via_proxy(f"wrong {n}", f"192.0.2.{n}, 203.0.113.7")
    assert via_proxy(PASSWORD, "198.51.100.1, 203.0.113.7").status_code == 429
    assert AccessAttempt.objects.get(username="somchai").ip_address == "203.0.113.7"
    # Another client behind the same proxy is not locked out.
    assert via_proxy(PASSWORD, "203.0.113.8").status_code == 302


# --- Password spraying: a lock per address, across usernames ------------------------------------


@pytest.fixture
def colleagues(make_user):
    return [make_user("focal_point", "TH", username=f"colleague{n}") for n in range(8)]


def test_one_address_spraying_passwords_over_many_accounts_is_locked_out(
    client, somchai, colleagues, settings
):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    # Four wrong passwords on each of five accounts: below the per-account lock each time,
    # until the twentieth failure from the address.
    tries = [(user.username, f"Spring2026!{n}") for user in colleagues[:5] for n in range(4)]
    for number, (username, password) in enumerate(tries, start=1):
        response = attempt(client, username, password, address="198.51.100.9")
        assert response.status_code == (429 if number == 20 else 200), number
    # ... but twenty from one address lock it out, on an account it never tried, too, and
    # the right password is refused without being checked.
    refused = attempt(client, "somchai", PASSWORD, address="198.51.100.9")
    assert refused.status_code == 429
    assert "whatever the account" in refused.text
    assert not signed_in(client)
    assert not AccessAttempt.objects.filter(username="somchai").exists()
    assert attempt(client, colleagues[6].username, PASSWORD, "198.51.100.9").status_code == 429
    assert not signed_in(client)

    # Another address is not concerned.
    assert attempt(client, "somchai", PASSWORD, address="203.0.113.50").status_code == 302
    assert signed_in(client)


def test_nineteen_failures_from_an_address_do_not_lock_it(client, somchai, colleagues):
    for user in colleagues[:5]:
        for n in range(4 if user != colleagues[4] else 3):
            attempt(client, user.username, f"wrong {n}", address="198.51.100.9")
    assert attempt(client, "somchai", PASSWORD, address="198.51.100.9").status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_does_not_clear_the_address_count(client, colleagues, make_user):
    # The sprayer's own valid account cannot be used to wipe the count of the others.
    make_user("focal_point", "MY", username="sprayer")
    for user in colleagues[:4]:
        for n in range(4):
            attempt(client, user.username, f"wrong {n}", address="198.51.100.9")
    for n in range(3):
        attempt(client, "sprayer", f"wrong {n}", address="198.51.100.9")
    assert attempt(client, "sprayer", PASSWORD, address="198.51.100.9").status_code == 302
    client.post(reverse("accounts:logout"))
    for n in range(4):
        attempt(client, colleagues[4].username, f"wrong {n}", address="198.51.100.9")
    assert attempt(client, colleagues[5].username, PASSWORD, "198.51.100.9").status_code == 429


def test_the_address_lock_ends_after_the_cool_off(client, somchai, colleagues):
    for user in colleagues[:5]:
        for n in range(4):
            attempt(client, user.username, f"wrong {n}", address="198.51.100.9")
    assert attempt(client, "somchai", PASSWORD, address="198.51.100.9").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "somchai", PASSWORD, address="198.51.100.9").status_code == 302
