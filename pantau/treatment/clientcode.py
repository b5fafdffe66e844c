"""The pseudonymous client code: HMAC-SHA256 of the client's normalised initials, date of
birth and sex, keyed per Member State. The attributes are never stored; the code lets a
country count persons (the same person in two of its centres gets one code) while codes of
two countries cannot be linked (different keys).

Keys: the environment variable PANTAU_TREATMENT_KEYS, "TH:<hex>,MY:<hex>" (at least 32
random bytes each, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), or the
setting TREATMENT_CLIENT_KEYS, a dict {"TH": "<hex>"}. Outside production a missing key is
created once in var/treatment-keys/<CODE>.key (owner-readable only). Changing a state's key
changes every code of that state: keep it with the backups of the database."""

import datetime
import hashlib
import hmac
import os
import unicodedata
from functools import cache

from django.conf import settings


def _configured() -> dict[str, str]:
    keys = dict(getattr(settings, "TREATMENT_CLIENT_KEYS", {}) or {})
    for item in os.environ.get("PANTAU_TREATMENT_KEYS", "").split(","):
        code, _, key = item.strip().partition(":")
        if code and key:
            keys[code.upper()] = key
    return keys


@cache
def state_key(member_state: str) -> bytes:
    key = _configured().get(member_state)
    if key:
        return bytes.fromhex(key)
    if settings.PRODUCTION:
        raise RuntimeError(
            f"No treatment client-code key for {member_state}: set PANTAU_TREATMENT_KEYS"
        )
    folder = settings.VAR_DIR / "treatment-keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{member_state}.key"
    if not path.exists():
        _create_key_file(path)
    return bytes.fromhex(path.read_text().strip())


def _create_key_file(path) -> None:
    """Published whole and once: two processes starting together must use the same key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(os.urandom(32).hex())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def normalise_initials(initials: str) -> str:
    """Letters only, upper case, accents removed: " s.k " and "SK" are the same client."""
    decomposed = unicodedata.normalize("NFKD", initials)
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).upper()


def client_code(member_state: str, *, initials: str, date_of_birth: datetime.date, sex: str) -> str:
    message = "|".join(
        [normalise_initials(initials), date_of_birth.isoformat(), sex.strip().upper()]
    )
    return hmac.new(state_key(member_state), message.encode(), hashlib.sha256).hexdigest()
