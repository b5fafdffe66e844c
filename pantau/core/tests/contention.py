"""A database whose write lock another connection holds: real locks, no mocks.

Audit events are append-only (no flush), so the tests never commit to the test database:
- `contended_db`, for requests. SQLite: Django's connection is swapped for one to a file copy
  of the test database (which is in memory), in WAL mode like production, with a busy timeout
  of BUSY_TIMEOUT; the test's writes land in the copy, the other writer holds BEGIN IMMEDIATE.
  PostgreSQL: the test's own transaction with a lock_timeout of BUSY_TIMEOUT; the other writer
  locks a committed row (reference data) FOR UPDATE.
- `worker_db`, for the worker, whose loop needs a connection outside any test transaction:
  SQLite as above; PostgreSQL a second connection to the test database, in autocommit, whose
  queued tasks are deleted afterwards (the worker writes nothing else).
Tests create their data after the fixture."""

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections, models

BUSY_TIMEOUT = 0.3  # seconds


class Lock:
    def __init__(self, raw):
        self.raw = raw
        self._released = threading.Event()

    def release(self) -> None:
        if not self._released.is_set():
            self._released.set()
            self.raw.rollback()

    def release_after(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.release)
        timer.start()
        return timer


class OtherWriter:
    """A second connection that holds the database's (SQLite) or a row's or a table's
    (PostgreSQL) write lock until released."""

    def __init__(self, sqlite_file: Path | None):
        self.sqlite_file = sqlite_file

    @contextmanager
    def holding(self, postgres_sql: str, params: tuple = ()) -> Iterator[Lock]:
        raw: sqlite3.Connection | object
        if self.sqlite_file is not None:
            raw = sqlite3.connect(self.sqlite_file, isolation_level=None, check_same_thread=False)
            raw.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            s = connections["default"].settings_dict
            raw = psycopg.connect(
                dbname=s["NAME"],
                user=s["USER"] or None,
                password=s["PASSWORD"] or None,
                host=s["HOST"] or None,
                port=s["PORT"] or None,
            )
            raw.execute(postgres_sql, params)  # psycopg opens the transaction
        lock = Lock(raw)
        try:
            yield lock
        finally:
            lock.release()
            raw.close()  # type: ignore[attr-defined]

    def holding_row(self, obj: models.Model):
        table, pk = obj._meta.db_table, obj._meta.pk.column  # type: ignore[union-attr]
        return self.holding(f'SELECT 1 FROM "{table}" WHERE "{pk}" = %s FOR UPDATE', (obj.pk,))

    def holding_table(self, model: type[models.Model]):
        return self.holding(f'LOCK TABLE "{model._meta.db_table}" IN EXCLUSIVE MODE')


@contextmanager
def _swapped_connection(**changes) -> Iterator[None]:
    """Django's default connection replaced by one with these settings changed; the test's
    own (and its transaction) put back afterwards, untouched."""
    original = connections["default"]
    settings_dict = {**original.settings_dict, **changes}
    replacement = type(original)(settings_dict, "default")
    connections["default"] = replacement
    try:
        yield
    finally:
        replacement.close()
        connections["default"] = original


@pytest.fixture(scope="session")
def sqlite_template(django_db_setup, django_db_blocker, tmp_path_factory) -> Path | None:
    """A file copy of the SQLite test database (in memory) as set up, taken once, before any
    test transaction holds it."""
    if connections["default"].vendor != "sqlite":
        return None
    path = tmp_path_factory.mktemp("contention") / "template.sqlite3"
    with django_db_blocker.unblock():
        reader = sqlite3.connect(connections["default"].settings_dict["NAME"], uri=True)
        copy = sqlite3.connect(path)
        try:
            reader.backup(copy)
        finally:
            copy.close()
            reader.close()
    return path


@contextmanager
def _sqlite_file_copy(template: Path, path: Path) -> Iterator[None]:
    shutil.copyfile(template, path)
    options = {**connections["default"].settings_dict["OPTIONS"], "timeout": BUSY_TIMEOUT}
    with _swapped_connection(NAME=str(path), OPTIONS=options):
        yield


@pytest.fixture
def contended_db(sqlite_template, db, tmp_path) -> Iterator[OtherWriter]:
    if sqlite_template is not None:
        with _sqlite_file_copy(sqlite_template, tmp_path / "pantau.sqlite3"):
            yield OtherWriter(tmp_path / "pantau.sqlite3")
    else:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT * 1000)}")
        yield OtherWriter(None)


@pytest.fixture
def worker_db(sqlite_template, db, tmp_path) -> Iterator[OtherWriter]:
    if sqlite_template is not None:
        with _sqlite_file_copy(sqlite_template, tmp_path / "pantau.sqlite3"):
            yield OtherWriter(tmp_path / "pantau.sqlite3")
    else:
        from django_tasks_db.models import DBTaskResult

        options = connections["default"].settings_dict["OPTIONS"]
        timeout = f"-c lock_timeout={int(BUSY_TIMEOUT * 1000)}"
        with _swapped_connection(
            OPTIONS={**options, "options": f"{options.get('options', '')} {timeout}"}
        ):
            try:
                yield OtherWriter(None)
            finally:
                DBTaskResult.objects.all().delete()
