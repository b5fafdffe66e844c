from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from pantau.core.actors import SystemActor
from pantau.workplan.catalogue import CatalogueError, read_catalogue
from pantau.workplan.services import load_catalogue


class Command(BaseCommand):
    help = "Work Plan catalogues: `catalogue load FILE` creates or updates a plan from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "check"])
        parser.add_argument("file")

    def handle(self, *args, action, file, **options):
        try:
            spec = read_catalogue(file)
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except CatalogueError as exc:
            raise CommandError(
                "\n".join([f"{file}: {len(exc.problems)} problem(s)", *exc.problems])
            ) from exc
        leaves = sum(1 for a in spec.activities if a.is_reportable)
        summary = (
            f"{spec.plan['code']}: {len(spec.sections)} sections, {len(spec.components)} "
            f"components, {sum(1 for a in spec.activities if not a.parent_code)} activities, "
            f"{leaves} reportable"
        )
        if action == "check":
            self.stdout.write(f"{file}: valid ({summary})")
            return
        try:
            result = load_catalogue(
                acting_user=SystemActor("pantau catalogue load"), spec=spec, system=True
            )
        except CatalogueError as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        except ProtectedError as exc:
            codes = sorted(
                {o.activity.code for o in exc.protected_objects if hasattr(o, "activity")}
            )[:20]
            raise CommandError(
                f"{file}: nothing loaded. The file removes activities that country reports already "
                f"use ({', '.join(codes)}); keep them in the file or retire the plan instead."
            ) from exc
        if not result.changed:
            self.stdout.write(f"{summary}: already up to date, nothing changed.")
        else:
            self.stdout.write(
                f"{summary}: {len(result.created)} created, {len(result.updated)} "
                f"updated, {len(result.deleted)} deleted."
            )
