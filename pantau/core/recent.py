"""A value a process reads from the database at most once per short interval.

What every public answer is checked against (the data's version: a few tokens and times) is
read once per request otherwise; under load that read costs more than the answer itself, which
is kept. A process trusts what it read for `seconds` outside a transaction: a change committed
by another process reaches this one's answers within that time; the process that makes the
change calls `forget()` (at once and at its commit). Inside a transaction the value is always
read again, so a transaction sees its own changes and nothing newer."""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connection, transaction

T = TypeVar("T")


def _in_transaction() -> bool:
    return connection.in_atomic_block


# Generic[T], not `class Recent[T]`: the project's tools still parse the code with Python 3.11.
class Recent(Generic[T]):  # noqa: UP046
    def __init__(self, read: Callable[[], T], seconds: float) -> None:
        self._read = read
        self._seconds = seconds
        self._known: tuple[T, float] | None = None
        self._forgotten = 0  # how many times forget() ran: a read begun before one is not kept
        self._lock = threading.Lock()
        # Held by the one thread that reads an expired value again: the others go on with the
        # value they have meanwhile, rather than all reading at once (and all waiting for the
        # database and then for the interpreter lock) each time the interval ends.
        self._refreshing = threading.Lock()

    def get(self) -> T:
        if _in_transaction():
            return self._read()
        known = self._known
        now = time.monotonic()
        if known is not None and now - known[1] < self._seconds:
            return known[0]
        if known is not None and not self._refreshing.acquire(blocking=False):
            return known[0]  # expired, and another thread is reading it: at most a moment old
        if known is None:
            self._refreshing.acquire()  # forgotten: nobody may use the old value; wait
        try:
            forgotten = self._forgotten
            value = self._read()
            with self._lock:
                if forgotten == self._forgotten:
                    self._known = (value, now)
        finally:
            self._refreshing.release()
        return value

    def forget(self) -> None:
        """Read the value again at the next request (a change was made or is being made)."""
        with self._lock:
            self._known = None
            self._forgotten += 1

    def forget_now_and_at_commit(self) -> None:
        self.forget()
        transaction.on_commit(self.forget)
