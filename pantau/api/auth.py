"""API authentication: `Authorization: Bearer <token>` or the browser's session."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, SessionAuth

from pantau.accounts.services import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


# Every authenticated operation accepts either.
authenticated = [BearerToken(), SessionAuth()]


class OptionalBearer(HttpBearer):
    """For public operations: no credentials is fine, bad credentials are not."""

    def __call__(self, request):
        if not request.headers.get("Authorization"):
            # The session's user when there is one (the browsable docs), else anonymous.
            return getattr(request, "user", None) or AnonymousUser()
        return super().__call__(request)

    def authenticate(self, request, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


public = [OptionalBearer()]
