"""The iCalendar feed: a secret, revocable address per user; the deadlines of their scope."""

import datetime

import icalendar
import pytest

from pantau.audit.models import AuditEvent
from pantau.reporting.calendar import set_deadline
from pantau.reporting.models import CalendarToken

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def deadlines(people, cycle2024):
    for kind, day in [
        ("template_opens", datetime.date(2025, 1, 15)),
        ("submission_due", datetime.date(2025, 3, 31)),
        ("ammd_meeting", datetime.date(2025, 10, 20)),
    ]:
        set_deadline(acting_user=people.secretariat, cycle=cycle2024, kind=kind, date=day)
    factories.submitted_report("MY", 2024)
    return cycle2024


def feed_url(api_client, user) -> str:
    response = api_client.post("/api/v1/calendar", headers=api_client.bearer(user))
    assert response.status_code == 200
    return response.json()["calendar_url"]


def read_feed(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_a_focal_point_reads_the_cycles_deadlines(api_client, people, deadlines):
    url = feed_url(api_client, people.th_focal)
    api_client.logout()
    cal = read_feed(api_client, url)
    events = cal.walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [
        datetime.date(2025, 1, 15),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 10, 20),
    ]
    assert str(events[1]["summary"]) == "Country submission due: reporting year 2024"
    # Its own country, not another's.
    assert str(events[1]["description"]) == "Not yet submitted: TH"


def test_the_address_is_shown_to_its_owner(api_client, people, deadlines):
    headers = api_client.bearer(people.th_focal)
    assert api_client.get("/api/v1/calendar", headers=headers).json() == {"calendar_url": None}
    url = feed_url(api_client, people.th_focal)
    assert api_client.get("/api/v1/calendar", headers=headers).json()["calendar_url"] == url
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")


def test_without_a_reporting_role_the_feed_is_empty(api_client, make_user, deadlines):
    nobody = make_user()
    cal = read_feed(api_client, feed_url(api_client, nobody))
    assert cal.walk("VEVENT") == []


def test_a_revoked_or_replaced_address_answers_404(api_client, people, deadlines):
    headers = api_client.bearer(people.th_focal)
    first = feed_url(api_client, people.th_focal)
    second = feed_url(api_client, people.th_focal)
    assert api_client.get(first).status_code == 404
    assert api_client.get(second).status_code == 200
    assert api_client.delete("/api/v1/calendar", headers=headers).status_code == 200
    assert api_client.get(second).status_code == 404
    assert api_client.get("/calendar/not-a-token.ics").status_code == 404
    assert AuditEvent.objects.filter(action="reporting.calendar_token.revoke").count() == 2


def test_anonymous_callers_get_no_address(client, deadlines):
    assert client.get("/api/v1/calendar").status_code == 401
    assert client.post("/api/v1/calendar").status_code == 401
    assert not CalendarToken.objects.exists()


def test_the_feed_holds_the_cooperation_events_that_concern_the_user(api_client, people, deadlines):
    from pantau.cooperation import services as coop
    from pantau.core.actors import SETUP

    def event(title, organiser, participants=(), public=False):
        return coop.create_event(
            acting_user=SETUP,
            system=True,
            organiser=organiser,
            activities=["4.a"],
            kind="training",
            title=title,
            start_date=datetime.date(2025, 6, 2),
            end_date=datetime.date(2025, 6, 4),
            city="Vientiane",
            country="LA",
            participants=[{"member_state": s, "female": 1, "male": 1} for s in participants],
            is_public=public,
        )

    event("Thai training", "TH")
    event("Lao training with Thais", "LA", participants=["TH"], public=True)
    event("Malaysian training", "MY")
    event("Public Malaysian seminar", "MY", public=True)
    cal = read_feed(api_client, feed_url(api_client, people.th_focal))
    summaries = sorted(
        str(e["summary"])
        for e in cal.walk("VEVENT")
        if "cooperation" in str(e.get("categories").to_ical() if e.get("categories") else "")
    )
    assert summaries == ["Training: Lao training with Thais", "Training: Thai training"]
    thai = next(e for e in cal.walk("VEVENT") if str(e["summary"]) == "Training: Thai training")
    assert thai.decoded("dtstart") == datetime.date(2025, 6, 2)
    assert thai.decoded("dtend") == datetime.date(2025, 6, 5)
    assert str(thai["location"]) == "Vientiane, Lao PDR"
    # The Secretariat's feed holds all four; a Malaysian focal point's not the Thai one.
    everything = read_feed(api_client, feed_url(api_client, people.secretariat))
    assert sum(1 for e in everything.walk("VEVENT") if str(e["uid"]).startswith("event-")) == 4
    malaysian = read_feed(api_client, feed_url(api_client, people.my_focal))
    titles = {str(e["summary"]) for e in malaysian.walk("VEVENT")}
    assert "Training: Thai training" not in titles and "Training: Malaysian training" in titles
