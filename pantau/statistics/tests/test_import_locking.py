"""An import keeps other writers waiting only while it writes (issue 14, item 4): the file is
parsed, checked, compared with the stored values and staged without any lock, and the write
lock (SQLite's database lock, PostgreSQL's country-year advisory lock) is taken only for the
final set-based write. What the comparison relied on is checked again under the lock.

Real locks, taken by a second connection (pantau.core.tests.contention), at the end of the
import's checking pass (its progress callback): no mocks."""

from django.db import connections

from pantau.audit.services import verify
from pantau.core.tests.contention import contended_db, sqlite_template  # noqa: F401

from ..ingest import pipeline
from ..locks import country_year_key
from ..models import DataValue, DataValueHistory
from .factories import GOOD_ROWS, write_csv


def _other_writer_gets_the_lock(contended_db) -> bool:  # noqa: F811
    """Whether another connection can take the write lock of Thailand's 2020 values now,
    within the busy timeout (0.3 s)."""
    if contended_db.sqlite_file is not None:
        import sqlite3

        raw = sqlite3.connect(contended_db.sqlite_file, isolation_level=None, timeout=0.3)
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        finally:
            raw.close()
    import psycopg

    s = connections["default"].settings_dict
    with psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
    ) as raw:
        row = raw.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [country_year_key("TH", 2020)]
        ).fetchone()
        raw.rollback()
        return bool(row and row[0])


def test_other_writers_are_not_kept_waiting_while_a_file_is_checked(contended_db, people, tmp_path):  # noqa: F811
    seen: list[bool] = []

    def progress(phase, done, total):
        if phase == "check" and done == total:  # every row checked, compared and staged
            seen.append(_other_writer_gets_the_lock(contended_db))

    result = pipeline.run_import(
        acting_user=people.th_focal,
        path=write_csv(tmp_path / "th.csv", GOOD_ROWS),
        progress=progress,
    )

    assert seen == [True]
    assert result.ok, result.problems
    assert result.counts == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert DataValue.objects.count() == 5
    assert verify().ok


def test_a_value_published_while_the_file_was_checked_is_not_overwritten(
    contended_db,  # noqa: F811
    people,
    tmp_path,
):
    """The comparison ran without the lock: a draft it saw may be published before the write.
    The write checks it under the lock (a focal point's import never replaces a published
    value) and the import fails, writing nothing."""
    pipeline.run_import(acting_user=people.th_focal, path=write_csv(tmp_path / "a.csv", GOOD_ROWS))
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][8] = "1"

    def publish_meanwhile(phase, done, total):
        if phase == "check" and done == total:
            DataValue.objects.filter(drug="METH_TABLET").update(status="published")

    result = pipeline.run_import(
        acting_user=people.th_focal,
        path=write_csv(tmp_path / "b.csv", rows),
        progress=publish_meanwhile,
    )

    assert not result.ok
    assert "by someone else during the import" in result.problems[0].message
    assert DataValue.objects.get(drug="METH_TABLET").obs_value == 361_000_000
    assert not DataValueHistory.objects.exists()


def test_the_staging_tables_are_gone_after_an_import(contended_db, people, tmp_path):  # noqa: F811
    """Staged outside the transaction, the temporary tables are dropped by the import itself,
    whether it wrote or was refused."""
    pipeline.run_import(acting_user=people.th_focal, path=write_csv(tmp_path / "a.csv", GOOD_ROWS))
    bad = [list(r) for r in GOOD_ROWS]
    bad[0][8] = "many"
    refused = pipeline.run_import(
        acting_user=people.th_focal, path=write_csv(tmp_path / "b.csv", bad)
    )
    assert not refused.ok
    with connections["default"].cursor() as cursor:
        if connections["default"].vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE name LIKE 'pantau_import%'")
        else:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relname LIKE 'pantau_import%%' "
                "AND relpersistence = 't' AND pg_table_is_visible(oid)"
            )
        assert cursor.fetchall() == []
