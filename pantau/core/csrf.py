"""A CSRF token for a visitor who has none, drawn from one call to the system's random source.

Django's get_token draws each of the 64 characters of a new secret and its mask with a call of
its own to os.urandom; each call lets go of the GIL, and under load (a server's threads on two
cores) every release waits for the other threads: 40 % of the time of a kept portal page was
spent there (py-spy, bench/README.md). Same secret, same mask, same cookie as Django's."""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
_N = len(_CHARS)
# Bytes below this map evenly onto the alphabet (62 * 4 = 248); the others are drawn again.
_EVEN = 256 - 256 % _N
# Bytes.translate does the drawing in C (a loop in Python cost ~14 us a token): a random byte
# becomes its index in the alphabet (b % 62), the uneven ones are dropped, then an index its
# character.
_TO_INDEX = bytes(b % _N for b in range(256))
_UNEVEN = bytes(range(_EVEN, 256))
_TO_CHAR = _CHARS.encode("ascii").ljust(256, b"\0")


def _random_indexes(n: int) -> bytes:
    found = b""
    while len(found) < n:
        found += os.urandom(2 * n).translate(_TO_INDEX, _UNEVEN)
    return found[:n]


def _random_chars(n: int) -> str:
    return _random_indexes(n).translate(_TO_CHAR).decode("ascii")


def new_token(request) -> str:
    """The masked token of a new CSRF secret, set on `request` as get_token sets it (the
    middleware sends the cookie); a request that has a secret gets Django's own answer."""
    if "CSRF_COOKIE" in request.META:
        return get_token(request)
    drawn = _random_indexes(2 * CSRF_SECRET_LENGTH)
    secret, mask = drawn[:CSRF_SECRET_LENGTH], drawn[CSRF_SECRET_LENGTH:]
    # Django's masking (_mask_cipher_secret): each character shifted by the mask's, modulo 62.
    cipher = bytes((s + m) % _N for s, m in zip(secret, mask, strict=True))
    request.META.update(
        {
            "CSRF_COOKIE": secret.translate(_TO_CHAR).decode("ascii"),
            "CSRF_COOKIE_NEEDS_UPDATE": True,
        }
    )
    return (mask + cipher).translate(_TO_CHAR).decode("ascii")
