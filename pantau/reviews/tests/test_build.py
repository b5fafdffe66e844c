"""Building a review of the demo data: the PDF and XLSX read back hold what the database
gives; two builds of one snapshot agree; a later change to a report changes nothing built."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from openpyxl import load_workbook
from pypdf import PdfReader

from pantau.analytics.implementation import IMPLEMENTED
from pantau.audit.models import AuditEvent
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.reviews import services
from pantau.reviews.build import build_review
from pantau.reviews.snapshot import canonical_json, content_hash
from pantau.workplan.models import Section

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEARS = (2016, 2024)


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def _data_sheets(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        # sheet1 is "About" (the generation date); the others are the data sheets.
        return {n: z.read(n) for n in names if n != "xl/worksheets/sheet1.xml"}


def _expected(plan) -> dict[str, int]:
    """The headline figures, counted straight from the database."""
    reports = CountryReport.objects.approved().filter(
        cycle__plan=plan, cycle__year__gte=YEARS[0], cycle__year__lte=YEARS[1]
    )
    entries = ActivityStatus.objects.filter(report__in=reports).filter(
        Q(status__gt="") & ~Q(status="not_applicable")
    )
    counts = entries.aggregate(
        reported=Count("id"), implemented=Count("id", filter=Q(status__in=IMPLEMENTED))
    )
    return {"reports": reports.count(), **counts}


@pytest.fixture
def review(demo, people, plan, media):
    return services.create_review(
        acting_user=people.secretariat, kind="end-of-term", plan=plan, year=2024
    )


def test_the_pdf_and_xlsx_hold_the_databases_figures(review, people, plan):
    version = build_review(acting_user=people.secretariat, exercise=review)
    expected = _expected(plan)
    assert expected["reports"] > 0 and expected["reported"] > 0
    assert (review.period_start, review.period_end) == YEARS
    assert review.milestone is not None and review.milestone.year == 2024

    text = _pdf_text(_read(version.files["pdf"]))
    for section in Section.objects.filter(plan=plan):
        assert section.title in text, section.title
    assert Section.objects.filter(plan=plan).count() == 7
    for figure in expected.values():
        assert f"{figure:,}" in text
    assert version.snapshot_hash in text.replace(" ", "") or version.snapshot_hash[:16] in text
    assert "ILLUSTRATIVE DEMO DATA" in text
    assert "Page 1 of" in text
    # Every page's running header is the title as written (no escape codes leak into it).
    reader = PdfReader(io.BytesIO(_read(version.files["pdf"])))
    assert "End-of-term review 2024" in (reader.pages[1].extract_text() or "")
    assert "u002D" not in text

    workbook = load_workbook(io.BytesIO(_read(version.files["xlsx"])))
    headline = {r[0]: r[1] for r in workbook["Headline"].iter_rows(min_row=2, values_only=True)}
    assert headline["reports_approved"] == expected["reports"]
    assert headline["activities_reported"] == expected["reported"]
    assert headline["activities_implemented"] == expected["implemented"]
    about = {r[0]: r[1] for r in workbook["About"].iter_rows(values_only=True)}
    assert about["snapshot SHA-256"] == version.snapshot_hash
    sections = [r[2] for r in workbook["Sections"].iter_rows(min_row=2, values_only=True)]
    assert sections == list(Section.objects.filter(plan=plan).values_list("title", flat=True))

    # The heat map: per component and Member State, counted straight from the database.
    assert "Heat map: implementation rate by component and Member State" in text
    reports = CountryReport.objects.approved().filter(
        cycle__plan=plan, cycle__year__gte=YEARS[0], cycle__year__lte=YEARS[1]
    )
    cells = (
        ActivityStatus.objects.filter(report__in=reports)
        .filter(Q(status__gt="") & ~Q(status="not_applicable"))
        .values_list("activity__component__number", "report__member_state__code")
        .annotate(implemented=Count("id", filter=Q(status__in=IMPLEMENTED)), reported=Count("id"))
    )
    database = {(c, s): (i, r) for c, s, i, r in cells}
    sheet = {
        (row[0], row[1]): (row[2], row[3])
        for row in workbook["Heat map"].iter_rows(min_row=2, values_only=True)
    }
    assert sheet == database and len(database) > 11

    html = _read(version.files["html"]).decode()
    assert version.snapshot_hash in html and f"{expected['reported']:,}" in html
    assert 'id="heatmap"' in html
    # The snapshot stored is the one hashed, canonical.
    assert content_hash(version.snapshot) == version.snapshot_hash
    assert canonical_json(json.loads(version.snapshot)) == version.snapshot
    assert AuditEvent.objects.filter(action="reviews.review.build").count() == 1


def test_two_builds_agree_and_a_later_change_leaves_built_files_alone(review, people):
    first = build_review(acting_user=people.secretariat, exercise=review)
    second = build_review(acting_user=people.secretariat, exercise=review)
    assert (first.number, second.number) == (1, 2)
    assert first.snapshot_hash == second.snapshot_hash
    assert first.snapshot == second.snapshot
    assert second.changes == []
    assert _data_sheets(_read(first.files["xlsx"])) == _data_sheets(_read(second.files["xlsx"]))
    built = {fmt: _read(name) for fmt, name in second.files.items()}

    # An approved report changes afterwards (as a correction would): nothing built moves.
    entry = (
        ActivityStatus.objects.filter(
            report__in=CountryReport.objects.approved().filter(cycle__year=2024),
        )
        .exclude(status__in=[*IMPLEMENTED, "not_applicable", ""])
        .select_related("report")
        .first()
    )
    ActivityStatus.objects.filter(pk=entry.pk).update(status="completed")
    assert {fmt: _read(name) for fmt, name in second.files.items()} == built

    review.refresh_from_db()
    third = build_review(acting_user=people.secretariat, exercise=review)
    assert third.number == 3 and third.snapshot_hash != second.snapshot_hash
    changed = {c["figure"] for c in third.changes}
    assert "headline.activities_implemented" in changed
    assert {fmt: _read(name) for fmt, name in second.files.items()} == built
