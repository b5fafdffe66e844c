import os
import shutil
import sqlite3

# The operator's command: it runs pg_dump (fixed arguments, from settings) and nothing else.
import subprocess  # nosec B404
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": db.get("HOST") or "",
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": db.get("USER") or "",
            "PGDATABASE": db["NAME"],
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    # DATABASE_URL=...?sslmode=require reaches Django as OPTIONS; the client tools need it too.
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: an online copy; PostgreSQL: pg_dump custom format) "
        "and the uploaded files beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "target", nargs="?", help="Folder to write into (default var/backups/<time>)"
        )

    def handle(self, *args, target, **options):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        folder = Path(target or settings.VAR_DIR / "backups" / stamp)
        folder.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            out = folder / "pantau.sqlite3"
            # The backup API copies a consistent snapshot while the server keeps running.
            with (
                sqlite3.connect(settings.DATABASES["default"]["NAME"]) as src,
                sqlite3.connect(out) as dst,
            ):
                src.backup(dst)
        elif connection.vendor == "postgresql":
            out = folder / "pantau.dump"
            if shutil.which("pg_dump") is None:
                raise CommandError("pg_dump is not installed (Debian package postgresql-client)")
            # pg_dump from the operator's PATH (checked above); no shell, no user input.
            done = subprocess.run(  # nosec B603 B607
                ["pg_dump", "--format=custom", f"--file={out}"], env=pg_env()
            )
            if done.returncode != 0:
                raise CommandError(f"pg_dump failed (exit {done.returncode}); {out} is incomplete")
        else:
            raise CommandError(f"No backup method for {connection.vendor}")
        if Path(settings.MEDIA_ROOT).exists():
            shutil.copytree(settings.MEDIA_ROOT, folder / "media", dirs_exist_ok=True)
        self.stdout.write(str(folder))
