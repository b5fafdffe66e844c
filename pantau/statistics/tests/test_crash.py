"""Crash safety: a real `pantau import` process killed (SIGKILL) in the middle of writing leaves
the database exactly as it was before the import, with an intact audit chain; the same import
run again then applies completely.

The processes run against a database of their own, prepared the way an operator prepares one
(`pantau migrate`, `pantau setup`): a SQLite file in a temporary folder, and, when DATABASE_URL
points at PostgreSQL, a PostgreSQL database created for the test beside the test database.
The test database is never touched.

The kill comes once the import is inside its write transaction: its progress bar (rich, on a
pseudo-terminal) shows the writing pass has written rows, and the database confirms that a
writer holds an open transaction (SQLite: the write lock is taken; PostgreSQL: the importer's
backend holds a row-exclusive lock on the values table)."""

import itertools
import json
import os
import pty
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from ..metadata.services import METADATA_FILE

REPO = Path(__file__).resolve().parents[3]
PANTAU = Path(sys.executable).parent / "pantau"
COMMAND_TIMEOUT = 180
# The original ten Member States (members in every year of the big file).
STATES = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
YEARS = [2020, 2021, 2022]
BIG_STATES = STATES  # 10 states x 3 years x 6,804 arrest breakdowns = 204,120 rows
SMALL_ROWS = 40  # the small file: the big file's first keys, with other values
HEADER = "REF_AREA,TIME_PERIOD,INDICATOR,DRUG,SEX,AGE,NATIONALITY,OFFENCE,UNIT_MEASURE,OBS_VALUE\n"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WRITING = re.compile(r"Writing\D*?(\d+)/(\d+)")


# --- The database of the processes -----------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


BACKENDS = ["sqlite"] + (["postgresql"] if _postgres_url() else [])


class Database:
    """A connection to the processes' database, for reading its fingerprint."""

    def __init__(self, backend: str, env: dict[str, str], var: Path):
        self.backend = backend
        self.env = env
        self.var = var

    def query(self, sql: str) -> list[tuple]:
        if self.backend == "sqlite":
            with closing(sqlite3.connect(self.var / "pantau.sqlite3", timeout=30)) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as db:
            return db.execute(sql).fetchall()

    def writer_in_transaction(self) -> bool:
        """A writer holds an open write transaction (the importer's: nothing else runs)."""
        if self.backend == "sqlite":
            # Django's SQLite transactions are IMMEDIATE: the write lock is held from BEGIN.
            with closing(
                sqlite3.connect(self.var / "pantau.sqlite3", timeout=0, isolation_level=None)
            ) as db:
                try:
                    db.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    return "locked" in str(exc)
                db.execute("ROLLBACK")
                return False
        rows = self.query(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'statistics_datavalue' AND l.mode = 'RowExclusiveLock' "
            "AND l.granted AND l.pid <> pg_backend_pid()"
        )
        return rows[0][0] > 0


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[Database]:
    var = tmp_path / "var"
    var.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PANTAU_ENV", "FORCE_COLOR", "NO_COLOR", "TERM"}
    }
    env["PANTAU_VAR_DIR"] = str(var)
    env["TERM"] = "xterm"
    admin_url = name = ""
    if request.param == "postgresql":
        import psycopg

        base = urlsplit(_postgres_url() or "")
        name = f"pantau_crash_{secrets.token_hex(4)}"
        admin_url = urlunsplit(base._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(base._replace(path=f"/{name}"))
    try:
        db = Database(request.param, env, var)
        pantau(db, "migrate", "--noinput")
        pantau(db, "setup")
        yield db
    finally:
        if name:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pantau(db: Database, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(PANTAU), *args],
        cwd=REPO,
        env=db.env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if check:
        assert done.returncode == 0, f"pantau {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done


# --- The files -------------------------------------------------------------------------------


def arrest_keys(states: list[str]) -> Iterator[tuple[str, ...]]:
    """Every breakdown of DRUG_ARREST (drug x sex x age x nationality x offence) for `states`
    and YEARS."""
    codes = {c["code"]: [x["code"] for x in c["codes"]] for c in _metadata()["codelists"]}
    breakdowns = list(
        itertools.product(
            codes["DRUG"], codes["SEX"], codes["AGE"], codes["NATIONALITY"], codes["OFFENCE"]
        )
    )
    for state in states:
        for year in YEARS:
            for breakdown in breakdowns:
                yield (state, str(year), "DRUG_ARREST", *breakdown)


def _metadata() -> dict:
    return json.loads(METADATA_FILE.read_text())


def write_file(path: Path, keys: Iterator[tuple[str, ...]], value: Callable[[int], int]) -> int:
    n = 0
    with path.open("w") as fh:
        fh.write(HEADER)
        for n, key in enumerate(keys, start=1):
            fh.write(",".join(key) + f",PERSON,{value(n)}\n")
    return n


# --- What must not change --------------------------------------------------------------------


def fingerprint(db: Database) -> dict:
    values = db.query(
        "SELECT COUNT(*), COALESCE(SUM(obs_value), 0), COALESCE(MAX(version), 0) "
        "FROM statistics_datavalue"
    )[0]
    return {
        "values": (values[0], float(values[1]), values[2]),
        "history": db.query("SELECT COUNT(*) FROM statistics_datavaluehistory")[0],
        "imports": db.query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM statistics_dataimport")[0],
        "import_statuses": sorted(db.query("SELECT status FROM statistics_dataimport")),
        "audit": db.query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM audit_auditevent")[0],
        "audit_head": db.query("SELECT last_event_id, last_hash FROM audit_auditchainhead"),
        "verify": pantau(db, "audit", "verify").stdout.strip(),
    }


# --- Killing an import in the middle ---------------------------------------------------------


class Terminal:
    """A process on a pseudo-terminal (so rich draws its progress bar), its output collected."""

    def __init__(self, db: Database, *args: str):
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [str(PANTAU), *args],
            cwd=REPO,
            env=db.env,
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.chunks: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the process and its terminal are gone
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    def output(self) -> str:
        return ANSI.sub("", b"".join(self.chunks).decode("utf-8", "replace"))

    def written(self) -> int:
        """The rows the writing pass has reached, as its progress bar last showed."""
        found = WRITING.findall(self.output())
        return int(found[-1][0]) if found else 0

    def kill(self) -> int:
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        self.reader.join(timeout=5)
        os.close(self.master)
        return code


def kill_while_writing(db: Database, path: Path, rows: int) -> str:
    """Start `pantau import path`, SIGKILL it in its writing pass, once that has written rows
    into the values' table (the pass writes in chunks: imports.staging.CHUNK_SIZE); its
    output."""
    terminal = Terminal(db, "import", str(path))
    deadline = time.monotonic() + COMMAND_TIMEOUT
    try:
        while True:
            if terminal.proc.poll() is not None:
                pytest.fail(
                    f"the import ended (exit {terminal.proc.returncode}) before it could be "
                    f"killed; raise the file's size:\n{terminal.output()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"the import never reached its writing pass:\n{terminal.output()}")
            if 0 < terminal.written() < rows and db.writer_in_transaction():
                break
            time.sleep(0.05)
    except BaseException:
        terminal.kill()
        raise
    seen = terminal.output()
    assert terminal.kill() == -signal.SIGKILL
    return seen


@pytest.mark.slow
def test_an_import_killed_while_writing_changes_nothing(database, tmp_path):
    db = database
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    # The small file is the big file's first keys with other values: the big import updates
    # them (keeping their history) and creates the rest.
    write_file(small, itertools.islice(arrest_keys(BIG_STATES), SMALL_ROWS), lambda n: 1000 + n)
    rows = write_file(big, arrest_keys(BIG_STATES), lambda n: n % 97)
    done = pantau(db, "import", str(small))
    assert f"{SMALL_ROWS} created" in done.stdout
    before = fingerprint(db)
    assert before["values"][0] == SMALL_ROWS
    assert before["imports"][0] == 1
    assert before["verify"].startswith("Audit chain intact")

    seen = kill_while_writing(db, big, rows)
    assert "Writing" in seen

    assert fingerprint(db) == before, "the killed import left something behind"

    done = pantau(db, "import", str(big))
    assert f"{rows} rows: {rows - SMALL_ROWS} created, {SMALL_ROWS} updated" in done.stdout
    after = fingerprint(db)
    assert after["values"][0] == rows
    assert after["values"][1] == float(sum(n % 97 for n in range(1, rows + 1)))
    assert after["history"] == (SMALL_ROWS,)
    assert after["imports"][0] == 2
    assert after["import_statuses"] == [("applied",), ("applied",)]
    assert after["audit"][0] > before["audit"][0]
    assert after["verify"].startswith("Audit chain intact")
