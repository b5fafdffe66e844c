"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain alone is unkeyed: whoever holds the database can edit a row and recompute every
later hash and the head. A checkpoint is the chain head (event id, hash, time in UTC) signed
with an Ed25519 key that the database does not hold, appended as one JSON line to a log file
that the database does not hold either. `verify` then checks the chain against every
checkpoint, so a rewrite of anything a checkpoint covers no longer goes unseen.

The private key (PEM, PKCS#8, mode 0600) signs; its public key (PEM, beside it as
`<key file>.pub`, or PANTAU_AUDIT_PUBLIC_KEY_FILE) is all that verifying needs.
"""

import base64
import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

FORMAT = 1
# Prefixed to what is signed, so a signature made for anything else never passes here.
SIGNING_CONTEXT = b"pantau audit checkpoint v1\n"


class CheckpointError(Exception):
    """A key or checkpoint log that cannot be used as it is (the message says why)."""


def key_file() -> Path:
    return Path(settings.PANTAU_AUDIT_KEY_FILE)


def public_key_file() -> Path:
    configured = settings.PANTAU_AUDIT_PUBLIC_KEY_FILE
    return Path(configured) if configured else key_file().with_name(key_file().name + ".pub")


def checkpoint_file() -> Path:
    return Path(settings.PANTAU_AUDIT_CHECKPOINT_FILE)


# --- Keys -------------------------------------------------------------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key, written into each checkpoint to tell keys apart."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def create_key() -> Ed25519PrivateKey:
    """Write a new private key (0600, never overwriting one) and its public key beside it."""
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: two processes creating the key at once cannot both win and sign with different
    # keys; the loser reads the winner's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_private_key()
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    _write_public_key(private_key.public_key())
    return private_key


def _write_public_key(public_key: Ed25519PublicKey) -> None:
    path = public_key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(_public_pem(public_key))
    partial.chmod(0o644)
    partial.replace(path)


def load_private_key() -> Ed25519PrivateKey:
    path = key_file()
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(
            f"{path} is accessible to other users (mode {stat.S_IMODE(mode):o}); "
            f"`chmod 600 {path}` first"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} does not hold an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The private key, created on first use. Refuses a key whose public key file (which
    verify reads) names a different key: checkpoints nobody could verify are worthless."""
    private_key = load_private_key() if key_file().exists() else create_key()
    public_key = private_key.public_key()
    if not public_key_file().exists():
        _write_public_key(public_key)
    elif key_id(load_public_key()) != key_id(public_key):
        raise CheckpointError(
            f"{public_key_file()} is not the public key of {key_file()}; "
            "remove the stale public key file or set PANTAU_AUDIT_PUBLIC_KEY_FILE to the right one"
        )
    return private_key


def load_public_key() -> Ed25519PublicKey:
    """The public key from its own file, else derived from the private key (so a verify-only
    installation needs just the public key file)."""
    path = public_key_file()
    if path.exists():
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError(f"{path} does not hold an Ed25519 public key")
        return key
    if key_file().exists():
        return load_private_key().public_key()
    raise CheckpointError(f"no public key to check checkpoints with ({path} is missing)")


# --- Checkpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """One signed line of the checkpoint log: the chain head at `signed_at`."""

    event_id: int
    hash: str
    signed_at: str  # ISO 8601, UTC
    key_id: str
    signature: str = ""
    line: int = 0  # 1-based line number in the log, for messages

    def payload(self) -> dict:
        return {
            "format": FORMAT,
            "event_id": self.event_id,
            "hash": self.hash,
            "signed_at": self.signed_at,
            "key_id": self.key_id,
        }

    def message(self) -> bytes:
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        return SIGNING_CONTEXT + canonical.encode()

    def to_line(self) -> str:
        return json.dumps({**self.payload(), "signature": self.signature}, sort_keys=True) + "\n"

    def signature_is_valid(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(base64.b64decode(self.signature, validate=True), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True

    def __str__(self) -> str:
        return f"checkpoint line {self.line} (#{self.event_id}, signed {self.signed_at})"


def sign(private_key: Ed25519PrivateKey, *, event_id: int, hash: str, at: datetime) -> Checkpoint:
    if at.utcoffset() is None or at.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
        raise ValueError("checkpoint times are UTC")
    unsigned = Checkpoint(
        event_id=event_id,
        hash=hash,
        signed_at=at.isoformat(timespec="microseconds"),
        key_id=key_id(private_key.public_key()),
    )
    signature = base64.b64encode(private_key.sign(unsigned.message())).decode()
    return replace(unsigned, signature=signature)


def parse_line(text: str, line: int) -> Checkpoint:
    """A checkpoint from one line of the log; ValueError when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a checkpoint of a known format")
    event_id = data.get("event_id")
    if not isinstance(event_id, int) or isinstance(event_id, bool):
        raise ValueError("its event_id is missing or not a number")
    texts = {name: data.get(name) for name in ("hash", "signed_at", "key_id", "signature")}
    for name, value in texts.items():
        if not isinstance(value, str):
            raise ValueError(f"its {name} is missing or not a string")
    return Checkpoint(
        event_id=event_id,
        hash=str(texts["hash"]),
        signed_at=str(texts["signed_at"]),
        key_id=str(texts["key_id"]),
        signature=str(texts["signature"]),
        line=line,
    )


def read_log(fh: IO[bytes]) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line, from the start of the file."""
    fh.seek(0)
    for number, raw in enumerate(fh, start=1):
        text = raw.decode("utf-8", errors="replace")
        if text.strip():
            yield number, text


def parse_log(fh: IO[bytes]) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """The checkpoints of a log (signatures not yet checked) and its unreadable lines."""
    entries, bad = [], []
    for number, text in read_log(fh):
        try:
            entries.append(parse_line(text, number))
        except ValueError as exc:  # json.JSONDecodeError is one
            bad.append((number, str(exc)))
    return entries, bad


@contextmanager
def locked_log() -> Iterator[IO[bytes]]:
    """The checkpoint log opened for reading and appending, locked against other writers (the
    worker and an operator's `pantau audit checkpoint` may run at the same time)."""
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield fh
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def append(fh: IO[bytes], checkpoint: Checkpoint) -> None:
    """Append one line in one write (the file is in append mode) and make it durable. A line
    cut short by a crash is closed first, so it stays one bad line, reported by verify."""
    line = checkpoint.to_line().encode()
    size = fh.seek(0, os.SEEK_END)
    if size:
        fh.seek(size - 1)
        if fh.read(1) != b"\n":
            line = b"\n" + line
    fh.write(line)
    fh.flush()
    os.fsync(fh.fileno())
