"""Encryption at rest for identifiers (document numbers, dates of birth).

The key is not in the database: production reads PANTAU_NARCO_KEYS (comma-separated Fernet
keys, newest first, so keys can be rotated with MultiFernet); development generates one in
var/narco.key. A database dump alone reveals no identifier."""

import json
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in os.environ.get("PANTAU_NARCO_KEYS", "").split(",") if k.strip()]
    if not keys:
        if settings.PRODUCTION:
            raise RuntimeError("PANTAU_NARCO_KEYS must be set in production")
        path = settings.VAR_DIR / "narco.key"
        if not path.exists():
            _create_key_file(path)
        keys = [path.read_text().strip()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _create_key_file(path) -> None:
    """Readable by the owner only from the start, and published whole and once: two
    processes starting together (test workers, server workers) must use the same key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(Fernet.generate_key())
    try:
        os.link(tmp, path)  # fails if another process published its key first: use that one
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("Cannot decrypt a NARCO identifier: wrong PANTAU_NARCO_KEYS?") from exc


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token. Not searchable or orderable, by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return json.loads(decrypt(value))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True, default=str))
