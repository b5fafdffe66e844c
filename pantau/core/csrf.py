"""A CSRF token for a visitor who has none, drawn from one call to the system's random source.

Django's get_token draws each of the 64 characters of a new secret and its mask with a call of
its own to os.urandom; each call lets go of the GIL, and under load (a server's threads on two
cores) every release waits for the other threads: 40 % of the time of a kept portal page was
spent there (py-spy, bench/README.md). Same secret, same mask, same cookie as Django's."""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
# Bytes below this map evenly onto the alphabet (62 * 4 = 248); the others are drawn again.
_EVEN = 256 - 256 % len(_CHARS)


def _random_chars(n: int) -> str:
    found: list[str] = []
    while len(found) < n:
        found += [_CHARS[b % len(_CHARS)] for b in os.urandom(2 * n) if b < _EVEN]
    return "".join(found[:n])


def new_token(request) -> str:
    """The masked token of a new CSRF secret, set on `request` as get_token sets it (the
    middleware sends the cookie); a request that has a secret gets Django's own answer."""
    if "CSRF_COOKIE" in request.META:
        return get_token(request)
    drawn = _random_chars(2 * CSRF_SECRET_LENGTH)
    secret, mask = drawn[:CSRF_SECRET_LENGTH], drawn[CSRF_SECRET_LENGTH:]
    request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    n = len(_CHARS)
    cipher = "".join(
        _CHARS[(_CHARS.index(s) + _CHARS.index(m)) % n] for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher
