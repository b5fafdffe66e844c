"""The checks an upload passes before anything is kept, in the request: size, extension
against the first bytes, and a scan of the raw bytes for the marks of an encrypted PDF and of a
page-count bomb. None of them parses the file; the worker's child process (extract.py) reads
it, under limits, and may still refuse it."""

import re
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .extract import MAX_PAGES

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
PAGE_COUNT = re.compile(rb"/Count\s+(\d{1,12})")
KINDS = {".pdf": "pdf", ".docx": "docx"}


class FileRefused(ValueError):
    """The upload is refused; the message says why, for the submitter."""


def max_bytes() -> int:
    return int(getattr(settings, "PANTAU_CLEARINGHOUSE_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_upload(name: str, size: int, head: bytes, raw: bytes) -> str:
    """The file's kind ("pdf" or "docx"), or FileRefused. `raw` is the whole file (at most
    max_bytes(), checked first)."""
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise FileRefused(
            _("Only PDF and DOCX files are accepted (got %(name)s).") % {"name": name}
        )
    if size > max_bytes():
        raise FileRefused(
            _("%(name)s is %(size)d MB; the limit is %(limit)d MB.")
            % {"name": name, "size": size // (1024 * 1024), "limit": max_bytes() // (1024 * 1024)}
        )
    if size == 0:
        raise FileRefused(_("%(name)s is empty.") % {"name": name})
    kind = KINDS[suffix]
    if kind == "pdf" and not head.lstrip()[:5].startswith(PDF_MAGIC):
        raise FileRefused(_("%(name)s is not a PDF, whatever its name says.") % {"name": name})
    if kind == "docx" and not head.startswith(ZIP_MAGIC):
        raise FileRefused(
            _("%(name)s is not a Word (DOCX) file, whatever its name says.") % {"name": name}
        )
    if kind == "pdf":
        if b"/Encrypt" in raw:
            raise FileRefused(
                _("%(name)s is an encrypted (password-protected) PDF; upload it unprotected.")
                % {"name": name}
            )
        counts = [int(m) for m in PAGE_COUNT.findall(raw)]
        if counts and max(counts) > MAX_PAGES:
            raise FileRefused(
                _("%(name)s declares %(count)d pages; at most %(limit)d are accepted.")
                % {"name": name, "count": max(counts), "limit": MAX_PAGES}
            )
    return kind
