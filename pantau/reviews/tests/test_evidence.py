"""The reviews count the cooperation behind the statuses (issue 22, item 3): per section and
component, the events by kind, their participants and the funded projects linked to entries of
the APPROVED country reports, each counted once; a draft's links count for nothing. The PDF
says it in words, the XLSX annex holds the numbers, and one snapshot gives the same sheets."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook
from pypdf import PdfReader

from pantau.cooperation import services as coop
from pantau.core.actors import SETUP
from pantau.reporting import services as reporting
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.reviews import services
from pantau.reviews.build import build_review
from pantau.reviews.snapshot import SCHEMA

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = 2024
CODE = "15.b.ii"


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def _event(kind: str, title: str, people: list[tuple[str, int, int]]):
    return coop.create_event(
        acting_user=SETUP,
        system=True,
        organiser="TH",
        activities=[CODE],
        participants=[{"member_state": s, "female": f, "male": m} for s, f, m in people],
        kind=kind,
        title=title,
        start_date=datetime.date(YEAR, 5, 6),
        end_date=datetime.date(YEAR, 5, 8),
        is_public=False,
    )


def _project(title: str):
    coop.seed_funding_mechanisms(acting_user=SETUP)
    return coop.create_project(
        acting_user=SETUP,
        system=True,
        title=title,
        mechanism="jaif-2",
        implementers=["TH"],
        activities=[CODE],
        amount=Decimal("250000"),
        currency="USD",
        start_date=datetime.date(YEAR - 1, 1, 1),
        end_date=datetime.date(YEAR + 1, 12, 31),
    )


def _entry(report: CountryReport) -> ActivityStatus:
    return ActivityStatus.objects.get(report=report, activity__code=CODE)


@pytest.fixture
def linked(demo, people, plan, media, make_user):
    """Three trainings (214 participants) and two funded projects linked to component 15 in the
    approved reports of Thailand and Malaysia (one training linked by both: counted once),
    and a seminar linked only in a draft correction of Thailand's report."""
    approved = {
        r.member_state.code: r
        for r in CountryReport.objects.approved().filter(
            cycle__plan=plan, cycle__year=YEAR, member_state__code__in=["TH", "MY"]
        )
    }
    trainings = [
        _event("training", "Precursor control training", [("TH", 40, 30), ("MY", 10, 20)]),
        _event("training", "Port control training", [("TH", 30, 24)]),
        _event("training", "Interdiction training", [("MY", 25, 35)]),
    ]
    projects = [_project("Border liaison offices"), _project("Port control units")]
    # Links made while the reports were drafts, since approved (setup, not the service).
    _entry(approved["TH"]).events.add(*trainings[:2])
    _entry(approved["TH"]).projects.add(*projects)
    _entry(approved["MY"]).events.add(trainings[0], trainings[2])
    _entry(approved["MY"]).projects.add(projects[0])

    correction = reporting.open_correction(acting_user=people.secretariat, report=approved["TH"])
    seminar = _event("seminar", "Seminar on the draft only", [("TH", 500, 500)])
    extra = _project("Project on the draft only")
    reporting.link_cooperation_evidence(
        acting_user=make_user("focal_point", "TH"),
        entry=_entry(correction),
        events=[seminar.pk],
        projects=[extra.pk],
    )
    assert correction.status == "draft"
    return services.create_review(
        acting_user=people.secretariat, kind="end-of-term", plan=plan, year=YEAR
    )


def test_the_review_counts_approved_evidence_only(linked, people, plan):
    version = build_review(acting_user=people.secretariat, exercise=linked)
    snapshot = json.loads(version.snapshot)
    assert snapshot["schema"] == SCHEMA == 3
    component = {r["key"]: r for r in snapshot["evidence"]["component"]}
    assert set(component) == {15}
    assert component[15]["events_by_kind"] == {"training": 3}
    assert (component[15]["participants"], component[15]["projects"]) == (214, 2)
    section = snapshot["evidence"]["section"]
    assert len(section) == 1 and section[0]["participants"] == 214

    # The PDF says it in words, thousands separators and all.
    text = _pdf_text(_read(version.files["pdf"]))
    assert "Cooperation behind the statuses" in text
    assert "with 3 trainings, 214 participants, 2 funded projects" in text
    html = _read(version.files["html"]).decode()
    assert "with 3 trainings, 214 participants, 2 funded projects" in html
    assert "1,000 participants" not in html and "1 seminar" not in html

    # The XLSX annex holds the numbers.
    workbook = load_workbook(io.BytesIO(_read(version.files["xlsx"])))
    sheet = workbook["Cooperation evidence"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    by = {(r["breakdown"], r["key"]): r for r in rows}
    assert set(by) == {("section", section[0]["key"]), ("component", 15)}
    row = by[("component", 15)]
    assert (row["events"], row["training"], row["seminar"]) == (3, 3, 0)
    assert (row["participants"], row["funded projects"]) == (214, 2)


def test_same_snapshot_same_evidence_sheet_and_changes_named(linked, people, plan):
    first = build_review(acting_user=people.secretariat, exercise=linked)
    second = build_review(acting_user=people.secretariat, exercise=linked)
    assert first.snapshot_hash == second.snapshot_hash and second.changes == []

    def sheets(version) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(_read(version.files["xlsx"]))) as z:
            return {
                n: z.read(n)
                for n in z.namelist()
                if n.startswith("xl/worksheets/sheet") and n != "xl/worksheets/sheet1.xml"
            }

    assert sheets(first) == sheets(second)

    # Another training linked in an approved report: the next version names what changed.
    th = CountryReport.objects.approved().get(
        cycle__plan=plan, cycle__year=YEAR, member_state__code="TH"
    )
    _entry(th).events.add(_event("training", "One more", [("TH", 1, 2)]))
    linked.refresh_from_db()
    third = build_review(acting_user=people.secretariat, exercise=linked)
    changed = {c["figure"]: c for c in third.changes}
    assert changed["evidence.component.15"]["before"] == [3, 214, 2]
    assert changed["evidence.component.15"]["after"] == [4, 217, 2]


def test_the_chapter_in_bahasa_indonesia():
    from django.utils import translation

    from pantau.reviews.documents import _evidence

    snapshot = {
        "implementation": {
            "section": [{"key": 6, "implemented": 5}],
            "component": [{"key": 15, "implemented": 2}, {"key": 15, "implemented": 1}],
        },
        "evidence": {
            "section": [],
            "component": [
                {"key": 15, "label": "Border control", "events": 3,
                 "events_by_kind": {"training": 3}, "participants": 1214, "projects": 2},
            ],
        },
    }  # fmt: skip
    with translation.override("id"):
        assert translation.gettext("Funded projects") == "Proyek pendanaan"
        (_, sections), (_, components) = _evidence(snapshot)
        assert sections == []
        assert components[0]["summary"] == (
            "3 selesai atau berlangsung, dengan 3 pelatihan, 1,214 peserta, 2 proyek pendanaan"
        )
    (_, _), (_, components) = _evidence(snapshot)
    assert components[0]["summary"] == (
        "3 completed or ongoing, with 3 trainings, 1,214 participants, 2 funded projects"
    )
