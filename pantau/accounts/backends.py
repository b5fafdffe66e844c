from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in through a request (the login page, the
    admin's). `authenticate()` without a request only comes from code run on the server
    (tests' client.login, a shell), which has no client address to lock out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The client's address for the lockout. Behind PANTAU_PROXY_COUNT reverse proxies, each
    appends the address it saw to X-Forwarded-For: the client's is that many from the right
    (anything further left came from the client and could be forged)."""
    proxies = settings.PANTAU_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class AddressAwareAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second lock per address, across usernames.

    The lock per username and address (AXES_FAILURE_LIMIT) stops guessing one account's
    password; alone it lets one address try a few passwords on every account (password
    spraying). So an address with AXES_ADDRESS_FAILURE_LIMIT failures within the cool-off,
    whatever the usernames, is locked out of every account, the right password included.
    A successful sign-in clears only its own username's count, not the address's others."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Reported as the per-pair limit, so that axes' own checks (before the password
            # and after a failure) lock this address out for every username.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request) -> int:
    """Failures from the request's address within the cool-off, all usernames together."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    return (
        AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
