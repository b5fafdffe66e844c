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
