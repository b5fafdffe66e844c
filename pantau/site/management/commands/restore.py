import contextlib
import shutil
import sqlite3

# The operator's command: it runs psql and pg_restore (fixed arguments) and nothing else.
import subprocess  # nosec B404
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import pg_env

# Runs in the restore's transaction, before the dump: drops every table, view, sequence and
# function of the current schema, so that the database ends up exactly as backed up.
# (`pg_restore --clean` drops only what the dump contains: a table created by a newer
# migration would survive the restore while django_migrations says it does not exist, and the
# next `migrate` would fail.) Objects that belong to extensions are left alone.
CLEAR_SCHEMA = """
SET client_min_messages = warning;
DO $$
DECLARE
  statements text[];
  statement text;
BEGIN
  -- Every name is read before anything is dropped (CASCADE drops dependents on the way).
  -- Tables before sequences: an identity column's sequence can only go with its table.
  SELECT coalesce(array_agg(s ORDER BY rank), '{}') INTO statements FROM (
    SELECT CASE c.relkind WHEN 'S' THEN 2 ELSE 1 END AS rank, format('DROP %s IF EXISTS %s CASCADE',
             CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
               WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
             c.oid::regclass) AS s
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('v', 'm', 'r', 'p', 'f', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 3, format('DROP %s IF EXISTS %s CASCADE',
             CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
             p.oid::regprocedure)
    FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  ) AS drops;
  FOREACH statement IN ARRAY statements LOOP
    EXECUTE statement;
  END LOOP;
END $$;
"""


class Command(BaseCommand):
    help = "Restore a folder written by `pantau backup` over the current database (asks first)."

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, source, yes, **options):
        folder = Path(source)
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a backup folder")
        if not yes:
            try:
                answer = input(f"Replace the current database with {folder}? [y/N] ")
            except EOFError:  # no terminal (cron, a pipe): never restore without --yes
                answer = ""
            if answer.strip().lower() != "y":
                raise CommandError("Cancelled; nothing changed.")
        connection.close()
        if connection.vendor == "sqlite":
            dump = folder / "pantau.sqlite3"
            if not dump.exists():
                raise CommandError(f"{dump}: missing (was this backup taken from SQLite?)")
            # The backup API replaces the whole file's content, page by page, in one step.
            with (
                sqlite3.connect(dump) as src,
                sqlite3.connect(settings.DATABASES["default"]["NAME"]) as dst,
            ):
                src.backup(dst)
        elif connection.vendor == "postgresql":
            dump = folder / "pantau.dump"
            if not dump.exists():
                raise CommandError(f"{dump}: missing (was this backup taken from PostgreSQL?)")
            self.restore_postgresql(dump)
        else:
            raise CommandError(f"No restore method for {connection.vendor}")
        if (folder / "media").exists():
            shutil.copytree(folder / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
        self.stdout.write(f"Restored {folder}. Run `pantau audit verify` to check the log.")

    def restore_postgresql(self, dump: Path) -> None:
        for tool in ("pg_restore", "psql"):
            if shutil.which(tool) is None:
                raise CommandError(f"{tool} is not installed (Debian package postgresql-client)")
        env = pg_env()
        # psql runs CLEAR_SCHEMA and the SQL that pg_restore streams out of the dump in one
        # transaction, and COMMIT is sent only once pg_restore has read the whole dump: a
        # truncated dump or a failing statement leaves the database as it was.
        # psql and pg_restore from the operator's PATH (checked above); no shell, and the only
        # argument from outside is the dump's path, which the operator gave.
        psql = subprocess.Popen(  # nosec B603 B607
            ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--output=/dev/null"],
            env=env,
            stdin=subprocess.PIPE,
        )
        assert psql.stdin is not None
        with subprocess.Popen(  # nosec B603 B607
            ["pg_restore", "--no-owner", "--file=-", str(dump)], env=env, stdout=subprocess.PIPE
        ) as sql:
            assert sql.stdout is not None
            try:
                psql.stdin.write(f"BEGIN;\n{CLEAR_SCHEMA}\n".encode())
                shutil.copyfileobj(sql.stdout, psql.stdin)
                sql.wait()
                if sql.returncode == 0:
                    psql.stdin.write(b"COMMIT;\n")
                psql.stdin.close()
            except BrokenPipeError:  # psql stopped at an error and rolled back
                sql.kill()
                with contextlib.suppress(BrokenPipeError):
                    psql.stdin.close()
        psql.wait()
        if sql.returncode != 0 or psql.returncode != 0:
            raise CommandError(
                f"Restore of {dump} failed (pg_restore exit {sql.returncode}, psql exit "
                f"{psql.returncode}); the database was left as it was."
            )
