"""The filled Work Plan: the regional status of each activity from approved reports only, on
the plan page, the per-country drill-down and the heat map; and the demo reports."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantau.audit.models import AuditEvent
from pantau.reporting.choices import ReportStatus
from pantau.reporting.models import (
    ActivityStatus,
    CountryReport,
    ReportingCycle,
    ReportTransition,
)
from pantau.reporting.querysets import regional_status

from . import factories

pytestmark = pytest.mark.django_db

PLAN_PAGE = "/workplan/2016-2025/"


@pytest.fixture
def filled_2024():
    """TH and MY published, ID validated but not yet approved: ID does not count. (Approved
    but unpublished reports count for reviewers only: test_public_visibility.py.)"""
    factories.published_report("TH", 2024, {"15.a": "completed", "1.a": "planned"})
    factories.published_report("MY", 2024, {"15.a": "in_progress"})
    factories.validated_report("ID", 2024, {"15.a": "completed", "1.a": "completed"})


def activity_row(html: str, code: str) -> str:
    """The plan table's row of one activity."""
    match = re.search(rf'<tr class="[^"]*" id="activity-{re.escape(code)}".*?</tr>', html, re.S)
    assert match, code
    return match.group(0)


def test_regional_status_counts_approved_reports_only(filled_2024):
    statuses = regional_status(AnonymousUser(), factories.plan(), 2024)

    assert statuses["15.a"].counts == {"completed": 1, "in_progress": 1}
    assert statuses["15.a"].members == 10
    assert statuses["15.a"].approved == 2
    assert statuses["1.a"].counts == {"planned": 1}
    # Nobody reported 2.a: the activity is "not reported", not missing.
    assert statuses["2.a"].counts == {}
    assert statuses["2.a"].summary == "not reported"
    assert statuses["2.a"].members == 10


def test_no_approved_report_yet(people, cycle2024):
    factories.submitted_report("TH", 2024, {"15.a": "completed"})
    statuses = regional_status(AnonymousUser(), factories.plan(), 2024)
    assert statuses["15.a"].counts == {}
    assert statuses["15.a"].summary == "no approved report yet"


def test_the_plan_page_shows_the_regional_status_of_the_year(client, filled_2024):
    page = client.get(PLAN_PAGE + "?year=2024")

    assert page.status_code == 200
    row = activity_row(page.text, "15.a")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    assert re.search(r"(In progress|Completed) in 1 of 10 Member States", text)
    assert "completed in 1" in text.lower()
    assert "in progress in 1" in text.lower()
    assert 'href="/workplan/2016-2025/status/2024/15.a/"' in row
    assert "Planned in 1 of 10 Member States" in activity_row(page.text, "1.a")
    assert "Not reported" in activity_row(page.text, "2.a")
    assert "Illustrative" not in page.text

    without_year = client.get(PLAN_PAGE)
    assert "of 10 Member States" not in without_year.text


def test_the_drill_down_lists_the_approved_countries(client, filled_2024):
    page = client.get("/workplan/2016-2025/status/2024/15.a/")

    assert page.status_code == 200
    rows = re.findall(r'<a href="/reporting/(\w\w)/2024/">', page.text)
    assert sorted(rows) == ["MY", "TH"]
    assert re.search(r"Thailand</a></td><td><span class=\"badge st-completed\">", page.text)
    assert re.search(r"Malaysia</a></td><td><span class=\"badge st-in_progress\">", page.text)
    assert "Indonesia</a>" not in page.text  # (the language switcher names Bahasa Indonesia)


def test_the_heat_map_marks_each_country_and_activity(client, filled_2024):
    page = client.get("/workplan/2016-2025/heatmap/2024/")

    assert page.status_code == 200
    assert '<td class="st-completed" title="TH 15.a: completed">' in page.text
    assert '<td class="st-in_progress" title="MY 15.a: in_progress">' in page.text
    assert '<td class="st-none" title="ID 15.a: no approved report">' in page.text
    assert '<td class="st-none" title="TH 2.a: no approved report">' in page.text
    assert len(re.findall(r'title="\w\w 15\.a: ', page.text)) == 10


def test_pages_of_a_year_without_cycle_or_outside_the_plan(client):
    assert client.get(PLAN_PAGE + "?year=2024").status_code == 200
    assert client.get("/workplan/2016-2025/heatmap/2030/").status_code == 404
    assert client.get("/workplan/2016-2025/status/2030/15.a/").status_code == 404
    assert client.get("/workplan/2016-2025/status/2024/99.z/").status_code == 404


def test_the_plan_pages_query_count_does_not_grow_with_the_reports(
    client, filled_2024, django_assert_max_num_queries
):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    paths = [PLAN_PAGE + "?year=2024", "/workplan/2016-2025/heatmap/2024/"]
    few = [queries(p) for p in paths]
    for code in ("SG", "VN", "PH", "BN", "KH"):
        factories.published_report(code, 2024, {"15.a": "completed", "2.a": "ongoing"})
    assert [queries(p) for p in paths] == few

    # 15: one of them counts the clearinghouse's published items per component (one query).
    with django_assert_max_num_queries(15):
        client.get(PLAN_PAGE + "?year=2024")


# --- the demo reports ------------------------------------------------------------------------


def test_demo_load_creates_illustrative_cycles_and_reports_once(client, make_user):
    call_command("demo", "load", stdout=StringIO())

    cycles = ReportingCycle.objects.order_by("year")
    assert list(cycles.values_list("year", flat=True)) == list(range(2016, 2026))
    assert not cycles.filter(is_demo=False).exists()
    reports = CountryReport.objects.all()
    assert not reports.filter(is_demo=False).exists()
    approved = reports.filter(cycle__year__lte=2024)
    assert approved.count() == 90
    # 2016-2023 published, 2024 approved and waiting for publication.
    assert set(approved.values_list("status", flat=True)) == {
        ReportStatus.APPROVED,
        ReportStatus.PUBLISHED,
    }
    assert set(approved.filter(cycle__year=2024).values_list("status", flat=True)) == {
        ReportStatus.APPROVED
    }
    for year in range(2016, 2025):
        assert approved.filter(cycle__year=year).count() == 10
    assert not approved.filter(member_state__code="TL").exists()
    drafts = reports.filter(cycle__year=2025)
    assert drafts.count() == 11
    assert set(drafts.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    assert not ActivityStatus.objects.filter(report__cycle__year=2025).exclude(status="").exists()
    assert not ActivityStatus.objects.filter(report__cycle__year=2024, status="").exists()

    # The demo's reports are approved; the public sees published ones only, a working group these.
    client.force_login(make_user("wg_member", None, "LE"))
    page = client.get(PLAN_PAGE + "?year=2024")
    assert "Illustrative demo statuses, not real reports." in page.text
    assert "of 10 Member States" in activity_row(page.text, "15.a")
    assert "Illustrative demo statuses" in client.get("/workplan/2016-2025/heatmap/2024/").text

    counts = (
        ReportingCycle.objects.count(),
        CountryReport.objects.count(),
        ActivityStatus.objects.count(),
        ReportTransition.objects.count(),
        AuditEvent.objects.count(),
    )
    out = StringIO()
    call_command("demo", "load", stdout=out)
    assert "Demo reporting cycles: 0 created" in out.getvalue()
    assert (
        ReportingCycle.objects.count(),
        CountryReport.objects.count(),
        ActivityStatus.objects.count(),
        ReportTransition.objects.count(),
        AuditEvent.objects.count(),
    ) == counts

    verified = StringIO()
    call_command("audit", "verify", stdout=verified)
    assert "Audit chain intact" in verified.getvalue()
