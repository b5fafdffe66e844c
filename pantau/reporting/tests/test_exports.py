"""Exports of the filled Work Plan: XLSX and PDF, public, from approved country reports only."""

import datetime
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from pantau.reporting import exports, services
from pantau.reporting.models import ReportingCycle
from pantau.workplan.models import Activity, Component, WorkPlan

pytestmark = pytest.mark.django_db

YEAR = 2024
XLSX = f"/workplan/2016-2025/status/{YEAR}.xlsx"
PDF = f"/workplan/2016-2025/status/{YEAR}.pdf"
# Thailand and Malaysia approved and published; Singapore only validated, so it must never
# count. (Approved but unpublished reports never reach the public: test_public_visibility.py.)
STATUSES = {
    "TH": {"15.b.ii": "completed", "1.a": "completed", "8": "ongoing"},
    "MY": {"15.b.ii": "in_progress", "1.a": "completed"},
    "SG": {"15.b.ii": "not_started", "1.a": "not_started", "8": "not_started"},
}
SUMMARY_15_B_II = "In progress in 1 of 10 Member States; completed in 1"


@pytest.fixture
def cycle(make_user):
    secretariat, asod = make_user("secretariat"), make_user("asod_reviewer")
    cycle = services.open_cycle(
        acting_user=secretariat,
        plan=WorkPlan.objects.get(code="2016-2025"),
        year=YEAR,
        deadline=datetime.date(YEAR + 1, 3, 31),
    )
    for state, statuses in STATUSES.items():
        approver = make_user("approver", state)
        report = cycle.reports.get(member_state__code=state)
        for code, status in statuses.items():
            entry = report.entries.get(activity__code=code)
            services.save_entry(acting_user=approver, entry=entry, version=1, status=status)
        steps = [("submit", approver), ("validate", secretariat)]
        if state != "SG":
            steps += [("approve", asod), ("publish", secretariat)]
        for action, actor in steps:
            report = services.transition(
                acting_user=actor, report=report, action=action, empty_reason="test"
            )
    return cycle


def workbook(client, url: str = XLSX) -> Workbook:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def row_of(sheet, code: str, column: int) -> list:
    rows = [r for r in sheet.iter_rows(values_only=True) if r[column] == code]
    assert len(rows) == 1, code
    return list(rows[0])


def header_of(sheet, first: str) -> list:
    return next(list(r) for r in sheet.iter_rows(values_only=True) if r[0] == first)


def banner(sheet) -> str:
    return " ".join(str(sheet.cell(row=r, column=1).value or "") for r in range(1, 4))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_counts_approved_reports_per_status(client, cycle):
    book = workbook(client)
    sheet = book.worksheets[0]
    header = header_of(sheet, "No.")
    assert header[:5] == ["No.", "Components", "Code", "Activities", "Implementation Status"]
    row = dict(zip(header, row_of(sheet, "15.b.ii", 2), strict=True))
    assert row["Completed"] == 1
    assert row["In progress"] == 1
    assert row["Not started"] == 0  # Singapore's report is validated, not approved
    assert row["No status or no approved report"] == 8
    assert row["Implementation Status"] == SUMMARY_15_B_II
    text = Activity.objects.get(plan__code="2016-2025", code="15.b.ii").text
    assert row["Activities"] == f"ii. {text}"

    one_a = dict(zip(header, row_of(sheet, "1.a", 2), strict=True))
    assert one_a["Completed"] == 2
    assert one_a["Implementation Status"] == "Completed in 2 of 10 Member States"
    # Every reportable activity has its row, and 15.b its heading row.
    codes = [r[2] for r in sheet.iter_rows(values_only=True)]
    reportable = Activity.objects.filter(plan__code="2016-2025").reportable()
    assert set(reportable.values_list("code", flat=True)) <= set(codes)
    assert "15.b" in codes

    assert str(YEAR) in banner(sheet)
    assert "approved country reports only" in banner(sheet)
    assert "2 of 10 Member States have an approved report" in banner(sheet)
    assert "Illustrative" not in banner(sheet)


def test_xlsx_keeps_the_plan_layout(client, cycle):
    sheet = workbook(client).worksheets[0]
    values = [r for r in sheet.iter_rows(values_only=True)]
    sections = [r[0] for r in values if isinstance(r[0], str) and r[0].startswith("I. ")]
    assert sections == ["I. GENERAL (responsible: ASOD)"]
    # Component 15's cells span its activities, sub-activity headings and sub-activities.
    span = Activity.objects.filter(plan__code="2016-2025", component__number=15).count()
    assert span > len({"15.a", "15.b", "15.b.i", "15.b.ii", "15.b.iii", "15.b.iv"})
    merged = {str(m) for m in sheet.merged_cells.ranges}
    first = next(i for i, r in enumerate(values, start=1) if r[2] == "15.a")
    assert f"A{first}:A{first + span - 1}" in merged
    assert f"B{first}:B{first + span - 1}" in merged
    heading = next(r for r in values if r[2] == "15.b")
    assert heading[3] == "b. Treatment and Rehabilitation Modality"
    assert heading[4:] == (None,) * len(heading[4:])  # a heading has no status of its own
    assert sheet.cell(row=first, column=1).value == 15
    assert sheet.cell(row=first, column=2).value.startswith("Increase access to treatment")


def test_xlsx_matrix_of_member_states_and_activities(client, cycle):
    sheet = workbook(client).worksheets[1]
    header = header_of(sheet, "Code")
    codes = [h[-3:-1] for h in header[2:]]
    assert codes == ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]
    assert "Thailand (TH)" in header
    report = dict(zip(header, row_of(sheet, "Country report", 1), strict=True))
    assert report["Thailand (TH)"] == "approved"
    assert report["Singapore (SG)"] == "no approved report"
    row = dict(zip(header, row_of(sheet, "15.b.ii", 0), strict=True))
    assert row["Thailand (TH)"] == "Completed"
    assert row["Malaysia (MY)"] == "In progress"
    assert row["Singapore (SG)"] is None
    # An approved report that leaves an activity empty says so.
    assert dict(zip(header, row_of(sheet, "8", 0), strict=True))["Malaysia (MY)"] == "not reported"


def test_xlsx_neutralises_formulas_in_text(client, cycle):
    payload = '=HYPERLINK("http://evil.example","click")'
    Component.objects.filter(plan__code="2016-2025", number=15).update(text=payload)
    sheet = workbook(client).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == payload)
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_put_keeps_formula_like_text_as_text(text):
    sheet = Workbook().active
    cell = exports.put(sheet, 1, 1, text)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert exports.put(sheet, 1, 2, "plain").quotePrefix is False


def test_demo_cycle_is_labelled(client, cycle):
    ReportingCycle.objects.filter(pk=cycle.pk).update(is_demo=True)
    book = workbook(client)
    for sheet in book.worksheets:
        assert "Illustrative demo data" in banner(sheet)
    assert "Illustrative demo data" in pdf_text(client.get(PDF).content)


def test_unknown_year_or_plan_is_404(client, cycle):
    for url in (
        f"/workplan/2016-2025/status/{YEAR - 1}.xlsx",
        f"/workplan/2016-2025/status/{YEAR - 1}.pdf",
        f"/workplan/1999-2000/status/{YEAR}.xlsx",
        f"/workplan/1999-2000/status/{YEAR}.pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_export_queries_do_not_grow_with_rows(client, cycle, django_assert_max_num_queries):
    # The outline (6), the cycle, regional status (3) and the matrix (2).
    with django_assert_max_num_queries(13):
        assert client.get(XLSX).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(PDF).status_code == 200


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_has_the_filled_table(client, cycle):
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(response.content)
    assert "15.b.ii" in text
    assert str(YEAR) in text
    assert SUMMARY_15_B_II in text
    assert "Completed in 2 of 10 Member States" in text  # 1.a
    assert "approved country reports only" in text
    assert "Treatment and Rehabilitation Modality" in text  # 15.b's heading
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Illustrative" not in text
    # Singapore's statuses (validated, not approved) appear nowhere.
    assert not re.search(r"not started in \d", text, re.IGNORECASE)
