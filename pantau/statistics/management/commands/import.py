"""`pantau import FILE`: import a statistics file from the command line, with a progress bar
and a report naming every problem as file:line: column: message."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pantau.accounts.models import User
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied

from ...ingest.pipeline import ImportDenied, run_import

PHASES = {"check": "Checking", "apply": "Writing"}


class Command(BaseCommand):
    help = (
        "Import statistics from a long CSV or XLSX file (SDMX-CSV column names). Every row is "
        "checked first; then all rows are written in one transaction, or none. Exit status 1 "
        "when the file has problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, write no value"
        )
        parser.add_argument("--source", default="", help="Where the figures were published")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the values directly (figures already published elsewhere; "
            "administrators only, with --source)",
        )
        parser.add_argument(
            "--reference",
            action="store_true",
            help="The file is a published reference table (with --source): kept apart, for the "
            "cross-source check, never as national figures (ASEAN Secretariat)",
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Import with this user's rights (default: the operator, with every right)",
        )

    def handle(self, *args, file, dry_run, source, publish, reference, as_user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        acting_user: User | SystemActor = SystemActor("pantau import")
        if as_user:
            try:
                acting_user = get_user_model().objects.get(username=as_user, is_active=True)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No active user {as_user!r}") from exc
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as bar:
            tasks: dict[str, object] = {}

            def progress(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
                bar.update(tasks[phase], completed=done, total=total)  # type: ignore[arg-type]

            try:
                result = run_import(
                    acting_user=acting_user,
                    system=not as_user,
                    path=path,
                    file_name=path.name,
                    dry_run=dry_run,
                    source=source,
                    publish=publish,
                    reference=reference,
                    progress=progress,
                )
            except ImportDenied as exc:
                lines = [problem.format(file) for problem in exc.problems]
                raise CommandError(
                    "\n".join([*lines, f"{file}: {exc} Nothing was written."])
                ) from exc
            except (PermissionDenied, ValueError) as exc:
                raise CommandError(str(exc)) from exc

        counts = result.counts
        for problem in result.problems:
            self.stdout.write(problem.format(file))
        if result.problem_count > len(result.problems):
            self.stdout.write(
                f"... and {result.problem_count - len(result.problems)} more problems "
                f"(the first {len(result.problems)} are shown)"
            )
        if not result.ok:
            raise CommandError(
                f"{file}: {result.problem_count} problem(s) in {counts.get('rows', 0)} rows; "
                "nothing was written.",
                returncode=1,
            )
        summary = (
            f"{file}: {counts['rows']} rows: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged"
        )
        if dry_run:
            self.stdout.write(f"{summary} (dry run: nothing was written).")
        else:
            state = (
                f"reference figures of {source!r}"
                if reference
                else "published"
                if publish
                else "draft"
            )
            self.stdout.write(f"{summary}; values are {state} (import #{result.data_import.pk}).")
