"""The reporting calendar's page and API (#22): the deadlines in the caller's scope, set by the
Secretariat only, and who is late for what by how many days (the Secretariat and ASOD)."""

import datetime

import pytest
import time_machine
from django.db.models import Max
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.reporting.calendar import set_deadline
from pantau.reporting.models import Deadline

from . import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2025, 5, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def calendar(people, cycle2024):
    for kind, day in [
        ("template_opens", datetime.date(2025, 1, 15)),
        ("submission_due", datetime.date(2025, 3, 31)),
        ("validation_due", datetime.date(2025, 4, 30)),
        ("ammd_meeting", datetime.date(2025, 10, 20)),
    ]:
        set_deadline(acting_user=people.secretariat, cycle=cycle2024, kind=kind, date=day)
    factories.submitted_report("MY", 2024)
    factories.validated_report("SG", 2024)
    return cycle2024


def last_audit() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


@time_machine.travel(TODAY, tick=False)
def test_the_secretariat_sees_who_is_late_and_by_how_much(api_client, people, calendar):
    late = api_client.get("/api/v1/deadlines/late", headers=api_client.bearer(people.secretariat))
    assert late.status_code == 200, late.content
    rows = late.json()
    by_state = {(r["ref_area"], r["deadline"]): r for r in rows}
    # Thailand has not submitted: 40 days past the submission deadline, and 10 past validation.
    assert by_state[("TH", "submission_due")]["days_late"] == 40
    assert by_state[("TH", "submission_due")]["waiting_on"] == "member_state"
    # Malaysia submitted; the Secretariat has not validated it: 10 days late, on them.
    assert ("MY", "submission_due") not in by_state
    assert by_state[("MY", "validation_due")] | {"is_demo": False} == {
        "ref_area": "MY",
        "year": 2024,
        "deadline": "validation_due",
        "deadline_date": "2025-04-30",
        "status": "submitted",
        "waiting_on": "secretariat",
        "days_late": 10,
        "is_demo": False,
    }
    # Singapore is validated: late for nothing yet.
    assert not any(r["ref_area"] == "SG" for r in rows)
    assert rows[0]["days_late"] >= rows[-1]["days_late"]
    page = api_client.get(reverse("reporting:deadlines"))
    assert page.status_code == 302  # anonymous: sign in
    api_client.force_login(people.secretariat)
    html = api_client.get(reverse("reporting:deadlines")).text
    assert "Thailand" in html and "2025-03-31" in html and "Set a deadline" in html


@time_machine.travel(TODAY, tick=False)
def test_a_focal_point_sees_its_deadlines_but_not_the_late_list(api_client, people, calendar):
    headers = api_client.bearer(people.th_focal)
    got = api_client.get("/api/v1/deadlines/", headers=headers)
    assert [d["kind"] for d in got.json()] == [
        "template_opens",
        "submission_due",
        "validation_due",
        "ammd_meeting",
    ]
    assert got.json()[1]["label"] == "Country submission due"
    assert api_client.get("/api/v1/deadlines/late", headers=headers).status_code == 403
    api_client.force_login(people.th_focal)
    html = api_client.get(reverse("reporting:deadlines")).text
    assert "2025-03-31" in html and "Set a deadline" not in html and "Days late" not in html
    nobody = api_client.get("/api/v1/deadlines/", headers=api_client.bearer(people.wg))
    assert nobody.json() == []
    api_client.logout()
    assert api_client.get("/api/v1/deadlines/").status_code == 401


def test_only_the_secretariat_sets_a_deadline(api_client, people, calendar):
    body = {"date": "2025-04-15"}
    before = last_audit()
    for user in (people.th_focal, people.my_approver, people.asod, people.wg):
        got = api_client.put(
            "/api/v1/deadlines/2024/submission_due",
            body,
            content_type="application/json",
            headers=api_client.bearer(user),
        )
        assert got.status_code == 403, user
    assert (
        api_client.put(
            "/api/v1/deadlines/2024/submission_due", body, content_type="application/json"
        ).status_code
        == 401
    )
    api_client.force_login(people.th_focal)
    page = api_client.post(
        reverse("reporting:deadlines"),
        {"year": 2024, "kind": "submission_due", "date": "2025-04-15"},
    )
    assert page.status_code == 403
    api_client.logout()
    # Issuing tokens is audited; nothing else was.
    assert not AuditEvent.objects.filter(id__gt=before, action="reporting.deadline.set").exists()
    assert Deadline.objects.get(kind="submission_due").date == datetime.date(2025, 3, 31)

    secretariat = api_client.bearer(people.secretariat)
    moved = api_client.put(
        "/api/v1/deadlines/2024/submission_due",
        body,
        content_type="application/json",
        headers=secretariat,
    )
    assert moved.status_code == 200 and moved.json()["date"] == "2025-04-15"
    calendar.refresh_from_db()
    assert calendar.deadline == datetime.date(2025, 4, 15)
    for url, status in (
        ("/api/v1/deadlines/2024/no_such_kind", 400),
        ("/api/v1/deadlines/1999/submission_due", 404),
    ):
        got = api_client.put(url, body, content_type="application/json", headers=secretariat)
        assert got.status_code == status
