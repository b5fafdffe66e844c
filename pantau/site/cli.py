"""`pantau`: the console script. Everyday commands with readable help; anything else is
passed to Django's manage.py (e.g. `pantau migrate`, `pantau shell`)."""

import os
import sys

from rich.console import Console
from rich.table import Table

COMMANDS = [
    ("serve", "Serve the web application and API (granian). PORT/HOST from the environment."),
    (
        "worker",
        "Run the background worker (imports, report builds). --batch: run queue, then exit.",
    ),
    ("setup", "Load Member States, partners and the bundled Work Plan catalogues (idempotent)."),
    ("demo load", "Create the illustrative demo accounts (never in production)."),
    ("catalogue load FILE", "Create or update a Work Plan from a catalogue file (JSON)."),
    ("catalogue check FILE", "Check a catalogue file without loading it."),
    (
        "token USERNAME",
        "Print a new API token for USERNAME (--scope read|write, --days N, --name NAME).",
    ),
    ("otp code USERNAME", "Print the current two-factor code of a DEMO account (demo only)."),
    ("axes_reset", "Lift every sign-in lock (axes_reset_username USERNAME: one account's)."),
    (
        "statistics refresh-totals",
        "Rebuild the published totals the public API reads (after a bulk load outside imports).",
    ),
    ("audit verify", "Check the audit log's hash chain; exit 1 naming the first broken event."),
    ("backup [FOLDER]", "Back up the database and uploaded files."),
    ("restore FOLDER", "Restore a backup over the current database."),
    ("migrate", "Apply database migrations (any manage.py command works too)."),
]


def print_help() -> None:
    console = Console()
    console.print("[bold]pantau[/bold]: monitoring of the ASEAN Work Plan on drugs\n")
    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("command")
    table.add_column("what it does")
    for name, text in COMMANDS:
        table.add_row(f"pantau {name}", text)
    console.print(table)
    console.print(
        "\n`pantau COMMAND --help` shows a command's options. Settings come from the "
        "environment: DATABASE_URL, PANTAU_ENV, SECRET_KEY, PORT (see docs/deploy.md)."
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print_help()
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from pantau.core.request_context import new_request_id, set_request

    # One request id for the whole command: its audit events are grouped together.
    set_request(new_request_id("cli-"), "cli")
    execute_from_command_line(["pantau", *argv])


if __name__ == "__main__":
    main()
