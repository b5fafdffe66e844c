"""Writing an import set-based. The checking pass puts every new observation and every changed
one in two temporary tables of the import's connection (PostgreSQL: COPY; SQLite: one prepared
INSERT for many rows); nothing of the values' tables is touched until every row of the file has
been checked. Then a few INSERT ... SELECT and UPDATE ... FROM statements write them, in the
import's transaction: the database does per-row work that Python would do hundreds of times
slower.

The stored values a file is compared with are read per Member State and year (`stored`)
without a lock, and the temporary tables are filled outside any transaction: other writers are
not kept waiting while a file is read (on SQLite a write transaction locks the whole database).
The writing, under the country-year locks (`lock_country_year`), checks what the comparison
relied on: a changed value must still be at the version that was compared and, unless the
import publishes, still a draft (else `Conflict`), and a new one must not exist yet (the key's
unique index)."""

from collections.abc import Callable, Iterable
from itertools import chain

from django.db import DatabaseError, IntegrityError, connection

from ..choices import DataStatus
from ..models import DataValue, DataValueHistory
from .validation import Observation

# The fields of an observation tuple, in order.
OBSERVATION_FIELDS: tuple[str, ...] = Observation._fields

# What a stored value is read with, after its key (one string, made by the database: fewer
# objects to build a row; see validation.extended): what the comparison and the writing need.
STORED_FIELDS = (
    "id",
    "version",
    *OBSERVATION_FIELDS[12:],  # obs_value, reported_unit, reported_value, obs_status, comment
    "source",
    "status",
    "is_derived",
)
STORED_ID, STORED_VERSION = 1, 2
STORED_VALUES = slice(3, 8)  # compared with observation[12:17]
STORED_SOURCE, STORED_STATUS, STORED_DERIVED = 8, 9, 10
# The observation's fields an import writes on a changed value.
VALUE_FIELDS = OBSERVATION_FIELDS[12:]

# Rows sent to the temporary tables per statement, and written per statement (the writing
# reports its progress per chunk).
BATCH_SIZE = 5000
CHUNK_SIZE = 20_000
# SQLite: rows staged per INSERT statement (fewer when the build allows fewer parameters).
ROWS_PER_STATEMENT = 500
NEW_TABLE, CHANGED_TABLE = "pantau_import_new", "pantau_import_changed"

ProgressCallback = Callable[[str, int, int | None], None]


class Conflict(Exception):
    """Values of the file were written by someone else while it was imported."""


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model, names: Iterable[str]) -> list[str]:
    """The database columns of model fields (by field name or attname)."""
    by_name = {}
    for f in model._meta.concrete_fields:
        by_name[f.name] = by_name[f.attname] = f.column
    return [by_name[name] for name in names]


def stored(ref_area: str, year: int) -> dict[str, tuple]:
    """The stored values of an area and year, by key string: tuples of the key, then
    STORED_FIELDS."""
    table = _q(DataValue._meta.db_table)
    columns = ", ".join(_q(c) for c in _columns(DataValue, ("key", *STORED_FIELDS)))
    area, year_column = (_q(c) for c in _columns(DataValue, ("ref_area", "year")))
    with connection.cursor() as cursor:
        cursor.execute(
            # Quoted names from the model; the area and year are parameters.
            f"SELECT {columns} FROM {table} "  # noqa: S608  # nosec B608
            f"WHERE {area} = %s AND {year_column} = %s",
            [ref_area, year],
        )
        return {row[0]: row for row in cursor.fetchall()}


class Staging:
    """The two temporary tables of an import: new observations (`add_new`) and changed ones
    (`add_changed`: the stored value's id and version, and the new texts)."""

    def __init__(self) -> None:
        self.new: list[tuple] = []
        self.changed: list[tuple] = []
        self.new_count = 0
        self.changed_count = 0
        postgres = connection.vendor == "postgresql"
        self._postgres = postgres
        seq = (
            "seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            if postgres
            else "seq INTEGER PRIMARY KEY"
        )
        text, real, integer = (
            ("text", "double precision", "bigint") if postgres else ("TEXT", "REAL", "INTEGER")
        )
        types = {
            "indicator_id": integer,
            "year": integer,
            "obs_value": real,
            "reported_value": real,
        }
        new_columns = ", ".join(f"{name} {types.get(name, text)}" for name in OBSERVATION_FIELDS)
        changed_columns = ", ".join(f"{name} {types.get(name, text)}" for name in VALUE_FIELDS)
        # Filled outside the write's transaction: the tables last until `drop`.
        end = ""
        with connection.cursor() as cursor:
            for table in (NEW_TABLE, CHANGED_TABLE):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {NEW_TABLE} ({seq}, {new_columns}){end}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {CHANGED_TABLE} (value_id {integer} PRIMARY KEY, "
                f"version {integer}, {changed_columns}){end}"
            )

    def add_new(self, observation: tuple) -> None:
        self.new.append(observation[: len(OBSERVATION_FIELDS)])
        if len(self.new) >= BATCH_SIZE:
            self._flush_new()

    def add_changed(self, value_id: int, version: int, observation: tuple) -> None:
        self.changed.append((value_id, version, *observation[12 : len(OBSERVATION_FIELDS)]))
        if len(self.changed) >= BATCH_SIZE:
            self._flush_changed()

    def flush(self) -> None:
        self._flush_new()
        self._flush_changed()

    def _flush_new(self) -> None:
        self._send(NEW_TABLE, OBSERVATION_FIELDS, self.new)
        self.new_count += len(self.new)
        self.new.clear()

    def _flush_changed(self) -> None:
        self._send(CHANGED_TABLE, ("value_id", "version", *VALUE_FIELDS), self.changed)
        self.changed_count += len(self.changed)
        self.changed.clear()

    def _send(self, table: str, names: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self._postgres:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # Outside a transaction, one savepoint (a deferred transaction, which locks only the
            # connection's temporary database) makes the batch one write instead of one a row.
            own = not connection.in_atomic_block
            if own:
                cursor.execute("SAVEPOINT pantau_staging")
            # Many rows a statement: executemany's per-row reset and bind cost more than the
            # insert itself (bench/README.md, "Staged many rows a statement"). Sent with
            # sqlite3's own placeholders: Django's would rewrite thousands of them a statement.
            per = ROWS_PER_STATEMENT
            if connection.features.max_query_params:
                per = max(1, min(per, connection.features.max_query_params // len(names)))
            row_marks = "(" + ", ".join(["?"] * len(names)) + ")"

            def insert(count: int) -> str:
                # Fixed table and column names; every value is a parameter.
                return (
                    f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608  # nosec B608
                    f"VALUES {', '.join([row_marks] * count)}"
                )

            full = insert(per)
            with connection.wrap_database_errors:
                for start in range(0, len(rows), per):
                    part = rows[start : start + per]
                    connection.connection.execute(
                        full if len(part) == per else insert(len(part)),
                        list(chain.from_iterable(part)),
                    )
            if own:
                cursor.execute("RELEASE SAVEPOINT pantau_staging")

    def write(
        self,
        *,
        data_import_id: int | None,
        acting_user_id: int | None,
        publish: bool,
        source: str,
        now,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Write what was staged into the values' tables: the replaced values to the history,
        the changed values, then the new ones (in chunks, for the progress). Raises Conflict
        when the stored values are no longer those the file was compared with."""
        self.flush()
        total = self.new_count + self.changed_count
        if progress:
            progress("apply", 0, total)
        when = connection.ops.adapt_datetimefield_value(now)
        values_table = _q(DataValue._meta.db_table)
        with connection.cursor() as cursor:
            if self.changed_count:
                self._write_changed(
                    cursor,
                    data_import_id=data_import_id,
                    acting_user_id=acting_user_id,
                    publish=publish,
                    source=source,
                    when=when,
                )
            if progress:
                progress("apply", self.changed_count, total)
            names = (
                *OBSERVATION_FIELDS,
                "source",
                "data_import_id",
                "status",
                "is_derived",
                "is_demo",
                "version",
                "updated_at",
                "updated_by_id",
            )
            columns = ", ".join(_q(c) for c in _columns(DataValue, names))
            insert = (
                f"INSERT INTO {values_table} ({columns}) "  # noqa: S608  # nosec B608 - model names
                f"SELECT {', '.join(OBSERVATION_FIELDS)}, %s, CAST(%s AS INTEGER), %s, %s, %s, 1, "
                f"%s, CAST(%s AS INTEGER) FROM {NEW_TABLE} WHERE seq > %s AND seq <= %s"
            )
            status = DataStatus.PUBLISHED if publish else DataStatus.DRAFT
            done = 0
            while done < self.new_count:
                params = [source, data_import_id, status, False, False, when, acting_user_id]
                try:
                    cursor.execute(insert, [*params, done, done + CHUNK_SIZE])
                except IntegrityError as exc:
                    raise Conflict(
                        "values of this file were stored by someone else during the import"
                    ) from exc
                done = min(done + CHUNK_SIZE, self.new_count)
                if progress:
                    progress("apply", self.changed_count + done, total)

    def _write_changed(
        self, cursor, *, data_import_id, acting_user_id, publish: bool, source: str, when
    ) -> None:
        values_table = _q(DataValue._meta.db_table)
        id_column, version_column = (_q(c) for c in _columns(DataValue, ("id", "version")))
        kept = (
            *VALUE_FIELDS,
            "version",
            "source",
            "status",
            "is_derived",
            "data_import_id",
            "updated_at",
            "updated_by_id",
        )
        history = _q(DataValueHistory._meta.db_table)
        history_columns = ", ".join(
            _q(c)
            for c in _columns(
                DataValueHistory, ("value_id", *kept, "replaced_at", "replaced_by_import_id")
            )
        )
        stored_columns = ", ".join(f"d.{_q(c)}" for c in _columns(DataValue, ("id", *kept)))
        status_column = _q(_columns(DataValue, ("status",))[0])
        # Compared without the lock: a value published since then is replaced only by a
        # publishing import (publication does not move a value's version).
        still_draft = "" if publish else f" AND d.{status_column} = '{DataStatus.DRAFT}'"
        matching = (
            f"FROM {values_table} d JOIN {CHANGED_TABLE} c "
            f"ON d.{id_column} = c.value_id AND d.{version_column} = c.version{still_draft}"
        )
        # Fixed and quoted model names; the values are parameters.
        cursor.execute(
            f"INSERT INTO {history} ({history_columns}) "  # nosec B608
            f"SELECT {stored_columns}, %s, CAST(%s AS INTEGER) {matching}",
            [when, data_import_id],
        )
        if cursor.rowcount != self.changed_count:
            raise Conflict("values of this file were changed by someone else during the import")
        assignments = [
            f"{_q(column)} = c.{name}"
            for column, name in zip(_columns(DataValue, VALUE_FIELDS), VALUE_FIELDS, strict=True)
        ]
        set_too: list[tuple[str, object]] = [
            *([("source", source)] if source else []),
            *([("status", DataStatus.PUBLISHED)] if publish else []),
            ("is_derived", False),
            ("data_import_id", data_import_id),
            ("updated_at", when),
            ("updated_by_id", acting_user_id),
        ]
        names = [name for name, _ in set_too]
        assignments += [f"{_q(c)} = %s" for c in _columns(DataValue, names)]
        params = [value for _, value in set_too]
        assignments.append(f"{version_column} = {values_table}.{version_column} + 1")
        cursor.execute(
            f"UPDATE {values_table} SET {', '.join(assignments)} "  # noqa: S608  # nosec B608
            f"FROM {CHANGED_TABLE} c WHERE {values_table}.{id_column} = c.value_id "
            f"AND {values_table}.{version_column} = c.version",
            params,
        )
        if cursor.rowcount != self.changed_count:
            raise Conflict("values of this file were changed by someone else during the import")

    def drop(self) -> None:
        """Temporary tables last for the connection's life: drop them (a connection that
        failed takes them with it)."""
        try:
            with connection.cursor() as cursor:
                for table in (NEW_TABLE, CHANGED_TABLE):
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
        except DatabaseError:
            pass
