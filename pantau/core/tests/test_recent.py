"""Recent: a value read at most once per interval outside a transaction (the portal's
version, issue 23), always read again inside one."""

import time

import pytest
from django.db import transaction

from pantau.core.recent import Recent


class Counter:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.reads


def test_outside_a_transaction_the_value_is_kept_for_its_interval():
    read = Counter()
    recent = Recent(read, seconds=0.2)
    assert recent.get() == recent.get() == 1
    assert read.reads == 1
    time.sleep(0.25)
    assert recent.get() == 2  # the interval passed: read again (another process's change)
    recent.forget()
    assert recent.get() == 3  # this process's change: read again at once


@pytest.mark.django_db
def test_inside_a_transaction_the_value_is_always_read():
    read = Counter()
    recent = Recent(read, seconds=60)
    recent._known = (0, time.monotonic())  # read just now, outside the transaction
    with transaction.atomic():
        assert [recent.get() for _ in range(3)] == [1, 2, 3]  # sees its own changes


def test_when_the_interval_ends_one_thread_reads_and_the_others_keep_the_value(monkeypatch):
    """Under load every thread would otherwise read at once at each interval's end."""
    import threading

    from pantau.core import recent as module

    monkeypatch.setattr(module, "_in_transaction", lambda: False)
    started, release = threading.Event(), threading.Event()
    values = iter([1, 2])

    def read():
        value = next(values)
        if value == 2:
            started.set()
            release.wait(5)
        return value

    kept = Recent(read, seconds=0.05)
    assert kept.get() == 1
    time.sleep(0.1)
    reader = threading.Thread(target=kept.get)
    reader.start()
    assert started.wait(5)
    assert kept.get() == 1  # another thread is reading: this one does not wait for it
    release.set()
    reader.join()
    assert kept.get() == 2


def test_a_read_begun_before_a_forget_is_not_kept(monkeypatch):
    """A change commits while a thread reads the old value: the old value is not kept."""
    from pantau.core import recent as module

    monkeypatch.setattr(module, "_in_transaction", lambda: False)
    kept: Recent[int]
    reads = iter([1, 2])

    def read() -> int:
        value = next(reads)
        if value == 1:
            kept.forget()  # the change commits during this read
        return value

    kept = Recent(read, seconds=60)
    assert kept.get() == 1  # its caller began before the change: it gets what it read
    assert kept.get() == 2  # but the next caller reads again
