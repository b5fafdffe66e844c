import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import pg_env


class Command(BaseCommand):
    help = "Restore a folder written by `pantau backup` over the current database (asks first)."

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, source, yes, **options):
        folder = Path(source)
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a backup folder")
        if not yes and input(f"Replace the current database with {folder}? [y/N] ").lower() != "y":
            raise CommandError("Cancelled; nothing changed.")
        connection.close()
        if connection.vendor == "sqlite":
            dump = folder / "pantau.sqlite3"
            if not dump.exists():
                raise CommandError(f"{dump}: missing (was this backup taken from SQLite?)")
            with (
                sqlite3.connect(dump) as src,
                sqlite3.connect(settings.DATABASES["default"]["NAME"]) as dst,
            ):
                src.backup(dst)
        else:
            dump = folder / "pantau.dump"
            if not dump.exists():
                raise CommandError(f"{dump}: missing (was this backup taken from PostgreSQL?)")
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={settings.DATABASES['default']['NAME']}",
                    str(dump),
                ],
                env=pg_env(),
                check=True,
            )
        if (folder / "media").exists():
            shutil.copytree(folder / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
        self.stdout.write(f"Restored {folder}. Run `pantau audit verify` to check the log.")
