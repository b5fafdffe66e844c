from axes.backends import AxesStandaloneBackend


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
    from django.conf import settings

    proxies = settings.PANTAU_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
