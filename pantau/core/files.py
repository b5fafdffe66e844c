"""File helpers shared by the apps."""

import hashlib
from pathlib import Path
from typing import IO


def sha256_of(source: str | Path | IO[bytes]) -> str:
    """The SHA-256 of a file, by path or from an open binary file (read from its start, and
    left at its start again, so an upload can be read afterwards)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    source.seek(0)
    # An upload (Django's UploadedFile) reads into buffers like a binary file.
    digest = hashlib.file_digest(source, "sha256").hexdigest()  # type: ignore[arg-type]
    source.seek(0)
    return digest
