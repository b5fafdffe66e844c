"""`pantau sdmx structure export FILE` and `pantau sdmx structure import FILE`: the statistics
metadata as an SDMX-ML 2.1 structure message (codelists, concept scheme, data structure
definition, dataflow), and the dimension codelists read back from one."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pantau.core.exceptions import PermissionDenied

from ...metadata import sdmx as structure
from ...metadata.services import MetadataError


class Command(BaseCommand):
    help = (
        "SDMX structure of the statistics: `structure export FILE` writes the codelists and "
        "the data structure definition as SDMX-ML 2.1; `structure import FILE` updates the "
        "dimension codelists (DRUG, SEX...) from such a message (administrators; audited)."
    )

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="structure")
        actions = kinds.add_parser("structure", help="codelists and data structure definition")
        actions = actions.add_subparsers(dest="action", required=True, metavar="export|import")
        export = actions.add_parser("export", help="write the structure message to FILE")
        export.add_argument("file", help="the SDMX-ML file to write ('-': standard output)")
        load = actions.add_parser("import", help="update the dimension codelists from FILE")
        load.add_argument("file")
        load.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Import with this user's rights (an administrator; default: the operator)",
        )

    def handle(self, *args, kind, action, file, **options):
        if action == "export":
            self._export(file)
        else:
            self._import(file, options.get("as_user"))

    def _export(self, file: str) -> None:
        xml = structure.export_structure()
        if file == "-":
            self.stdout.write(xml.decode())
            return
        Path(file).write_bytes(xml)
        self.stdout.write(f"{file}: SDMX structure message written ({len(xml)} bytes).")

    def _import(self, file: str, as_user: str | None) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        acting_user = None
        if as_user:
            try:
                acting_user = get_user_model().objects.get(username=as_user, is_active=True)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No active user {as_user!r}") from exc
        try:
            imported = structure.import_structure(
                acting_user=acting_user if as_user else "pantau sdmx structure import",
                path=path,
                system=not as_user,
            )
        except structure.StructureError as exc:
            raise CommandError(str(exc)) from exc
        except MetadataError as exc:
            for problem in exc.problems:
                self.stdout.write(f"{file}: {problem}")
            raise CommandError(
                f"{file}: {len(exc.problems)} problem(s); nothing was changed."
            ) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        result = imported.result
        for label in result.created:
            self.stdout.write(f"created {label}")
        for label in result.updated:
            self.stdout.write(f"updated {label}")
        if imported.kept:
            self.stdout.write("kept (not in the file, never deleted): " + ", ".join(imported.kept))
        self.stdout.write(
            f"{file}: codelists {', '.join(imported.codelists)}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {result.unchanged} unchanged."
        )
