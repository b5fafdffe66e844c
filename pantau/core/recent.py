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


# Generic[T], not `class Recent[T]`: the project's tools still parse the code with Python 3.11.
class Recent(Generic[T]):  # noqa: UP046
    def __init__(self, read: Callable[[], T], seconds: float) -> None:
        self._read = read
        self._seconds = seconds
        self._known: tuple[T, float] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if connection.in_atomic_block:
            return self._read()
        known = self._known
        now = time.monotonic()
        if known is not None and now - known[1] < self._seconds:
            return known[0]
        value = self._read()
        with self._lock:
            self._known = (value, now)
        return value

    def forget(self) -> None:
        """Read the value again at the next request (a change was made or is being made)."""
        with self._lock:
            self._known = None

    def forget_now_and_at_commit(self) -> None:
        self.forget()
        transaction.on_commit(self.forget)
