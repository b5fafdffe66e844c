"""'Forgot your password': a one-use link by e-mail, rate-limited per address and per e-mail
address, never saying whether an account has the address; the new password still needs the
second factor at sign-in."""

import re
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP

from pantau.accounts import otp
from pantau.accounts.models import PasswordResetRequest, User
from pantau.accounts.services import add_totp_device
from pantau.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password-reset")
DONE = reverse("accounts:password-reset-done")
COMPLETE = reverse("accounts:password-reset-complete")
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:2fa-verify")
OLD = "correct horse battery"  # make_user's
NEW = "a brand new passphrase 2026"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PANTAU_REQUIRE_2FA = True


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def ask(email: str, address: str = "192.0.2.10", on=client):
        with django_capture_on_commit_callbacks(execute=True):
            return on.post(RESET, {"email": email}, REMOTE_ADDR=address)

    return ask


@pytest.fixture
def siti(make_user):
    """The Secretariat's officer: her role requires a second factor, and she has one."""
    user = make_user("secretariat", username="siti", email="siti@example.org")
    add_totp_device(acting_user=user, user=user, key=otp.new_key())
    return user


def link_in(message) -> str:
    [url] = re.findall(r"https?://\S+", message.body)
    assert url.startswith("http://testserver/accounts/password-reset/")
    return url.removeprefix("http://testserver")


def totp_now(user) -> str:
    device = otp.confirmed_device(user)
    totp = TOTP(unhexlify(device.key), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_the_sign_in_page_links_to_it(client):
    page = client.get(LOGIN).text
    assert f'href="{RESET}"' in page
    form = client.get(RESET)
    assert form.status_code == 200
    assert "Forgot your password" in form.text
    assert "style=" not in form.text


def test_the_link_sets_the_password_and_the_second_factor_is_still_asked(client, ask, siti):
    response = ask("siti@example.org")
    assert response.status_code == 302
    assert response["Location"] == DONE
    assert "If a Pantau account has that e-mail address" in client.get(DONE).text
    [message] = mail.outbox
    assert message.to == ["siti@example.org"]
    assert message.subject == "[Pantau] Choose a new password"
    assert "siti" in message.body
    link = link_in(message)

    # Django's confirm view moves the token out of the address, into the session.
    opened = client.get(link)
    assert opened.status_code == 302
    form_url = opened["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Choose a new password" in page.text and "siti" in page.text

    # The password validators apply.
    weak = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    siti.refresh_from_db()
    assert siti.check_password(OLD)

    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == COMPLETE
    assert "still asks for a code" in client.get(COMPLETE).text
    siti.refresh_from_db()
    assert siti.check_password(NEW)
    assert not siti.check_password(OLD)
    assert "_auth_user_id" not in client.session  # the reset signs nobody in
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id, event.actor_id) == (
        "accounts.password.reset",
        str(siti.pk),
        siti.pk,
    )
    assert NEW not in str(event.after)

    # The link works once.
    again = client.get(link, follow=True)
    assert "This link does not work" in again.text

    # The old password no longer signs in; the new one leads to the second factor, not in.
    assert client.post(LOGIN, {"username": "siti", "password": OLD}).status_code == 200
    step = client.post(LOGIN, {"username": "siti", "password": NEW})
    assert step["Location"] == VERIFY
    assert "_auth_user_id" not in client.session
    assert client.post(VERIFY, {"code": totp_now(siti)}).status_code == 302
    assert "_auth_user_id" in client.session


def test_a_user_whose_role_requires_2fa_but_has_no_device_is_sent_to_set_it_up(
    client, ask, make_user
):
    make_user("approver", "TH", username="th.approver", email="approver@example.org")
    ask("approver@example.org")
    form_url = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert client.post(LOGIN, {"username": "th.approver", "password": NEW}).status_code == 302
    assert client.get("/reporting/")["Location"].startswith(reverse("accounts:2fa-setup"))


def test_the_reset_ends_the_users_other_sessions(client, ask, siti):
    elsewhere = Client()
    elsewhere.force_login(siti)
    assert "_auth_user_id" in elsewhere.session
    ask("siti@example.org")
    form_url = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert elsewhere.get(reverse("accounts:profile"))["Location"].startswith(LOGIN)


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, ask, siti):
    known = ask("siti@example.org", address="192.0.2.10")
    unknown = ask("nobody@example.org", address="192.0.2.11")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["siti@example.org"]]
    # Both are counted alike for the rate limit, without the e-mail address in clear.
    assert PasswordResetRequest.objects.count() == 2
    assert not PasswordResetRequest.objects.filter(email_digest__contains="@").exists()


def test_the_address_is_matched_without_regard_to_case(ask, siti):
    ask("Siti@Example.ORG")
    assert [m.to for m in mail.outbox] == [["siti@example.org"]]


@pytest.mark.parametrize("kind", ["inactive", "no password"])
def test_inactive_accounts_and_accounts_without_password_get_nothing(ask, make_user, kind):
    user = make_user("focal_point", "TH", email="x@example.org")
    if kind == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        user.set_unusable_password()
        User.objects.filter(pk=user.pk).update(password=user.password)
    assert ask("x@example.org")["Location"] == DONE
    assert mail.outbox == []


def test_the_rate_limit_per_e_mail_address(client, ask, siti):
    for n in range(3):
        assert ask("siti@example.org", address=f"192.0.2.{n}").status_code == 302
    refused = ask("siti@example.org", address="192.0.2.99")
    assert refused.status_code == 429
    assert "Too many" in refused.text
    assert len(mail.outbox) == 3
    # An address without an account is limited the same way: the refusal tells nothing.
    for n in range(3):
        ask("nobody@example.org", address=f"198.51.100.{n}")
    assert ask("nobody@example.org", address="198.51.100.99").status_code == 429


def test_the_rate_limit_per_client_address(client, ask, siti, make_user):
    for n in range(5):
        assert ask(f"someone{n}@example.org", address="203.0.113.5").status_code == 302
    refused = ask("siti@example.org", address="203.0.113.5")
    assert refused.status_code == 429
    assert mail.outbox == []
    # Another address may still ask.
    assert ask("siti@example.org", address="203.0.113.6")["Location"] == DONE
    assert len(mail.outbox) == 1


def test_the_rate_limit_window_passes(ask, siti):
    for n in range(3):
        ask("siti@example.org", address=f"192.0.2.{n}")
    assert ask("siti@example.org").status_code == 429
    PasswordResetRequest.objects.update(requested_at=timezone.now() - timedelta(minutes=61))
    assert ask("siti@example.org")["Location"] == DONE
    # Rows past the window are removed as new requests come.
    assert PasswordResetRequest.objects.count() == 1


def test_a_link_made_for_somebody_else_sets_nothing(client, siti, make_user):
    other = make_user("focal_point", "TH", username="somchai", email="somchai@example.org")
    # Siti's token with Somchai's id, and a made-up token: both refused, nothing changed.
    for uid, token in [
        (urlsafe_base64_encode(force_bytes(other.pk)), default_token_generator.make_token(siti)),
        (urlsafe_base64_encode(force_bytes(siti.pk)), "abc-123456"),
    ]:
        response = client.get(
            reverse("accounts:password-reset-confirm", args=[uid, token]), follow=True
        )
        assert "This link does not work" in response.text
        forged = client.post(
            reverse("accounts:password-reset-confirm", args=[uid, "set-password"]),
            {"new_password1": NEW, "new_password2": NEW},
        )
        assert forged.status_code == 200
        assert "This link does not work" in forged.text
    for user in (siti, other):
        user.refresh_from_db()
        assert user.check_password(OLD)
    assert not AuditEvent.objects.filter(action="accounts.password.reset").exists()


def test_the_link_expires_after_an_hour(client, ask, siti, settings):
    ask("siti@example.org")
    link = link_in(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1  # as if more than the timeout had passed
    assert "This link does not work" in client.get(link, follow=True).text
    siti.refresh_from_db()
    assert siti.check_password(OLD)
