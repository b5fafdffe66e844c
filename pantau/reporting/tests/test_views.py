"""The country report pages through the Django test client: reading, filling (with and without
htmx, with conflicts), the workflow buttons, comments, evidence, versions, the Secretariat's
dashboard and cycle opening. Refused requests change nothing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from pantau.audit.models import AuditEvent
from pantau.cooperation import services as coop
from pantau.core.actors import SETUP
from pantau.core.tests.pages import comparable_page
from pantau.reporting import services
from pantau.reporting.choices import ReportStatus
from pantau.reporting.models import (
    ActivityStatus,
    Comment,
    CountryReport,
    Evidence,
    ReportingCycle,
)

from . import factories

pytestmark = pytest.mark.django_db

REPORT = "/reporting/TH/2024/"
SECTION_IV = REPORT + "section/IV/"
ENTRY = REPORT + "entries/15.a/"
TRANSITION = REPORT + "transition/"
SECTION_IV_CODES = [
    "15.a",
    "15.b.i",
    "15.b.ii",
    "15.b.iii",
    "15.b.iv",
    "15.c.i",
    "15.c.ii",
    "15.c.iii",
    "15.d.i",
    "15.d.ii",
    "15.d.iii",
    "15.d.iv",
]
ENTRY_COLUMNS = (*services.ENTRY_FIELDS, "version", "updated_at", "updated_by_id")


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def entry_row(code: str = "15.a", state: str = "TH") -> dict:
    return (
        ActivityStatus.objects.filter(
            report__member_state__code=state, report__cycle__year=2024, activity__code=code
        )
        .values(*ENTRY_COLUMNS)
        .get()
    )


def report_row(state: str = "TH") -> dict:
    return (
        CountryReport.objects.filter(member_state__code=state, cycle__year=2024)
        .values("status", "lock_version", "returned_count", "submitted_at")
        .get()
    )


def act(client, action: str, comment: str = "", lock_version: int | None = None):
    """The workflow form as the report's page sends it: with the version the page showed."""
    seen = report_row()["lock_version"] if lock_version is None else lock_version
    data = {
        "action": action,
        "comment": comment,
        "lock_version": seen,
        "confirm": "1",
        "empty_reason": factories.EMPTY_REASON,
    }
    return client.post(TRANSITION, data, follow=True)


def entry_form(code: str = "15.a", **values) -> dict:
    """What the browser posts for one entry: every field of the form as stored, with `values`
    typed over them, and the version the page was rendered with."""
    entry = factories.entry_of(factories.report_of("TH", 2024), code)
    data = {f: getattr(entry, f) for f in services.ENTRY_FIELDS}
    data = data | {"version": entry.version} | values
    return {f"e{entry.pk}-{k}": "" if v is None else str(v) for k, v in data.items()}


def entry_codes(html: str) -> list[str]:
    return re.findall(r'<section class="entry[^"]*" id="entry-([^"]+)"', html)


def table_row(html: str, text: str) -> str:
    """The one <tr> of the page that contains `text`."""
    [row] = [r for r in html.split("<tr")[1:] if text in r.split("</tr>")[0]]
    return row.split("</tr>")[0]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- reading ---------------------------------------------------------------------------------


def test_the_focal_point_reads_the_report_and_a_section(client, people, cycle2024):
    factories.fill(factories.report_of("TH", 2024), {"15.b.ii": "planned", "1.a": "ongoing"})
    login(client, people.th_focal)

    page = client.get(REPORT)
    assert page.status_code == 200
    assert "Thailand: country report 2024" in page.text
    assert "2 of 81 activities filled" in page.text
    assert f'href="{SECTION_IV}"' in page.text

    section = client.get(SECTION_IV)
    assert section.status_code == 200
    assert entry_codes(section.text) == SECTION_IV_CODES
    assert "11 of 12 activities in this section are still empty" in section.text
    # The filled entry shows its status; its form is there to edit it.
    assert re.search(r'id="entry-15.b.ii">.*?Planned</span>', section.text, re.S)
    assert f'action="{REPORT}entries/15.b.ii/"' in section.text


def test_report_pages_query_count_does_not_grow_with_entries(
    client, people, cycle2024, media, django_assert_max_num_queries
):
    report = factories.fill(
        factories.report_of("TH", 2024), dict.fromkeys(SECTION_IV_CODES, "in_progress")
    )
    coop.seed_funding_mechanisms(acting_user=SETUP)
    for code in SECTION_IV_CODES:
        entry = factories.entry_of(report, code)
        services.add_evidence(
            acting_user=people.th_focal, entry=entry, kind="event", title=f"Event {code}"
        )
        services.add_comment(
            acting_user=people.secretariat, report=report, body=code, activity=entry.activity
        )
        services.add_comment(acting_user=people.secretariat, report=report, body=f"On {code}")
        # An event and a funded project per entry, linked: their reads do not grow either.
        training = coop.create_event(
            acting_user=SETUP,
            system=True,
            organiser="TH",
            activities=[code],
            kind="training",
            title=f"Training {code}",
            start_date=datetime.date(2024, 5, 6),
            end_date=datetime.date(2024, 5, 7),
            participants=[{"member_state": "TH", "female": 3, "male": 4}],
        )
        funded = coop.create_project(
            acting_user=SETUP,
            system=True,
            title=f"Project {code}",
            mechanism="jaif-2",
            implementers=["TH"],
            activities=[code],
        )
        services.link_cooperation_evidence(
            acting_user=people.th_focal, entry=entry, events=[training.pk], projects=[funded.pk]
        )
    login(client, people.th_focal)

    # + 4 queries: the linked events and projects, and the suggestions (issue 22).
    with django_assert_max_num_queries(18):
        section = client.get(SECTION_IV)
    with django_assert_max_num_queries(17):
        detail = client.get(REPORT)

    assert "0 of 12 activities in this section are still empty" in section.text
    assert section.text.count("Comments on 15.") == 12
    assert "12 of 81 activities filled" in detail.text


def test_another_country_gets_the_same_404_as_a_missing_report(client, people, cycle2024):
    login(client, people.th_focal)
    missing = client.get("/reporting/XX/2024/")
    no_cycle = client.get("/reporting/TH/2019/")
    assert missing.status_code == no_cycle.status_code == 404

    login(client, people.my_focal)
    missing = comparable_page(client.get("/reporting/XX/2024/"), "/reporting/XX/2024/")
    for path in (REPORT, SECTION_IV, REPORT + "diff/1/2/"):
        hidden = client.get(path)
        assert hidden.status_code == 404, path
        assert comparable_page(hidden, path) == missing, path
    assert client.get("/reporting/MY/2024/").status_code == 200


def test_anonymous_visitors_read_published_reports_only(client, people, cycle2024):
    factories.published_report("ID", 2024, {"15.a": "completed"})

    assert client.get(REPORT).status_code == 404
    assert client.get(SECTION_IV).status_code == 404
    published = client.get("/reporting/ID/2024/")
    assert published.status_code == 200
    assert "Indonesia: country report 2024" in published.text
    section = client.get("/reporting/ID/2024/section/IV/")
    assert section.status_code == 200
    assert "Read-only: the report is published." in section.text
    assert 'action="/reporting/ID/2024/entries/15.a/"' not in section.text


# --- filling ---------------------------------------------------------------------------------


def test_a_normal_post_saves_and_redirects_to_the_entry(client, people, cycle2024):
    login(client, people.th_focal)

    response = client.post(
        ENTRY,
        entry_form(
            status="completed",
            narrative="National campaign run in 2024.",
            period_start="2024-01-01",
            period_end="2024-12-31",
        ),
    )

    assert response.status_code == 302
    assert response.url == SECTION_IV + "#entry-15.a"
    row = entry_row()
    assert (row["status"], row["narrative"], row["version"]) == (
        "completed",
        "National campaign run in 2024.",
        2,
    )
    assert (row["period_start"], row["period_end"]) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert row["updated_by_id"] == people.th_focal.pk


def test_an_htmx_post_returns_the_saved_entry(client, people, cycle2024):
    login(client, people.th_approver)

    response = client.post(ENTRY, entry_form(status="in_progress"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Saved (version 2)" in response.text
    assert "<html" not in response.text
    assert 'id="entry-15a-wrap"' in response.text
    assert 'value="2"' in response.text  # the next save starts from version 2
    assert entry_row()["status"] == "in_progress"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_save_shows_both_texts_and_overwrites_nothing(client, people, cycle2024, htmx):
    mine = entry_form(narrative="My typed text about the 2024 campaign")  # rendered at version 1
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.a")
    services.save_entry(
        acting_user=people.th_approver,
        entry=entry,
        version=1,
        status="completed",
        narrative="The approver's saved text",
    )
    stored, before = entry_row(), last_event_id()
    login(client, people.th_focal)

    response = client.post(ENTRY, mine, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == 409
    assert "Somebody else saved 15.a" in response.text
    assert "The approver&#x27;s saved text" in response.text
    assert "My typed text about the 2024 campaign" in response.text
    # The form now carries the current version, so saving again is a deliberate overwrite.
    assert re.search(rf'name="e{entry.pk}-version" value="2"', response.text)
    assert entry_row() == stored
    assert last_event_id() == before


@pytest.mark.parametrize(
    ("key", "status"),
    [("my_focal", 404), ("secretariat", 403), ("asod", 403), ("anonymous", 302)],
)
def test_refused_saves_change_nothing(client, people, cycle2024, key, status):
    stored, before = entry_row(), last_event_id()
    login(client, None if key == "anonymous" else getattr(people, key))

    response = client.post(ENTRY, entry_form(status="completed", narrative="Not theirs"))

    assert response.status_code == status
    if key == "anonymous":
        assert response.url.startswith("/accounts/login/")
    assert entry_row() == stored
    assert last_event_id() == before


def test_invalid_dates_are_shown_and_not_saved(client, people, cycle2024):
    stored = entry_row()
    login(client, people.th_focal)
    response = client.post(ENTRY, entry_form(period_start="2024-06-01", period_end="2024-01-01"))
    assert response.status_code == 400
    assert "The period ends before it starts." in response.text
    assert entry_row() == stored


def test_a_submitted_report_is_read_only_on_the_page(client, people, cycle2024):
    factories.submitted_report("TH", 2024, {"15.a": "planned"})
    stored = entry_row()
    login(client, people.th_focal)

    section = client.get(SECTION_IV)
    assert "Read-only: the report is submitted." in section.text
    assert f'action="{ENTRY}"' not in section.text

    response = client.post(ENTRY, entry_form(status="completed"))
    assert response.status_code == 409
    assert entry_row() == stored


# --- the workflow ----------------------------------------------------------------------------


def test_the_focal_point_cannot_submit(client, people, cycle2024):
    stored, before = report_row(), last_event_id()
    login(client, people.th_focal)
    assert f"{REPORT}transition/submit/" not in client.get(REPORT).text

    response = act(client, "submit")

    assert response.status_code == 403
    assert report_row() == stored
    assert last_event_id() == before


def test_the_approver_submits_and_the_secretariat_returns_with_a_comment(client, people, cycle2024):
    login(client, people.th_approver)
    assert f"{REPORT}transition/submit/" in client.get(REPORT).text

    response = act(client, "submit")
    assert response.redirect_chain == [(REPORT, 302)]
    assert report_row()["status"] == ReportStatus.SUBMITTED

    login(client, people.secretariat)
    refused = act(client, "return")
    assert "a comment is required" in refused.text
    assert report_row()["status"] == ReportStatus.SUBMITTED

    act(client, "return", "Please fill section IV.")
    assert report_row()["status"] == ReportStatus.DRAFT
    assert report_row()["returned_count"] == 1

    login(client, people.th_focal)
    page = client.get(REPORT).text
    assert "returned 1 time" in page
    assert "Please fill section IV." in page


def test_a_wrong_status_action_is_explained_and_changes_nothing(client, people, cycle2024):
    stored, before = report_row(), last_event_id()
    login(client, people.secretariat)

    response = act(client, "validate")

    assert response.status_code == 200
    assert "Cannot validate a report that is draft" in response.text
    assert report_row() == stored
    assert last_event_id() == before


def test_acting_on_a_report_that_moved_since_the_page_was_opened_changes_nothing(
    client, people, cycle2024
):
    # The Secretariat opens the submitted report; meanwhile it is returned and resubmitted.
    login(client, people.th_approver)
    act(client, "submit")
    login(client, people.secretariat)
    seen = report_row()["lock_version"]
    act(client, "return", "Please fill section IV.")
    login(client, people.th_approver)
    act(client, "submit")
    stored, before = report_row(), last_event_id()

    # Validating from the page opened before: refused, named, nothing written.
    login(client, people.secretariat)
    response = act(client, "validate", lock_version=seen)

    named = f"The report changed since you opened it (submit by {people.th_approver}"
    assert named in response.text
    assert "Look at it again before you validate it." in response.text
    assert report_row() == stored
    assert last_event_id() == before
    # From the page as it is now, it goes through.
    act(client, "validate")
    assert report_row()["status"] == ReportStatus.VALIDATED


def test_the_workflow_form_without_the_version_it_was_shown_is_refused(client, people, cycle2024):
    stored, before = report_row(), last_event_id()
    login(client, people.th_approver)

    response = client.post(TRANSITION, {"action": "submit"})

    assert response.status_code == 400
    assert report_row() == stored
    assert last_event_id() == before


# --- comments --------------------------------------------------------------------------------


def test_comments_show_on_the_report_and_on_their_activity(client, people, cycle2024):
    report = factories.report_of("TH", 2024)
    login(client, people.secretariat)
    client.post(REPORT + "comments/", {"body": "Is section IV complete?"})
    question = Comment.objects.get(body="Is section IV complete?")
    login(client, people.th_focal)
    client.post(REPORT + "comments/", {"body": "Not yet, next week.", "parent": question.pk})
    response = client.post(REPORT + "comments/", {"body": "Source?", "activity": "15.a"})
    assert response.url == SECTION_IV + "#entry-15.a"

    reply = Comment.objects.get(body="Not yet, next week.")
    assert (reply.parent, reply.author, reply.report) == (question, people.th_focal, report)
    page = client.get(REPORT).text
    assert "Is section IV complete?" in page
    assert re.search(r'class="comment reply">.*?Not yet, next week\.', page, re.S)
    section = client.get(SECTION_IV).text
    assert "Comments on 15.a (1)" in section
    assert "Source?" in section
    # Each entry offers its own comment form to the people working on the report.
    assert 'name="activity" value="15.b.ii"' in section


def test_another_country_cannot_comment(client, people, cycle2024):
    login(client, people.my_focal)
    response = client.post(REPORT + "comments/", {"body": "From Malaysia"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


# --- corrections and versions ----------------------------------------------------------------


def test_the_diff_page_lists_exactly_the_changed_activities(client, people, cycle2024):
    v1 = factories.approved_report(
        "TH", 2024, {"15.a": "completed", "15.b.ii": "in_progress", "1.a": "planned"}
    )
    login(client, people.th_approver)
    response = client.post(REPORT + "correct/")
    assert response.status_code == 302
    v2 = factories.report_of("TH", 2024)
    assert (v2.version, v2.previous_id) == (2, v1.pk)
    factories.fill(v2, {"15.a": "in_progress", "2.a": "planned"})
    factories.fill(v2, {"1.a": "planned"}, narrative="Now described.")

    page = client.get(REPORT + "diff/1/2/")

    assert page.status_code == 200
    assert re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>', page.text) == [
        "1.a",
        "2.a",
        "15.a",
    ]
    assert "3 activities changed" in page.text
    detail = client.get(REPORT).text
    assert "Version 2" in detail
    assert f'href="{REPORT}diff/1/2/"' in detail
    assert client.get(REPORT + "?version=1").status_code == 200


def test_a_focal_point_cannot_open_a_correction(client, people, cycle2024):
    factories.approved_report("TH", 2024, {"15.a": "completed"})
    login(client, people.th_focal)

    response = client.post(REPORT + "correct/")

    # The service refuses (PermissionDenied); the view lets it through to the site's 403 page.
    assert response.status_code == 403
    assert '<header class="site">' in response.text
    assert "Only an approved report can be corrected, by its approver" in response.text
    assert CountryReport.objects.filter(member_state__code="TH").count() == 1


# --- evidence --------------------------------------------------------------------------------


def test_evidence_links_and_files(client, people, cycle2024, media):
    login(client, people.th_focal)
    added = client.post(
        ENTRY + "evidence/",
        {"kind": "link", "title": "ONCB annual report", "url": "https://www.oncb.go.th/ar2024"},
    )
    assert added.status_code == 302
    client.post(
        ENTRY + "evidence/",
        {
            "kind": "file",
            "title": "Workshop minutes",
            "file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf"),
        },
    )
    link = Evidence.objects.get(kind="link")
    file = Evidence.objects.get(kind="file")
    assert link.url == "https://www.oncb.go.th/ar2024"
    assert link.created_by == people.th_focal

    section = client.get(SECTION_IV).text
    assert 'href="https://www.oncb.go.th/ar2024"' in section
    download = f"{ENTRY}evidence/{file.pk}/"
    assert f'href="{download}"' in section

    for user in (people.th_focal, people.secretariat):
        login(client, user)
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
        assert "attachment" in response["Content-Disposition"]

    login(client, people.my_focal)
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 404


def test_evidence_of_another_country_is_refused(client, people, cycle2024, media):
    login(client, people.my_focal)
    response = client.post(
        ENTRY + "evidence/", {"kind": "link", "title": "x", "url": "https://example.org"}
    )
    assert response.status_code == 404
    login(client, people.secretariat)
    response = client.post(
        ENTRY + "evidence/", {"kind": "link", "title": "x", "url": "https://example.org"}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_removing_evidence_is_audited(client, people, cycle2024, media):
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.a")
    evidence = services.add_evidence(
        acting_user=people.th_focal, entry=entry, kind="event", title="Regional workshop"
    )
    remove = f"{ENTRY}evidence/{evidence.pk}/remove/"
    login(client, people.my_focal)
    assert client.post(remove).status_code == 404
    login(client, people.secretariat)
    assert client.post(remove).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    before = last_event_id()

    login(client, people.th_approver)
    response = client.post(remove)

    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    [event] = AuditEvent.objects.filter(id__gt=before)
    assert event.action == "reporting.evidence.remove"
    assert event.actor == people.th_approver
    assert event.before == {"entry": "15.a", "kind": "event", "title": "Regional workshop"}


# --- the Secretariat's dashboard -------------------------------------------------------------


def open_2024(deadline: datetime.date) -> ReportingCycle:
    return services.open_cycle(
        acting_user=factories.actor("secretariat"),
        plan=factories.plan(),
        year=2024,
        deadline=deadline,
    )


def test_the_dashboard_shows_every_state_and_what_it_filled(
    client, people, django_assert_max_num_queries
):
    open_2024(timezone.localdate() + datetime.timedelta(days=30))
    factories.fill(
        factories.report_of("TH", 2024), {"15.a": "planned", "1.a": "ongoing", "2.a": "completed"}
    )
    factories.submitted_report("SG", 2024, {"15.a": "completed"})
    login(client, people.secretariat)

    with django_assert_max_num_queries(7):
        page = client.get("/reporting/dashboard/?year=2024")

    assert page.status_code == 200
    for code in ("BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"):
        assert f'href="/reporting/{code}/2024/"' in page.text
    assert "/reporting/TL/2024/" not in page.text
    assert "3 / 81" in table_row(page.text, "Thailand")
    assert "0 / 81" in table_row(page.text, "Malaysia")
    assert "1 / 81" in table_row(page.text, "Singapore")
    assert "1 of 10 Member States have submitted" in page.text
    assert "overdue" not in page.text
    assert "30 days left" in table_row(page.text, "Thailand")


def test_a_draft_past_the_deadline_is_overdue(client, people):
    open_2024(timezone.localdate() - datetime.timedelta(days=1))
    factories.submitted_report("SG", 2024)
    login(client, people.asod)

    page = client.get("/reporting/dashboard/?year=2024").text

    assert "9 overdue" in page
    assert "overdue" in table_row(page, "Thailand")
    assert "overdue" not in table_row(page, "Singapore")
    assert 'class="overdue"' in table_row(page, "Thailand")


@pytest.mark.parametrize("key", ["th_focal", "th_approver", "wg"])
def test_the_dashboard_is_for_the_secretariat_and_asod(client, people, cycle2024, key):
    login(client, getattr(people, key))
    assert client.get("/reporting/dashboard/?year=2024").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, cycle2024):
    response = client.get("/reporting/dashboard/?year=2024")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    response = client.get("/reporting/cycles/open/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- opening a cycle -------------------------------------------------------------------------


def test_the_secretariat_opens_a_cycle_from_the_page(client, people):
    login(client, people.secretariat)
    assert client.get("/reporting/cycles/open/").status_code == 200

    response = client.post("/reporting/cycles/open/", {"year": 2025, "deadline": "2026-03-31"})

    assert response.status_code == 302
    assert response.url == "/reporting/dashboard/?year=2025"
    cycle = ReportingCycle.objects.get(year=2025)
    assert cycle.deadline == datetime.date(2026, 3, 31)
    assert cycle.reports.count() == 11

    again = client.post("/reporting/cycles/open/", {"year": 2025, "deadline": "2026-06-30"})
    assert again.status_code == 200
    assert "already open" in again.text
    outside = client.post("/reporting/cycles/open/", {"year": 2026, "deadline": "2027-03-31"})
    assert "outside the Work Plan" in outside.text
    assert list(ReportingCycle.objects.values_list("year", flat=True)) == [2025]


@pytest.mark.parametrize("key", ["th_focal", "th_approver", "asod", "wg"])
def test_only_the_secretariat_may_open_a_cycle_from_the_page(client, people, key):
    login(client, getattr(people, key))
    assert client.get("/reporting/cycles/open/").status_code == 403
    response = client.post("/reporting/cycles/open/", {"year": 2025, "deadline": "2026-03-31"})
    assert response.status_code == 403
    assert not ReportingCycle.objects.exists()
