"""Helpers for tests of pages."""

import re

from django.http import HttpResponse

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def comparable_page(response: HttpResponse, path: str) -> str:
    """The page without what differs between any two requests for the same user: the path
    asked for, the request id and the CSRF token (masked afresh for every response). Two
    comparable 404 pages show that a hidden object answers exactly like a missing one."""
    text = response.content.decode().replace(path, "PATH")
    text = text.replace(response["X-Request-ID"], "REQUEST-ID")
    return _CSRF.sub(r"\1CSRF", text)
