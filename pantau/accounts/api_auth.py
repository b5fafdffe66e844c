"""API authentication: `Authorization: Bearer <token>` or the browser's session.

A token is the machine path: when a request carries an Authorization header, only the token
counts (a bad token is a 401 even with a session cookie beside it). A read-only token is
refused every unsafe method with 403."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import security

from pantau.accounts.models import User
from pantau.accounts.services import authenticate_token
from pantau.core.exceptions import PermissionDenied

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _token_user(request: HttpRequest, key: str):
    found = authenticate_token(key)
    if found is None:
        return None
    user, token = found
    if request.method not in SAFE_METHODS and not token.can_write:
        raise PermissionDenied(
            f"This API token is read-only (scope {token.scope!r}): {request.method} needs a "
            "token with scope 'write' (`pantau token USERNAME --scope write`, or your profile)"
        )
    request.user = user
    request.api_token = token  # type: ignore[attr-defined]
    return user


class BearerToken(security.HttpBearer):
    def authenticate(self, request, token: str):
        return _token_user(request, token)


class SessionAuth(security.SessionAuth):
    """The signed-in browser session (with its CSRF check), unless a token was presented."""

    def __call__(self, request):
        if request.META.get("HTTP_AUTHORIZATION"):
            return None
        return super().__call__(request)


# Every authenticated operation accepts either.
authenticated = [BearerToken(), SessionAuth()]


class OptionalBearer(security.HttpBearer):
    """For public operations: no credentials is fine, bad credentials are not."""

    def __call__(self, request):
        if not request.META.get("HTTP_AUTHORIZATION"):
            # The session's user when there is one (the browsable docs), else anonymous.
            return getattr(request, "user", None) or AnonymousUser()
        return super().__call__(request)

    def authenticate(self, request, token: str):
        return _token_user(request, token)


public = [OptionalBearer()]


def caller(request: HttpRequest) -> User:
    """The signed-in caller of an operation whose `auth` lets only users through."""
    user = request.user
    assert isinstance(user, User)
    return user
