"""`pantau review build --kind end-of-term --year 2024 --out DIR`: build a review from the
command line (the exercise is created when there is none), with a progress bar, and copy its
files to DIR."""

import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from pantau.accounts.choices import Role
from pantau.accounts.models import User
from pantau.workplan.models import WorkPlan

from ...build import STEPS, build_review
from ...choices import ExerciseKind, ReviewState
from ...models import ReviewExercise
from ...services import create_review


class Command(BaseCommand):
    help = "Review exercises: `review build --kind end-of-term --year 2024 --out DIR`."
    # A batch job that serves no URL: the system checks import the whole URLconf and the API
    # (~3 s of CPU, a fifth of a build); `pantau check`, `serve` and `migrate` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build"])
        parser.add_argument("--kind", required=True, choices=ExerciseKind.values)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--plan", default="2016-2025")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--user",
            help="The Secretariat officer the build acts as (default: the exercise's creator, "
            "else the first active Secretariat officer)",
        )

    def _user(self, username: str | None, exercise: ReviewExercise | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}")
            return user
        if exercise is not None and exercise.created_by and exercise.created_by.is_active:
            return exercise.created_by
        user = (
            User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise CommandError("No Secretariat officer to act as: name one with --user")
        return user

    def handle(self, *args, action, kind, year, plan, out, user, **options):
        work_plan = WorkPlan.objects.filter(code=plan).first()
        if work_plan is None:
            raise CommandError(f"No plan {plan!r}")
        exercise = (
            ReviewExercise.objects.filter(
                plan=work_plan, kind=kind, year=year, state=ReviewState.DRAFT
            )
            .order_by("-pk")
            .first()
        )
        actor = self._user(user, exercise)
        if exercise is None:
            exercise = create_review(acting_user=actor, kind=kind, plan=work_plan, year=year)
            self.stdout.write(f"Created review exercise {exercise.pk}: {exercise}")
        with Progress(transient=True) as bar:
            job = bar.add_task(f"Building {exercise}", total=len(STEPS))

            def progress(step: str, done: int, total: int) -> None:
                bar.update(job, completed=done, total=total, description=f"Building: {step}")

            version = build_review(acting_user=actor, exercise=exercise, progress=progress)
        out.mkdir(parents=True, exist_ok=True)
        for name in version.files.values():
            with (
                default_storage.open(name, "rb") as source,
                open(out / Path(name).name, "wb") as target,
            ):
                shutil.copyfileobj(source, target)
        self.stdout.write(
            f"Version {version.number} of review {exercise.pk}, snapshot SHA-256 "
            f"{version.snapshot_hash}; {len(version.changes)} figures changed since the version "
            f"before. Files in {out}."
        )
