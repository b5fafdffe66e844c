"""Two-factor authentication with TOTP (RFC 6238) on django-otp's devices.

Sign-in is two steps for whoever has a confirmed device: the password step only records a
*pending* sign-in in the session (user, time, where to go next); the session is signed in
when the code is right. Set-up keeps the new secret in the session until a first code
proves the authenticator has it, so nothing is written before that."""

import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .models import User

STEP = 30  # seconds, the authenticator apps' default
DIGITS = 6
TOLERANCE = 1  # one step either side: a phone's clock may be off by half a minute

PENDING_KEY = "pantau_2fa_pending"
PENDING_SECONDS = 5 * 60
SETUP_KEY = "pantau_2fa_setup_key"


def confirmed_device(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def new_key() -> str:
    """A new 160-bit secret, hex-encoded as django-otp stores it."""
    return default_key()


def base32_secret(key_hex: str) -> str:
    return b32encode(unhexlify(key_hex)).decode()


def provisioning_uri(user: User, key_hex: str) -> str:
    """The otpauth:// URI an authenticator app reads (issuer from OTP_TOTP_ISSUER)."""
    return TOTPDevice(user=user, key=key_hex, step=STEP, digits=DIGITS).config_url


def qr_svg(uri: str) -> SafeString:
    """The URI as an inline SVG QR code: no script, no style attribute (CSP-clean)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, svgclass="qr", lineclass="qr-line", omitsize=True, title="QR code"
    )
    # Safe: segno writes the markup itself from the QR matrix; the URI is not part of it,
    # and the title is ours.
    return mark_safe(svg)  # nosec B308 B703  # noqa: S308


def _normalise(code: str) -> int | None:
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    return int(code)


def check_first_code(key_hex: str, code: str) -> int | None:
    """The time step the code belongs to when it is right for `key_hex`, else None."""
    token = _normalise(code)
    if token is None:
        return None
    totp = TOTP(unhexlify(key_hex), STEP, 0, DIGITS, 0)
    totp.time = time.time()
    if totp.verify(token, TOLERANCE):
        return totp.t()  # verify() left the matching step's offset in totp.drift
    return None


def verify(device: TOTPDevice, code: str) -> bool:
    """Check a code against the device: each code works once, and after FREE_FAILURES wrong
    codes in a row further tries must wait (django-otp's back-off); a right code resets it."""
    with transaction.atomic():
        # Locked, so that two tries at once cannot both pass the throttle check.
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if throttled_until(locked) is not None:
            return False
        token = _normalise(code)
        if token is None:
            locked.throttle_increment(commit=True)
            return False
        if locked.throttling_failure_count < settings.PANTAU_OTP_FREE_FAILURES:
            # Within the free tries: django-otp's own check (which would make the right code
            # typed a second after a typo wait) is lifted for this one call. Its counting is
            # kept: a wrong code still adds one failure, a right one resets them.
            locked.throttling_failure_timestamp = None
        verified = locked.verify_token(token)
    device.refresh_from_db()
    return verified


def throttled_until(device: TOTPDevice):
    """When the device accepts a code again after wrong ones, or None if it does now. The
    first PANTAU_OTP_FREE_FAILURES wrong codes in a row cost no wait (a typo, then the right
    code straight away); from then on django-otp's back-off applies: with a throttle factor
    of 1, 2**(n-1) seconds after the n-th failure (4, 8, 16 s ... for n = 3, 4, 5 ...)."""
    if device.throttling_failure_count < settings.PANTAU_OTP_FREE_FAILURES:
        return None
    allowed, info = device.verify_is_allowed()
    if allowed or not info:
        return None
    return info.get("locked_until")


def current_code(user) -> tuple[str, int] | None:
    """(the code now, seconds it stays current) of the user's device; for demo accounts."""
    device = confirmed_device(user)
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", left


# --- the pending sign-in ----------------------------------------------------------------------


def start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    # A new session key: whatever an attacker planted before the password step is useless.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "at": time.time(),
        "next": next_url,
    }


def pending(request: HttpRequest) -> tuple[User, str, str] | None:
    """(user, authentication backend, next URL) of a fresh pending sign-in, else None."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = data.get("user")
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return None
    return user, str(data.get("backend") or ""), str(data.get("next") or "")


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def grouped(secret: str) -> str:
    """ABCD EFGH ...: easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
