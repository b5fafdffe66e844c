"""`pantau review build` from the command line: creates the exercise when there is none, builds
it, copies the HTML, PDF and XLSX to --out (each read back by its library), and a second run
builds a new version of the same exercise from the same snapshot."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from pantau.audit.models import AuditEvent
from pantau.reviews.models import ReviewExercise, ReviewVersion

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_command_builds_the_end_of_term_review_into_a_folder(demo, people, media, tmp_path):
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command(
        "review", "build", "--kind", "end-of-term", "--year", "2024", "--out", str(out),
        stdout=stdout,
    )  # fmt: skip
    exercise = ReviewExercise.objects.get()
    assert (exercise.kind, exercise.year) == ("end-of-term", 2024)
    # Without --user, it acts as an active Secretariat officer.
    assert exercise.created_by.role_assignments.filter(role="secretariat").exists()
    version = ReviewVersion.objects.get()
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"review-{exercise.pk}-v1.{ext}" for ext in ("html", "pdf", "xlsx"))
    pdf = PdfReader(out / f"review-{exercise.pk}-v1.pdf")
    assert len(pdf.pages) > 10
    workbook = load_workbook(out / f"review-{exercise.pk}-v1.xlsx")
    about = {r[0]: r[1] for r in workbook["About"].iter_rows(values_only=True)}
    assert about["snapshot SHA-256"] == version.snapshot_hash
    assert version.snapshot_hash in stdout.getvalue()
    assert AuditEvent.objects.filter(action="reviews.review.build").count() == 1

    # Again: the same draft exercise, a second version, the same snapshot.
    call_command(
        "review", "build", "--kind", "end-of-term", "--year", "2024", "--out", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert ReviewExercise.objects.count() == 1
    second = ReviewVersion.objects.order_by("-number").first()
    assert (second.number, second.snapshot_hash) == (2, version.snapshot_hash)


def test_the_command_refuses_an_unknown_plan_and_user_and_writes_nothing(demo, media, tmp_path):
    with pytest.raises(CommandError, match="No plan"):
        call_command(
            "review", "build", "--kind", "final-assessment", "--year", "2025",
            "--plan", "1999-2000", "--out", str(tmp_path),
        )  # fmt: skip
    with pytest.raises(CommandError, match="No active user"):
        call_command(
            "review", "build", "--kind", "final-assessment", "--year", "2025",
            "--user", "nobody", "--out", str(tmp_path),
        )  # fmt: skip
    assert not ReviewExercise.objects.exists()
    assert not list(tmp_path.iterdir())
