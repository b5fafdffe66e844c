"""Two-factor authentication (TOTP): required for approvers, ASEAN-NARCO officers, the
Secretariat, ASOD reviewers and administrators, optional for everybody else; a second step at
sign-in for whoever has a device; the demo accounts get devices and `pantau otp code`."""

import re
import time
from binascii import unhexlify
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.accounts import otp
from pantau.accounts.services import add_totp_device
from pantau.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # make_user's
SETUP = reverse("accounts:2fa-setup")
VERIFY = reverse("accounts:2fa-verify")
PROFILE = reverse("accounts:profile")
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.PANTAU_REQUIRE_2FA = True


def code(key_hex: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or `steps_ahead` time steps later)."""
    totp = TOTP(unhexlify(key_hex), 30, 0, 6, 0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def device_for(user) -> TOTPDevice:
    return add_totp_device(acting_user=user, user=user, key=otp.new_key())


def sign_in(client, username: str, next_url: str = "") -> object:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- The requirement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,state",
    [
        ("secretariat", None),
        ("approver", "TH"),
        ("narco_officer", "TH"),
        ("asod_reviewer", None),
        ("administrator", None),
    ],
)
def test_roles_that_require_2fa_are_sent_to_set_up(client, make_user, role, state):
    client.force_login(make_user(role, state))
    for path in ["/reporting/", PROFILE, "/audit/", "/members/TH/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{SETUP}?next={path.replace('/', '%2F')}", path


def test_a_superuser_without_a_role_must_use_2fa_too(client, make_user):
    client.force_login(make_user(is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_the_admin_signs_in_through_the_two_step_login(client, make_user):
    user = make_user(is_superuser=True, username="ops")
    device = device_for(user)
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response["Location"] == f"{LOGIN}?next=/admin/"
    assert sign_in(client, "ops", next_url="/admin/")["Location"] == VERIFY
    assert client.post(VERIFY, {"code": code(device.key)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_focal_point_is_not_forced(client, make_user):
    client.force_login(make_user("focal_point", "TH"))
    for path in ["/reporting/", PROFILE, "/audit/", "/members/TH/"]:
        assert client.get(path).status_code == 200, path
    assert "Set up two-factor authentication" in client.get(PROFILE).text


def test_setting_off_lifts_the_requirement(client, make_user, settings):
    settings.PANTAU_REQUIRE_2FA = False
    client.force_login(make_user("secretariat"))
    assert client.get(PROFILE).status_code == 200


def test_two_factor_pages_logout_and_static_files_stay_reachable(client, make_user):
    client.force_login(make_user("secretariat"))
    assert client.get(SETUP).status_code == 200
    assert client.get("/static/pantau/pantau.css").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_htmx_requests_are_told_where_to_go(client, make_user):
    client.force_login(make_user("secretariat"))
    response = client.get("/reporting/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


# --- Set-up ------------------------------------------------------------------------------------


def test_secretariat_sets_up_a_device_with_a_first_code(client, make_user):
    user = make_user("secretariat", username="siti")
    client.force_login(user)
    response = client.get(f"{SETUP}?next=/audit/")
    assert response.status_code == 200
    page = response.text
    key = client.session[otp.SETUP_KEY]
    secret = otp.base32_secret(key)
    # The otpauth URI, the QR code as inline SVG, the key for typing by hand:
    assert f"otpauth://totp/Pantau%3Asiti?secret={secret}&amp;" in page
    assert re.search(r'<svg viewBox="[0-9 ]+" class="qr">', page)
    assert otp.grouped(secret) in page
    # ... and nothing the Content-Security-Policy would block.
    assert "style=" not in page
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-cache" in response["Cache-Control"]
    # Nothing is stored before a code proves the app has the key.
    assert not TOTPDevice.objects.filter(user=user).exists()

    wrong = client.post(SETUP, {"code": "000000" if code(key) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "does not match" in wrong.text
    assert not TOTPDevice.objects.filter(user=user).exists()

    done = client.post(SETUP, {"code": code(key), "next": "/audit/"})
    assert done.status_code == 302
    assert done["Location"] == "/audit/"
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    assert otp.SETUP_KEY not in client.session
    # The session that proved the code is verified: the pages open.
    assert client.get("/audit/").status_code == 200
    event = AuditEvent.objects.latest("id")
    assert event.action == "accounts.2fa.enable"
    assert key not in str(event.after) and secret not in str(event.after)
    # The same code cannot be used again (it was consumed by the set-up).
    client.post(reverse("accounts:logout"))
    sign_in(client, "siti")
    assert client.post(VERIFY, {"code": code(key)}).status_code == 200
    assert not is_signed_in(client)


def test_set_up_refuses_a_second_device(client, make_user):
    user = make_user("focal_point", "TH")
    device_for(user)
    client.force_login(user)
    # The unverified session is sent to verify first; it may not replace the device.
    assert client.get(SETUP).status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- Verification at sign-in ---------------------------------------------------------------------


def test_with_a_device_the_password_alone_does_not_sign_in(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    response = sign_in(client, "siti", next_url="/audit/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not is_signed_in(client)
    # Pages stay closed: the session is not signed in, only pending.
    assert client.get(PROFILE)["Location"].startswith(LOGIN)
    assert client.get("/api/v1/me").status_code == 401

    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "Password accepted for <strong>siti</strong>" in page.text

    wrong = client.post(VERIFY, {"code": "12345"})
    assert wrong.status_code == 200
    assert "wrong or has expired" in wrong.text
    assert not is_signed_in(client)

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(VERIFY, {"code": code(device.key)})
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert is_signed_in(client)
    assert client.get(PROFILE).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def wrong_code(device) -> str:
    """A code no step within the tolerance accepts (even across a step's end)."""
    accepted = {code(device.key, steps) for steps in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in accepted)


def test_a_typo_does_not_block_the_right_code_typed_straight_after(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    sign_in(client, "siti")
    typo = client.post(VERIFY, {"code": wrong_code(device)})
    assert typo.status_code == 200
    assert "wrong or has expired" in typo.text
    assert not is_signed_in(client)
    # A second later, the right code: accepted, and the count of failures starts again.
    response = client.post(VERIFY, {"code": code(device.key)})
    assert response.status_code == 302
    assert is_signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_two_typos_then_the_right_code_still_sign_in(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    sign_in(client, "siti")
    for _ in range(2):
        assert "wrong or has expired" in client.post(VERIFY, {"code": wrong_code(device)}).text
    assert client.post(VERIFY, {"code": code(device.key)}).status_code == 302
    assert is_signed_in(client)


def test_guessing_codes_is_slowed_down_even_for_the_right_code(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    sign_in(client, "siti")
    for _ in range(3):
        assert "wrong or has expired" in client.post(VERIFY, {"code": wrong_code(device)}).text
    # After three wrong codes in a row, every try waits (django-otp's back-off), the right
    # code included, and tries during the wait are not even checked.
    for _ in range(5):
        refused = client.post(VERIFY, {"code": code(device.key)})
        assert refused.status_code == 200
        assert "Too many wrong codes" in refused.text
    assert not is_signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    assert otp.throttled_until(device) == device.throttling_failure_timestamp + timedelta(seconds=4)

    # After the wait a wrong code doubles it ...
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert "wrong or has expired" in client.post(VERIFY, {"code": wrong_code(device)}).text
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    assert otp.throttled_until(device) == device.throttling_failure_timestamp + timedelta(seconds=8)
    assert "Too many wrong codes" in client.post(VERIFY, {"code": code(device.key)}).text

    # ... and once it is over, the right code signs in and resets the count.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=9)
    )
    assert client.post(VERIFY, {"code": code(device.key)}).status_code == 302
    assert is_signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_turning_2fa_off_is_throttled_the_same_way(client, make_user):
    user = make_user("focal_point", "TH")
    device = device_for(user)
    client.force_login(user)
    client.post(VERIFY, {"code": code(device.key)})
    for _ in range(3):
        client.post(reverse("accounts:2fa-disable"), {"code": wrong_code(device)})
    client.post(reverse("accounts:2fa-disable"), {"code": code(device.key, 1)})
    assert TOTPDevice.objects.filter(user=user).exists()


def test_an_unverified_session_of_a_device_holder_must_verify(client, make_user):
    user = make_user("secretariat")
    device = device_for(user)
    client.force_login(user)
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Faudit%2F"
    assert client.post(f"{VERIFY}?next=/audit/", {"code": code(device.key)})["Location"] == (
        "/audit/"
    )
    assert client.get("/audit/").status_code == 200


def test_the_pending_sign_in_expires(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    sign_in(client, "siti")
    session = client.session
    session[otp.PENDING_KEY]["at"] -= otp.PENDING_SECONDS + 1
    session.save()
    response = client.post(VERIFY, {"code": code(device.key)})
    assert response["Location"] == LOGIN
    assert not is_signed_in(client)


def test_verify_without_a_pending_sign_in_goes_to_the_login_page(client):
    assert client.get(VERIFY)["Location"] == LOGIN
    assert client.post(VERIFY, {"code": "123456"})["Location"] == LOGIN


def test_next_may_not_leave_the_site(client, make_user):
    user = make_user("secretariat", username="siti")
    device = device_for(user)
    sign_in(client, "siti", next_url="https://evil.example/")
    response = client.post(VERIFY, {"code": code(device.key)})
    assert response["Location"] == reverse("start")


def test_a_wrong_password_never_reaches_the_second_step(client, make_user):
    user = make_user("secretariat", username="siti")
    device_for(user)
    response = client.post(LOGIN, {"username": "siti", "password": "wrong password"})
    assert response.status_code == 200
    assert otp.PENDING_KEY not in client.session


# --- The API --------------------------------------------------------------------------------------


def test_api_with_an_unverified_session_is_refused_in_json(client, api_client, make_user):
    user = make_user("secretariat")
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert "Two-factor authentication required" in response.json()["detail"]
    # A token is the machine path: it works, and it alone decides (not the session).
    assert client.get("/api/v1/me", headers=api_client.bearer(user)).status_code == 200
    bogus = {"Authorization": "Bearer pnt_not-a-real-token"}
    assert client.get("/api/v1/me", headers=bogus).status_code == 401
    assert client.get("/api/v1/workplans/", headers=bogus).status_code == 401


# --- Optional 2FA ---------------------------------------------------------------------------------


def test_a_focal_point_turns_2fa_on_and_is_asked_at_sign_in_then_turns_it_off(client, make_user):
    user = make_user("focal_point", "TH", username="somchai")
    client.force_login(user)
    client.get(SETUP)
    key = client.session[otp.SETUP_KEY]
    assert client.post(SETUP, {"code": code(key)})["Location"] == PROFILE
    assert "Turn off" in client.get(PROFILE).text

    client.post(reverse("accounts:logout"))
    assert sign_in(client, "somchai")["Location"] == VERIFY
    assert client.post(VERIFY, {"code": code(key, steps_ahead=1)}).status_code == 302
    assert is_signed_in(client)

    # Turning it off needs a valid code too.
    client.post(reverse("accounts:2fa-disable"), {"code": "12"})
    assert TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    response = client.post(reverse("accounts:2fa-disable"), {"code": code(key, steps_ahead=2)})
    assert response["Location"] == PROFILE
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.latest("id").action == "accounts.2fa.disable"
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "somchai")["Location"] == reverse("start")


def test_a_required_user_cannot_turn_2fa_off(client, make_user):
    user = make_user("secretariat")
    device = device_for(user)
    client.force_login(user)
    client.post(VERIFY, {"code": code(device.key)})
    response = client.post(reverse("accounts:2fa-disable"), {"code": code(device.key, 1)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=user).exists()


# --- Demo accounts --------------------------------------------------------------------------------


def test_demo_accounts_that_need_2fa_get_a_device_and_otp_code_prints_its_code(client):
    from pantau.site.demo.accounts import DEMO_PASSWORD, load_demo

    load_demo()
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert {"secretariat", "asod", "admin", "th.approver", "my.approver"} <= with_device
    assert not {"th.focal", "wg.le"} & with_device

    listing = StringIO()
    call_command("demo", "accounts", stdout=listing)
    secret = otp.base32_secret(TOTPDevice.objects.get(user__username="secretariat").key)
    assert re.search(rf"secretariat\s+{secret}", listing.getvalue())
    assert "pantau otp code USERNAME" in listing.getvalue()

    out = StringIO()
    call_command("otp", "code", "secretariat", stdout=out, stderr=StringIO())
    printed = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", printed)

    response = client.post(LOGIN, {"username": "secretariat", "password": DEMO_PASSWORD})
    assert response["Location"] == VERIFY
    assert client.post(VERIFY, {"code": printed}).status_code == 302
    assert client.get(PROFILE).status_code == 200


def test_otp_code_refuses_real_accounts(make_user):
    real = make_user("secretariat", username="real.person")
    device_for(real)
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("otp", "code", "real.person", stdout=StringIO())
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("otp", "code", "nobody", stdout=StringIO())
    make_user("focal_point", "TH", username="th.focal", is_demo=True)
    with pytest.raises(CommandError, match="no two-factor device"):
        call_command("otp", "code", "th.focal", stdout=StringIO())
