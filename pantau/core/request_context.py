"""The request id and client address of the work being done, for the audit log.

A context variable rather than a thread-local: it follows the request through sync and
async code alike, and the CLI sets one per command so its writes are grouped too.
"""

import random
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("pantau_request_id", default=None)
_client_address: ContextVar[str] = ContextVar("pantau_client_address", default="")


def new_request_id(prefix: str = "") -> str:
    """32 random hexadecimal digits (128 bits, like a UUID4's hex).

    An id only has to be distinct, not secret: it names a request in logs and the audit log and
    grants nothing. So it comes from the process's own generator (seeded from the system's
    random source, and again in a forked worker) rather than a system call per request: under
    load each call handed the interpreter lock to another thread, a quarter of a bare page's
    time (bench/README.md)."""
    return f"{prefix}{random.getrandbits(128):032x}"  # nosec B311


def set_request(request_id: str | None, client_address: str = "") -> None:
    _request_id.set(request_id)
    _client_address.set(client_address)


def clear_request() -> None:
    """Forget the request once it is answered, so later work in this thread gets its own id."""
    set_request(None, "")


def current_request_id() -> str:
    rid = _request_id.get()
    if rid is None:
        # Work outside any request (a shell, a test): one id for the rest of this context.
        rid = new_request_id("local-")
        _request_id.set(rid)
    return rid


def current_client_address() -> str:
    return _client_address.get()
