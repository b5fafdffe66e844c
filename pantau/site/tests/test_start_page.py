"""Each role's start page (issue 15, item 1), through the Django test client: its own work
items, nothing of another country's drafts; and the sign-in lands there."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from pantau.reporting import services
from pantau.reporting.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    def user(key: str, role: str, state: str | None = None, group: str | None = None):
        return make_user(role, state, group, username=key)

    from types import SimpleNamespace

    return SimpleNamespace(
        th_focal=user("th_focal", "focal_point", "TH"),
        th_approver=user("th_approver", "approver", "TH"),
        my_approver=user("my_approver", "approver", "MY"),
        secretariat=user("secretariat_officer", "secretariat"),
        asod=user("asod_reviewer", "asod_reviewer"),
        wg=user("wg_member", "wg_member", group="TR"),
    )


@pytest.fixture
def year(people):
    """2024: Thailand returned once to draft with a reason; Malaysia validated; Singapore
    submitted; the rest late (the deadline has passed)."""
    factories.cycle(2024, deadline=datetime.date(2025, 3, 31))
    th = factories.fill(factories.report_of("TH", 2024), {"15.a": "completed"})
    th = factories.advance(th, "submit")
    services.transition(
        acting_user=people.secretariat, report=th, action="return", comment="Fill section IV"
    )
    factories.validated_report("MY", 2024, {"15.a": "planned"})
    factories.submitted_report("SG", 2024, {"15.a": "ongoing"})


def test_sign_in_lands_on_the_start_page():
    assert reverse(settings.LOGIN_REDIRECT_URL) == "/start/"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/start/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_focal_point_sees_its_report_and_why_it_was_returned(client, people, year):
    client.force_login(people.th_focal)
    page = client.get("/start/").text
    assert "Thailand: country report 2024" in page
    assert "1 of 81 filled, 80 empty" in page
    assert "Fill section IV" in page
    assert "indicators have figures for 2024" in page
    assert "Malaysia" not in page and "Singapore" not in page


def test_the_approver_sees_what_waits_for_its_submission(client, people, year):
    client.force_login(people.th_approver)
    page = client.get("/start/").text
    assert "Waiting for your submission" in page
    assert "/reporting/TH/2024/" in page
    assert "/reporting/MY/2024/" not in page


def test_the_secretariat_sees_reports_to_validate_and_late_countries(client, people, year):
    client.force_login(people.secretariat)
    page = client.get("/start/").text
    assert "Reports waiting for validation" in page
    validate = page.split('id="to-validate"')[1].split("</section>")[0]
    assert "Singapore 2024" in validate and "Malaysia" not in validate
    late = page.split('id="late"')[1].split("</section>")[0]
    assert "Thailand" in late and "Singapore" not in late and "Malaysia" not in late


def test_asod_sees_what_waits_for_approval(client, people, year):
    client.force_login(people.asod)
    page = client.get("/start/").text
    approve = page.split('id="to-approve"')[1].split("</section>")[0]
    assert "Malaysia 2024" in approve and "Singapore" not in approve


def test_the_working_group_sees_its_components_across_countries(client, people, year):
    factories.approved_report("BN", 2024, {"15.a": "completed", "15.b.i": "ongoing"})
    client.force_login(people.wg)
    page = client.get("/start/").text
    group = page.split('id="working-group"')[1].split("</section>")[0]
    assert "15." in group and '<th scope="col">BN</th>' in group
    # Only approved reports count: Malaysia's validated report is not read as its own.
    assert '<th scope="col">MY</th>' not in group
    assert "Your country's report" not in page


def test_a_working_group_member_has_no_reports_of_its_own(client, people, year):
    factories.approved_report("BN", 2024, {"15.a": "completed"})
    client.force_login(people.wg)
    index = client.get("/reporting/").text
    assert "Your reports" not in index
