"""The workflow steps that sign for a government or a body (issue 15, item 2): submit, validate
and approve show what is being signed and ask for confirmation; a report with empty activities
is submitted only with a stated reason; ASOD returns a validated report to the Secretariat or
to the country with a reason. Every refusal, by page, API or service, changes nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.reporting import services
from pantau.reporting.choices import ReportStatus, Transition
from pantau.reporting.models import Comment, CountryReport, ReportTransition
from pantau.workplan.models import Activity

from . import factories

pytestmark = pytest.mark.django_db

REPORT = "/reporting/TH/2024/"
TRANSITIONS_API = "/api/v1/reports/TH/2024/transitions"
ALL_KEYS = ("th_focal", "th_approver", "my_approver", "secretariat", "asod", "wg", "anonymous")
# Who may take each step; everybody else is refused.
RIGHT = {
    Transition.SUBMIT: "th_approver",
    Transition.VALIDATE: "secretariat",
    Transition.APPROVE: "asod",
    Transition.RETURN_TO_SECRETARIAT: "asod",
    Transition.RETURN_TO_COUNTRY: "asod",
}
# The step each action starts from.
REACHED = {
    Transition.SUBMIT: None,
    Transition.VALIDATE: Transition.SUBMIT,
    Transition.APPROVE: Transition.VALIDATE,
    Transition.RETURN_TO_SECRETARIAT: Transition.VALIDATE,
    Transition.RETURN_TO_COUNTRY: Transition.VALIDATE,
}


def who(people, key: str):
    return AnonymousUser() if key == "anonymous" else getattr(people, key)


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def state() -> list[tuple]:
    """Everything a refused step must leave as it was."""
    return [
        *CountryReport.objects.order_by("pk").values_list(
            "pk", "status", "lock_version", "returned_count", "submitted_at", "validated_at"
        ),
        ("transitions", ReportTransition.objects.count()),
        ("comments", Comment.objects.count()),
        ("events", last_event_id()),
    ]


def reach(action: str):
    report = factories.report_of("TH", 2024)
    if REACHED[action]:
        report = factories.advance(report, REACHED[action])
    return report


def fill_everything(report, status: str = "not_applicable") -> None:
    codes = Activity.objects.filter(plan=report.cycle.plan).reportable().values_list("code")
    factories.fill(report, {code: status for (code,) in codes})


# --- the service -----------------------------------------------------------------------------


def test_a_submit_with_empty_activities_and_no_reason_is_refused(people, cycle2024):
    report = factories.fill(factories.report_of("TH", 2024), {"15.a": "completed"})
    before = state()

    with pytest.raises(services.IncompleteReport) as refused:
        services.transition(acting_user=people.th_approver, report=report, action="submit")

    assert len(refused.value.empty) == 80
    assert "15.b.i" in refused.value.empty and "15.a" not in refused.value.empty
    assert "80 of 81 activities are empty" in str(refused.value)
    assert state() == before


def test_a_blank_reason_is_no_reason(people, cycle2024):
    report = factories.report_of("TH", 2024)
    before = state()
    with pytest.raises(services.IncompleteReport):
        services.transition(
            acting_user=people.th_approver, report=report, action="submit", empty_reason="  \n"
        )
    assert state() == before


def test_a_stated_reason_is_recorded_with_the_checklist_in_the_transition_and_audit(
    people, cycle2024
):
    report = factories.fill(factories.report_of("TH", 2024), {"15.a": "completed"})
    report = services.transition(
        acting_user=people.th_approver,
        report=report,
        action="submit",
        empty_reason="The other agencies report next month",
    )

    assert report.status == ReportStatus.SUBMITTED
    step = report.transitions.get()
    assert step.empty_reason == "The other agencies report next month"
    assert step.checklist["filled"] == 1 and step.checklist["total"] == 81
    assert len(step.checklist["empty"]) == 80
    assert step.checklist["statistics"]["complete"] is False
    event = AuditEvent.objects.filter(action="reporting.report.submit").get()
    assert event.after["empty_reason"] == "The other agencies report next month"
    assert event.after["checklist"]["filled"] == 1


def test_a_report_whose_activities_are_all_marked_needs_no_reason(people, cycle2024):
    report = factories.report_of("TH", 2024)
    fill_everything(report)

    report = services.transition(acting_user=people.th_approver, report=report, action="submit")

    assert report.status == ReportStatus.SUBMITTED
    step = report.transitions.get()
    assert step.empty_reason == "" and step.checklist["not_applicable"] == 81


@pytest.mark.parametrize(
    ("action", "status", "returned"),
    [
        (Transition.RETURN_TO_SECRETARIAT, ReportStatus.SUBMITTED, 0),
        (Transition.RETURN_TO_COUNTRY, ReportStatus.DRAFT, 1),
    ],
)
def test_asod_returns_a_validated_report_with_a_reason(people, cycle2024, action, status, returned):
    report = reach(action)
    before = state()
    with pytest.raises(ValueError, match="comment is required"):
        services.transition(acting_user=people.asod, report=report, action=action)
    assert state() == before

    report = services.transition(
        acting_user=people.asod, report=report, action=action, comment="Section IV is thin"
    )

    assert report.status == status
    assert report.returned_count == returned
    assert report.validated_at is None
    last = report.transitions.last()
    assert (last.action, last.comment) == (action, "Section IV is thin")
    assert AuditEvent.objects.filter(action=f"reporting.report.{action}").count() == 1


WRONG = [(action, key) for action in RIGHT for key in ALL_KEYS if key != RIGHT[action]]


@pytest.mark.parametrize(("action", "key"), WRONG)
def test_each_step_as_every_wrong_role_changes_nothing(people, cycle2024, action, key):
    report = reach(action)
    before = state()

    with pytest.raises(PermissionDenied):
        services.transition(
            acting_user=who(people, key),
            report=report,
            action=action,
            comment="A reason",
            empty_reason="A reason",
        )

    assert state() == before


# --- the pages: a confirmation step ----------------------------------------------------------


@pytest.mark.parametrize("action", [Transition.SUBMIT, Transition.VALIDATE, Transition.APPROVE])
def test_the_confirmation_page_shows_what_is_being_signed(client, people, cycle2024, action):
    report = reach(action)
    client.force_login(who(people, RIGHT[action]))

    page = client.get(f"{REPORT}transition/{action}/")

    assert page.status_code == 200
    text = page.text
    assert "What is being signed" in text
    assert "of 81 filled" in text
    assert "indicators have figures for 2024" in text
    assert "Open findings" in text
    assert 'name="confirm"' in text
    assert ('name="empty_reason"' in text) == (action == Transition.SUBMIT)
    assert report.status == CountryReport.objects.get(pk=report.pk).status


@pytest.mark.parametrize(("action", "key"), [(a, k) for a, k in WRONG if k != "anonymous"])
def test_the_confirmation_page_refuses_every_wrong_role(client, people, cycle2024, action, key):
    reach(action)
    client.force_login(who(people, key))
    page = client.get(f"{REPORT}transition/{action}/")
    # Another country's approver does not see a draft at all: 404, like a missing report.
    assert page.status_code in (403, 404)
    if key == "my_approver" and action == Transition.SUBMIT:
        assert page.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, cycle2024):
    page = client.get(f"{REPORT}transition/submit/")
    assert page.status_code == 302 and "/accounts/login" in page["Location"]


def post(client, action: str, **extra):
    report = factories.report_of("TH", 2024)
    data = {"action": action, "lock_version": report.lock_version, "comment": ""} | extra
    return client.post(f"{REPORT}transition/", data)


@pytest.mark.parametrize("action", [Transition.SUBMIT, Transition.VALIDATE, Transition.APPROVE])
def test_a_signing_step_without_confirmation_changes_nothing(client, people, cycle2024, action):
    reach(action)
    client.force_login(who(people, RIGHT[action]))
    before = state()

    response = post(client, action, empty_reason="A reason")

    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}transition/{action}/"
    assert state() == before


def test_the_page_refuses_an_empty_submit_without_a_reason_then_takes_one(
    client, people, cycle2024
):
    client.force_login(people.th_approver)
    before = state()

    refused = client.post(
        f"{REPORT}transition/",
        {"action": "submit", "lock_version": 1, "confirm": "1"},
        follow=True,
    )
    assert "81 of 81 activities are empty" in refused.text
    assert state() == before

    post(client, "submit", confirm="1", empty_reason="Agencies report in June")
    report = factories.report_of("TH", 2024)
    assert report.status == ReportStatus.SUBMITTED
    assert report.transitions.get().empty_reason == "Agencies report in June"


def test_the_report_page_links_asod_to_both_returns_and_the_country_sees_why(
    client, people, cycle2024
):
    reach(Transition.RETURN_TO_COUNTRY)
    client.force_login(people.asod)
    page = client.get(REPORT).text
    assert f"{REPORT}transition/return_to_secretariat/" in page
    assert f"{REPORT}transition/return_to_country/" in page

    post(client, "return_to_country", comment="Please add evidence to 15.a")

    assert factories.report_of("TH", 2024).status == ReportStatus.DRAFT
    client.force_login(people.th_focal)
    assert "Please add evidence to 15.a" in client.get(REPORT).text


def test_a_wrong_role_posting_a_step_changes_nothing(client, people, cycle2024):
    reach(Transition.APPROVE)
    before = state()
    for user in (people.secretariat, people.th_approver):
        client.force_login(user)
        response = post(client, "approve", confirm="1")
        assert response.status_code == 403
    client.force_login(people.my_approver)
    assert post(client, "approve", confirm="1").status_code == 404
    assert state() == before


# --- the API ---------------------------------------------------------------------------------


def api_post(client, user, payload: dict):
    client.force_login(user)
    return client.post(TRANSITIONS_API, payload, content_type="application/json")


def test_the_api_refuses_an_empty_submit_with_409_and_the_empty_activities(
    client, people, cycle2024
):
    factories.fill(factories.report_of("TH", 2024), {"15.a": "completed"})
    before = state()

    refused = api_post(client, people.th_approver, {"action": "submit"})

    assert refused.status_code == 409
    body = refused.json()
    assert len(body["empty_activities"]) == 80 and "15.a" not in body["empty_activities"]
    assert state() == before

    done = api_post(client, people.th_approver, {"action": "submit", "empty_reason": "Later"})
    assert done.status_code == 200
    assert done.json()["transitions"][-1]["empty_reason"] == "Later"


def test_the_api_lets_asod_return_to_the_country_and_refuses_the_secretariat(
    client, people, cycle2024
):
    reach(Transition.RETURN_TO_COUNTRY)
    before = state()
    payload = {"action": "return_to_country", "comment": "Thin"}
    assert api_post(client, people.secretariat, payload).status_code == 403
    assert api_post(client, people.asod, {"action": "return_to_country"}).status_code == 400
    assert state() == before

    done = api_post(client, people.asod, payload)
    assert done.status_code == 200 and done.json()["status"] == "draft"


def test_the_openapi_document_names_the_refusal(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/reports/{ref_area}/{year}/transitions"]["post"]
    assert "409" in operation["responses"]
    assert "empty_reason" in operation["description"]
    schema = spec["components"]["schemas"]["TransitionIn"]["properties"]
    assert "return_to_country" in str(schema["action"])
