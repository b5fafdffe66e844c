"""Per-request rules for signed-in users: the session's lifetime, the second factor, and the
time zone pages show times in.

SessionLifetimeMiddleware signs out a session idle for PANTAU_SESSION_IDLE seconds or older
than PANTAU_SESSION_MAX_AGE however active (ASVS 3.3.2). The last-seen time is written at
most once a minute, so a busy page does not write its session on every request.

TwoFactorMiddleware runs after django-otp's OTPMiddleware (which tells whether the session
was verified with a device). When PANTAU_REQUIRE_2FA is on, a signed-in user who must use a
second factor (their roles require it, or they set up a device) and whose session is not
verified reaches only the two-factor pages, sign-out and static files: pages redirect to
set-up or verification, API calls made with the session answer 403 in JSON. API calls with
a bearer token are not concerned: pantau.accounts.api_auth ignores the session whenever a token is
presented.

TimeZoneMiddleware shows times in the signed-in user's time zone when they chose one (their
profile), else in the site's (TIME_ZONE). Only display changes: stored times stay UTC.
"""

import time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from . import otp
from .permissions import requires_two_factor

# Session keys: when the user signed in, and when we last saw them.
SIGNED_IN_AT = "pantau_signed_in_at"
SEEN_AT = "pantau_seen_at"
SEEN_RESOLUTION = 60  # seconds


def stamp_session(sender, request, user, **kwargs) -> None:
    """On every sign-in (connected to user_logged_in in AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = float(session.get(SIGNED_IN_AT) or now)
            seen_at = float(session.get(SEEN_AT) or now)
            if (
                now - signed_in_at > settings.PANTAU_SESSION_MAX_AGE
                or now - seen_at > settings.PANTAU_SESSION_IDLE
            ):
                logout(request)
            elif SIGNED_IN_AT not in session or now - seen_at > SEEN_RESOLUTION:
                session.setdefault(SIGNED_IN_AT, now)
                session[SEEN_AT] = now
        return self.get_response(request)


def exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:2fa-setup"),
        reverse("accounts:2fa-verify"),
        reverse("accounts:logout"),
        reverse("set_language"),  # the language switcher, on the two-factor pages too
        "/" + settings.STATIC_URL.lstrip("/"),
    )


def must_verify(user) -> bool:
    """The user needs a verified session: their roles require it or they chose it."""
    return requires_two_factor(user) or otp.confirmed_device(user) is not None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.PANTAU_REQUIRE_2FA
            and request.user.is_authenticated
            and not request.path.startswith(exempt_paths())
            and not request.user.is_verified()  # type: ignore[union-attr,attr-defined]
            and must_verify(request.user)
        ):
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization"):
                return None  # the token alone decides (pantau.accounts.api_auth)
            return JsonResponse(
                {
                    "detail": "Two-factor authentication required: verify this session at "
                    f"{reverse('accounts:2fa-verify')}, or call the API with a token"
                },
                status=403,
            )
        has_device = otp.confirmed_device(request.user) is not None
        target = reverse("accounts:2fa-verify" if has_device else "accounts:2fa-setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        try:
            if zone:
                timezone.activate(ZoneInfo(zone))
            else:
                timezone.deactivate()
        except (ZoneInfoNotFoundError, ValueError):
            # A zone tzdata no longer knows (renamed or removed): the site's.
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
