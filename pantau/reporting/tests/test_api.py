"""The reporting API: who reads and writes which report, If-Match on entries, the workflow
and the filled Work Plan's regional status (approved reports only)."""

import datetime
import typing
from types import SimpleNamespace

import pytest
from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.reporting import services
from pantau.reporting.api import StatusValue
from pantau.reporting.choices import ImplementationStatus, ReportStatus
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.reporting.tests.factories import EMPTY_REASON
from pantau.site.api import api
from pantau.workplan.models import WorkPlan

pytestmark = pytest.mark.django_db

YEAR = 2024
REPORT = f"/api/v1/reports/TH/{YEAR}"
ENTRY = f"{REPORT}/entries/15.b.ii"
TRANSITIONS = f"{REPORT}/transitions"
ENTRY_COLUMNS = ("status", "narrative", "lead_agency", "partners", "period_start", "period_end")


@pytest.fixture
def people(make_user, api_client):
    people = SimpleNamespace(
        th_focal=make_user("focal_point", "TH"),
        th_approver=make_user("approver", "TH"),
        my_focal=make_user("focal_point", "MY"),
        my_approver=make_user("approver", "MY"),
        secretariat=make_user("secretariat"),
        asod=make_user("asod_reviewer"),
        wg=make_user("wg_member", group="TR"),
        sg_approver=make_user("approver", "SG"),
    )
    # Issue every token up front: issuing one is an audited write of its own.
    api_client.tokens = {u.pk: api_client.bearer(u) for u in vars(people).values()}
    return people


@pytest.fixture
def cycle(people):
    return services.open_cycle(
        acting_user=people.secretariat,
        plan=WorkPlan.objects.get(code="2016-2025"),
        year=YEAR,
        deadline=datetime.date(YEAR + 1, 3, 31),
    )


def report_of(state: str) -> CountryReport:
    return CountryReport.objects.get(member_state__code=state, cycle__year=YEAR)


def entry_row(state: str = "TH", code: str = "15.b.ii") -> dict:
    return (
        ActivityStatus.objects.filter(
            report__member_state__code=state, report__cycle__year=YEAR, activity__code=code
        )
        .values(*ENTRY_COLUMNS, "version")
        .get()
    )


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def headers(client, user=None, if_match: str | None = None) -> dict[str, str]:
    out = dict(client.tokens[user.pk]) if user is not None else {}
    if if_match is not None:
        out["If-Match"] = if_match
    return out


def put(client, user, body: dict, if_match: str | None = '"1"', url: str = ENTRY):
    return client.put(
        url, body, content_type="application/json", headers=headers(client, user, if_match)
    )


def act(
    client,
    user,
    action: str,
    comment: str = "",
    url: str = TRANSITIONS,
    if_match: str | None = None,
):
    return client.post(
        url,
        {"action": action, "comment": comment, "empty_reason": EMPTY_REASON},
        content_type="application/json",
        headers=headers(client, user, if_match),
    )


def walk(report: CountryReport, people, *actions: str) -> CountryReport:
    """Move a report through the workflow with the services, as the right person each time."""
    approvers = {"TH": people.th_approver, "MY": people.my_approver, "SG": people.sg_approver}
    actor = {
        "submit": approvers[report.member_state.code],
        "validate": people.secretariat,
        "approve": people.asod,
        "publish": people.secretariat,
    }
    for action in actions:
        report = services.transition(
            acting_user=actor[action], report=report, action=action, empty_reason=EMPTY_REASON
        )
    return report


def fill(report: CountryReport, user, **statuses: str) -> None:
    """statuses: activity code (with _ for .) -> status, saved through the service."""
    for key, status in statuses.items():
        entry = report.entries.get(activity__code=key.replace("_", "."))
        services.save_entry(acting_user=user, entry=entry, version=entry.version, status=status)


# --- Entries: reading and saving with If-Match ----------------------------------------------


def test_focal_point_reads_and_saves_an_entry_with_if_match(api_client, people, cycle):
    got = api_client.get(ENTRY, headers=headers(api_client, people.th_focal))
    assert got.status_code == 200
    assert got["ETag"] == '"1"'
    assert got.json()["activity"] == "15.b.ii"
    assert got.json()["status"] == ""

    events = last_event_id()
    saved = put(
        api_client,
        people.th_focal,
        {
            "status": "in_progress",
            "narrative": "Prison programmes in 12 provinces.",
            "lead_agency": "ONCB",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved["ETag"] == '"2"'
    body = saved.json()
    assert (body["status"], body["status_label"], body["version"]) == (
        "in_progress",
        "In progress",
        2,
    )
    row = entry_row()
    assert row["status"] == "in_progress"
    assert row["narrative"] == "Prison programmes in 12 provinces."
    assert row["period_end"] == datetime.date(2024, 12, 31)
    assert row["version"] == 2
    event = AuditEvent.objects.get(id=events + 1)
    assert event.action == "reporting.entry.update"
    assert event.actor == people.th_focal

    # The next save names the new ETag; fields left out keep their value, null clears.
    again = put(api_client, people.th_focal, {"status": None, "period_end": None}, '"2"')
    assert again.status_code == 200, again.content
    row = entry_row()
    assert (row["status"], row["period_end"], row["version"]) == ("", None, 3)
    assert row["narrative"] == "Prison programmes in 12 provinces."

    report = api_client.get(REPORT, headers=headers(api_client, people.th_focal)).json()
    entry = next(e for e in report["entries"] if e["activity"] == "15.b.ii")
    assert entry["version"] == 3
    assert len(report["entries"]) == report["total"] == 81


def test_stale_if_match_gets_412_and_overwrites_nothing(api_client, people, cycle):
    first = put(api_client, people.th_focal, {"status": "completed", "narrative": "Done."})
    assert first.status_code == 200
    before, events = entry_row(), last_event_id()

    stale = put(api_client, people.th_approver, {"status": "planned", "narrative": "Mine."})

    assert stale.status_code == 412
    assert stale["ETag"] == '"2"'
    body = stale.json()
    assert "version 2" in body["detail"]
    assert body["current"]["status"] == "completed"
    assert body["current"]["narrative"] == "Done."
    assert body["current"]["version"] == 2
    assert entry_row() == before
    assert last_event_id() == events


def test_put_without_if_match_is_428(api_client, people, cycle):
    before, events = entry_row(), last_event_id()
    response = put(api_client, people.th_focal, {"status": "completed"}, if_match=None)
    assert response.status_code == 428
    assert entry_row() == before
    assert last_event_id() == events


def test_if_match_that_is_no_etag_is_400(api_client, people, cycle):
    before = entry_row()
    assert put(api_client, people.th_focal, {"status": "completed"}, "*").status_code == 400
    assert entry_row() == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "finished"}, 422),
        ({"period_start": "not a date"}, 422),
        ({"lead_agency": "x" * 301}, 422),
        ({"narrative": "nul \u0000 byte"}, 422),
        ({"period_start": "2024-06-01", "period_end": "2024-01-01"}, 400),
    ],
)
def test_invalid_values_are_refused(api_client, people, cycle, body, code):
    before, events = entry_row(), last_event_id()
    assert put(api_client, people.th_focal, body).status_code == code
    assert entry_row() == before
    assert last_event_id() == events


def test_partial_save_is_checked_against_the_stored_period(api_client, people, cycle):
    assert put(api_client, people.th_focal, {"period_start": "2024-06-01"}).status_code == 200
    before = entry_row()
    response = put(api_client, people.th_focal, {"period_end": "2024-01-01"}, '"2"')
    assert response.status_code == 400
    assert "period_end" in response.json()["detail"]
    assert entry_row() == before


def test_api_status_values_are_the_implementation_statuses():
    assert set(typing.get_args(StatusValue)) == {*ImplementationStatus.values, ""}


# --- Who may see and write ------------------------------------------------------------------


def test_other_member_state_gets_404_on_a_draft_and_changes_nothing(api_client, people, cycle):
    before, events = entry_row(), last_event_id()
    auth = headers(api_client, people.my_focal)
    assert api_client.get(REPORT, headers=auth).status_code == 404
    assert api_client.get(ENTRY, headers=auth).status_code == 404
    assert put(api_client, people.my_focal, {"status": "completed"}).status_code == 404
    assert act(api_client, people.my_approver, "submit").status_code == 404
    assert entry_row() == before
    assert report_of("TH").status == ReportStatus.DRAFT
    assert last_event_id() == events


def test_missing_report_and_activity_are_404(api_client, people, cycle):
    auth = headers(api_client, people.th_focal)
    assert api_client.get(f"/api/v1/reports/TH/{YEAR - 1}", headers=auth).status_code == 404
    assert api_client.get(f"{REPORT}?version=2", headers=auth).status_code == 404
    assert api_client.get(f"{REPORT}/entries/99.z", headers=auth).status_code == 404


def test_anonymous_may_not_write_and_sees_only_published_reports(api_client, people, cycle):
    before = entry_row()
    assert put(api_client, None, {"status": "completed"}).status_code == 401
    assert act(api_client, None, "submit").status_code == 401
    assert entry_row() == before
    assert api_client.get(REPORT).status_code == 404
    assert api_client.get(ENTRY).status_code == 404
    assert api_client.get("/api/v1/reports/").json() == []

    fill(report_of("TH"), people.th_focal, **{"15_b_ii": "completed"})
    walk(report_of("TH"), people, "submit", "validate", "approve")
    assert api_client.get(REPORT).status_code == 404  # approved, not yet published
    walk(report_of("TH"), people, "publish")

    report = api_client.get(REPORT)
    assert report.status_code == 200
    assert report.json()["status"] == "published"
    assert api_client.get(ENTRY).json()["status"] == "completed"
    listed = api_client.get("/api/v1/reports/").json()
    assert [(r["ref_area"], r["status"]) for r in listed] == [("TH", "published")]


def test_secretariat_may_see_but_not_fill(api_client, people, cycle):
    before, events = entry_row(), last_event_id()
    assert api_client.get(ENTRY, headers=headers(api_client, people.secretariat)).status_code == 200
    response = put(api_client, people.secretariat, {"status": "completed"})
    assert response.status_code == 403
    assert entry_row() == before
    assert last_event_id() == events


def test_bad_token_is_401_even_on_public_reads(api_client, cycle):
    response = api_client.get("/api/v1/reports/", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


# --- The workflow ---------------------------------------------------------------------------


def test_workflow_roles_and_audit(api_client, people, cycle):
    report = report_of("TH")

    def status() -> str:
        return CountryReport.objects.get(pk=report.pk).status

    def events_for(action: str) -> int:
        return AuditEvent.objects.filter(
            action=f"reporting.report.{action}", object_id=str(report.pk)
        ).count()

    # A focal point fills but does not submit; the approver does.
    assert act(api_client, people.th_focal, "submit").status_code == 403
    assert status() == ReportStatus.DRAFT
    submitted = act(api_client, people.th_approver, "submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted["ETag"] == '"2"'
    assert events_for("submit") == 1

    # A submitted report is read-only: 409, nothing written.
    before = entry_row()
    assert put(api_client, people.th_focal, {"status": "completed"}).status_code == 409
    assert entry_row() == before
    # Submitting twice does not apply.
    assert act(api_client, people.th_approver, "submit").status_code == 409

    # Only the Secretariat validates or returns, and a return says why.
    for user in (people.th_focal, people.th_approver, people.asod):
        assert act(api_client, user, "validate").status_code == 403
        assert act(api_client, user, "return", "Fix it").status_code == 403
    assert act(api_client, people.secretariat, "return").status_code == 400
    assert status() == ReportStatus.SUBMITTED
    returned = act(api_client, people.secretariat, "return", "Please describe 15.b.ii")
    assert returned.status_code == 200
    assert returned.json()["status"] == "draft"
    assert returned.json()["returned_count"] == 1
    assert returned.json()["transitions"][-1]["comment"] == "Please describe 15.b.ii"
    assert events_for("return") == 1

    assert act(api_client, people.th_approver, "submit").status_code == 200
    assert act(api_client, people.secretariat, "validate").status_code == 200
    assert events_for("validate") == 1

    # Only an ASOD reviewer approves.
    for user in (people.secretariat, people.th_approver):
        assert act(api_client, user, "approve").status_code == 403
    assert status() == ReportStatus.VALIDATED
    approved = act(api_client, people.asod, "approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert events_for("approve") == 1

    # Publication is the Secretariat's.
    assert act(api_client, people.asod, "publish").status_code == 403
    published = act(api_client, people.secretariat, "publish")
    assert published.json()["status"] == "published"
    assert events_for("publish") == 1
    assert events_for("submit") == 2
    assert [t["action"] for t in published.json()["transitions"]] == [
        "submit",
        "return",
        "submit",
        "validate",
        "approve",
        "publish",
    ]


def test_a_transition_with_a_stale_if_match_is_412_and_changes_nothing(api_client, people, cycle):
    submitted = act(api_client, people.th_approver, "submit")
    seen = submitted.headers["ETag"]
    act(api_client, people.secretariat, "return", "Please fill section IV.")
    act(api_client, people.th_approver, "submit")
    report, before = report_of("TH"), last_event_id()

    stale = act(api_client, people.secretariat, "validate", if_match=seen)

    assert stale.status_code == 412
    assert "changed since you opened it" in stale.json()["detail"]
    assert report_of("TH").status == report.status == "submitted"
    assert report_of("TH").lock_version == report.lock_version
    assert last_event_id() == before
    # Not an ETag at all: 400, nothing changed.
    assert act(api_client, people.secretariat, "validate", if_match="soon").status_code == 400
    assert last_event_id() == before
    # The current ETag goes through, and the answer carries the next one.
    current = api_client.get(REPORT, headers=headers(api_client, people.secretariat))
    done = act(api_client, people.secretariat, "validate", if_match=current.headers["ETag"])
    assert done.status_code == 200
    assert done.json()["status"] == "validated"
    assert done.headers["ETag"] == f'"{report_of("TH").lock_version}"'


def test_unknown_action_is_422(api_client, people, cycle):
    assert act(api_client, people.th_approver, "destroy").status_code == 422
    assert report_of("TH").status == ReportStatus.DRAFT


def test_allowed_transitions_are_the_callers(api_client, people, cycle):
    def allowed(user) -> list[str]:
        return api_client.get(REPORT, headers=headers(api_client, user)).json()[
            "allowed_transitions"
        ]

    assert allowed(people.th_focal) == []
    assert allowed(people.th_approver) == ["submit"]
    walk(report_of("TH"), people, "submit")
    assert allowed(people.secretariat) == ["return", "validate"]


# --- Listing --------------------------------------------------------------------------------


def test_list_visibility_per_role(api_client, people, cycle):
    fill(report_of("MY"), people.my_focal, **{"1_a": "completed", "15_b_ii": "planned"})
    walk(report_of("MY"), people, "submit", "validate", "approve")

    def listed(user=None, query: str = "") -> list[tuple[str, str]]:
        response = api_client.get(f"/api/v1/reports/{query}", headers=headers(api_client, user))
        assert response.status_code == 200
        return [(r["ref_area"], r["status"]) for r in response.json()]

    assert len(listed(people.secretariat)) == 10
    assert len(listed(people.asod)) == 10
    assert listed(people.th_focal) == [("TH", "draft")]
    assert listed(people.my_focal) == [("MY", "approved")]
    assert listed(people.wg) == [("MY", "approved")]
    assert listed() == []
    assert listed(people.secretariat, "?state=th") == [("TH", "draft")]
    assert listed(people.secretariat, "?status=approved") == [("MY", "approved")]
    assert listed(people.secretariat, f"?year={YEAR - 1}") == []

    my = api_client.get("/api/v1/reports/?state=MY", headers=headers(api_client, people.wg)).json()
    assert my[0]["filled"] == 2
    assert my[0]["total"] == 81
    assert my[0]["deadline"] == f"{YEAR + 1}-03-31"
    assert my[0]["url"] == f"/api/v1/reports/MY/{YEAR}?version=1"


def test_newest_visible_version_and_version_parameter(api_client, people, cycle):
    walk(report_of("TH"), people, "submit", "validate", "approve", "publish")
    services.open_correction(acting_user=people.th_approver, report=report_of("TH"))

    # The public still sees version 1; the country's focal point works on version 2.
    assert api_client.get(REPORT).json()["version"] == 1
    own = api_client.get(REPORT, headers=headers(api_client, people.th_focal)).json()
    assert (own["version"], own["status"]) == (2, "draft")
    old = api_client.get(f"{REPORT}?version=1", headers=headers(api_client, people.th_focal))
    assert old.json()["status"] == "published"
    assert api_client.get(f"{REPORT}?version=2").status_code == 404
    # Saving goes to the draft; the published version stays read-only.
    assert put(api_client, people.th_focal, {"status": "completed"}).status_code == 200
    stale_url = f"{ENTRY}?version=1"
    assert put(api_client, people.th_focal, {"status": "planned"}, url=stale_url).status_code == 409


# --- Query counts ---------------------------------------------------------------------------


def test_query_counts_are_fixed(api_client, people, cycle, django_assert_max_num_queries):
    auth = headers(api_client, people.secretariat)
    fill(report_of("TH"), people.th_focal, **{"1_a": "completed", "15_b_ii": "planned"})
    walk(report_of("TH"), people, "submit", "validate")
    # Token lookup and its timestamp, the caller's roles, then the data.
    with django_assert_max_num_queries(5):
        assert len(api_client.get("/api/v1/reports/", headers=auth).json()) == 10
    # The report and an entry read their linked events and funded projects (two queries).
    with django_assert_max_num_queries(8):
        assert len(api_client.get(REPORT, headers=auth).json()["entries"]) == 81
    with django_assert_max_num_queries(7):
        api_client.get(ENTRY, headers=auth)
    with django_assert_max_num_queries(6):
        api_client.get(f"/api/v1/workplans/2016-2025/status?year={YEAR}")


# --- The filled Work Plan -------------------------------------------------------------------


def test_regional_status_counts_approved_reports_only(api_client, people, cycle):
    fill(report_of("TH"), people.th_focal, **{"15_b_ii": "completed", "1_a": "ongoing"})
    fill(report_of("MY"), people.my_focal, **{"15_b_ii": "completed", "1_a": "planned"})
    fill(report_of("SG"), people.sg_approver, **{"15_b_ii": "in_progress"})
    walk(report_of("TH"), people, "submit", "validate", "approve")
    walk(report_of("MY"), people, "submit", "validate", "approve", "publish")
    # Validated but not approved: must not count.
    walk(report_of("SG"), people, "submit", "validate")

    url = f"/api/v1/workplans/2016-2025/status?year={YEAR}"
    # The public counts the published report only; the Secretariat every approved one.
    public = api_client.get(url).json()
    assert public["approved"] == 1
    assert {a["code"]: a for a in public["activities"]}["1.a"]["counts"]["ongoing"] == 0
    response = api_client.get(url, headers=api_client.bearer(people.secretariat, "read"))
    assert response.status_code == 200
    body = response.json()
    assert (body["members"], body["approved"], body["is_demo"]) == (10, 2, False)
    assert "approved country reports only" in body["note"]
    items = {a["code"]: a for a in body["activities"]}
    assert len(items) == 81
    assert items["15.b.ii"]["counts"]["completed"] == 2
    assert items["15.b.ii"]["counts"]["in_progress"] == 0
    assert items["15.b.ii"]["reported"] == 2
    assert items["15.b.ii"]["summary"] == "completed in 2 of 10 Member States"
    assert items["1.a"]["counts"] == {
        "not_started": 0,
        "planned": 1,
        "in_progress": 0,
        "completed": 0,
        "ongoing": 1,
        "not_applicable": 0,
    }
    assert items["8"]["reported"] == 0


def test_status_of_a_year_without_cycle_or_unknown_plan_is_404(api_client, cycle):
    assert api_client.get("/api/v1/workplans/2016-2025/status?year=2019").status_code == 404
    assert api_client.get(f"/api/v1/workplans/1999-2000/status?year={YEAR}").status_code == 404
    assert api_client.get("/api/v1/workplans/2016-2025/status").status_code == 422


def test_operations_are_documented():
    paths = api.get_openapi_schema()["paths"]
    expected = {
        ("get", "/api/v1/reports/"),
        ("get", "/api/v1/reports/{ref_area}/{year}"),
        ("get", "/api/v1/reports/{ref_area}/{year}/entries/{activity_code}"),
        ("put", "/api/v1/reports/{ref_area}/{year}/entries/{activity_code}"),
        ("post", "/api/v1/reports/{ref_area}/{year}/transitions"),
        ("get", "/api/v1/workplans/{code}/status"),
    }
    for method, path in expected:
        assert paths[path][method]["summary"], (method, path)
    put_responses = paths["/api/v1/reports/{ref_area}/{year}/entries/{activity_code}"]["put"]
    assert {200, 403, 404, 409, 412, 428} <= set(put_responses["responses"])
