"""core.csrf.new_token: a new visitor's CSRF token drawn at once, accepted by Django's own
check (a POST with it and its cookie passes; with another visitor's cookie it is refused)."""

import collections

from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware, _unmask_cipher_token
from django.test import RequestFactory

from pantau.core.csrf import _random_chars, new_token


def _view(request):
    return HttpResponse("ok")


def _post(token: str, cookie: str):
    request = RequestFactory().post("/x", {"csrfmiddlewaretoken": token})
    request.COOKIES["csrftoken"] = cookie
    middleware = CsrfViewMiddleware(_view)
    middleware.process_request(request)
    return middleware.process_view(request, _view, (), {})  # None: accepted


def test_the_token_unmasks_to_the_cookie_it_sets_and_passes_djangos_check():
    request = RequestFactory().get("/")
    token = new_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert _post(token, secret) is None
    other = RequestFactory().get("/")
    new_token(other)
    assert _post(token, other.META["CSRF_COOKIE"]).status_code == 403


def test_each_visitor_gets_a_new_secret_and_a_kept_one_is_reused():
    seen = {new_token(RequestFactory().get("/")) for _ in range(200)}
    assert len(seen) == 200
    request = RequestFactory().get("/")
    first = new_token(request)
    again = new_token(request)  # Django's own path: the same secret, a new mask
    assert first != again and _unmask_cipher_token(first) == _unmask_cipher_token(again)


def test_the_characters_are_drawn_evenly():
    counts = collections.Counter(_random_chars(62 * 2000))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) < 1.25 * 2000 and min(counts.values()) > 0.75 * 2000
