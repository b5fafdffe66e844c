"""A write while another connection holds the database's write lock (a long import, say)
answers 503 with Retry-After, for pages and for the API: never a 500 with a traceback. The
locks are real (pantau.core.tests.contention)."""

from django.db import OperationalError

from pantau.accounts.services import assign_role, create_user, issue_token
from pantau.core.actors import SystemActor
from pantau.core.errors import is_database_busy
from pantau.members.models import Agency, MemberState

FORM = {
    "name": "Office of the Narcotics Control Board",
    "acronym": "ONCB",
    "website": "https://www.oncb.go.th/",
    "email": "busy@oncb.example",
    "address": "5 Din Daeng Road, Bangkok",
}


def thai_focal_point():
    user = create_user(
        acting_user=SystemActor("test"), username="th_focal", password="correct horse battery"
    )
    th = MemberState.objects.get(code="TH")
    assign_role(acting_user=SystemActor("test"), user=user, role="focal_point", member_state=th)
    agency = Agency.objects.select_related("member_state").get(member_state=th, is_lead=True)
    return user, agency


def test_a_page_write_answers_503_with_retry_after(contended_db, client):
    user, agency = thai_focal_point()
    client.force_login(user)
    url = f"/members/TH/agencies/{agency.pk}/edit/"
    assert client.get(url).status_code == 200

    with contended_db.holding_row(agency):
        response = client.post(url, {**FORM, "version": agency.version})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Pantau is busy: try again in a few seconds" in response.text
    assert '<header class="site">' in response.text
    assert "Traceback" not in response.text
    agency.refresh_from_db()
    assert agency.email != FORM["email"]  # nothing was written

    # Once the other writer is done, the same request saves.
    assert client.post(url, {**FORM, "version": agency.version}).status_code == 302
    agency.refresh_from_db()
    assert agency.email == FORM["email"]


def test_an_api_write_answers_503_json_with_retry_after(contended_db, client):
    user, agency = thai_focal_point()
    _, key = issue_token(acting_user=user, user=user, name="test", scope="write")
    url = f"/api/v1/member-states/TH/agencies/{agency.pk}"
    headers = {"Authorization": f"Bearer {key}", "If-Match": f'"{agency.version}"'}

    with contended_db.holding_row(agency):
        response = client.patch(
            url, {"email": "busy@oncb.example"}, content_type="application/json", headers=headers
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "The database is busy; try again in a few seconds."}
    agency.refresh_from_db()
    assert agency.email != "busy@oncb.example"


def test_only_busy_errors_count_as_busy():
    assert is_database_busy(OperationalError("database is locked"))
    assert is_database_busy(OperationalError("database table is locked"))
    assert not is_database_busy(OperationalError("no such table: members_agency"))
    assert not is_database_busy(ValueError("database is locked"))
