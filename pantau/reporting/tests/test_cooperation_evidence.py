"""Cooperation as evidence (issue 22): an entry links to the events and funded projects behind
its status. Only the country's own reporters link, only to what they may see, only while the
report is a draft; every refusal changes nothing; the API, the entry page and the whole report
show the links and their counts."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.cooperation import services as coop
from pantau.core.actors import SETUP
from pantau.reporting import services
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.workplan.models import WorkPlan

pytestmark = pytest.mark.django_db

YEAR = 2024
REPORT = f"/api/v1/reports/TH/{YEAR}"
ENTRY = f"{REPORT}/entries/15.b.ii"
LINK = f"{ENTRY}/evidence"


@pytest.fixture
def cycle(make_user):
    return services.open_cycle(
        acting_user=make_user("secretariat"),
        plan=WorkPlan.objects.get(code="2016-2025"),
        year=YEAR,
        deadline=datetime.date(YEAR + 1, 3, 31),
    )


@pytest.fixture
def people(make_user, api_client):
    from types import SimpleNamespace

    people = SimpleNamespace(
        th_focal=make_user("focal_point", "TH"),
        th_approver=make_user("approver", "TH"),
        my_focal=make_user("focal_point", "MY"),
        secretariat=make_user("secretariat"),
        wg=make_user("wg_member", group="TR"),
    )
    api_client.tokens = {u.pk: api_client.bearer(u) for u in vars(people).values()}
    return people


def event(organiser: str | None, kind: str = "training", public: bool = False, **extra):
    return coop.create_event(
        acting_user=SETUP,
        system=True,
        organiser=organiser,
        activities=extra.pop("activities", ["15.b.ii"]),
        participants=extra.pop(
            "participants", [{"member_state": organiser or "TH", "female": 60, "male": 47}]
        ),
        kind=kind,
        title=extra.pop("title", f"A {kind} of {organiser}"),
        start_date=extra.pop("start_date", datetime.date(YEAR, 5, 6)),
        end_date=extra.pop("end_date", datetime.date(YEAR, 5, 8)),
        is_public=public,
        **extra,
    )


def project(implementers: list[str], **extra):
    coop.seed_funding_mechanisms(acting_user=SETUP)
    return coop.create_project(
        acting_user=SETUP,
        system=True,
        title=extra.pop("title", "Border liaison offices"),
        mechanism="jaif-2",
        implementers=implementers,
        activities=extra.pop("activities", ["15.b.ii"]),
        amount=Decimal("250000"),
        currency="USD",
        start_date=datetime.date(YEAR - 1, 1, 1),
        end_date=datetime.date(YEAR + 1, 12, 31),
        **extra,
    )


def entry(state: str = "TH", code: str = "15.b.ii") -> ActivityStatus:
    return ActivityStatus.objects.select_related("activity").get(
        report__member_state__code=state, report__cycle__year=YEAR, activity__code=code
    )


def links(state: str = "TH") -> tuple[list[int], list[int]]:
    e = entry(state)
    return sorted(e.events.values_list("pk", flat=True)), sorted(
        e.projects.values_list("pk", flat=True)
    )


def last_audit() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def post(client, user, body: dict, url: str = LINK):
    headers = client.tokens[user.pk] if user is not None else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def test_focal_point_links_own_and_public_evidence_and_reads_it_back(api_client, people, cycle):
    own, public = event("TH"), event("MY", kind="workshop", public=True)
    funded = project(["TH", "LA"])
    before = last_audit()
    got = post(
        api_client, people.th_focal, {"events": [own.pk, public.pk], "projects": [funded.pk]}
    )
    assert got.status_code == 200, got.content
    evidence = got.json()["evidence"]
    assert [e["id"] for e in evidence["events"]] == [own.pk, public.pk]
    assert evidence["events"][0]["participants"] == 107
    assert evidence["projects"][0]["mechanism"] == "jaif-2"
    assert evidence["summary"] == "1 training, 1 workshop, 214 participants, 1 funded project"
    audit = AuditEvent.objects.filter(id__gt=before).get()
    assert audit.action == "reporting.entry.cooperation.link" and audit.member_state == "TH"
    assert audit.after["events"] == sorted([own.pk, public.pk])

    read = api_client.get(ENTRY, headers=api_client.tokens[people.th_focal.pk]).json()
    assert read["evidence"] == evidence
    whole = api_client.get(REPORT, headers=api_client.tokens[people.th_focal.pk]).json()
    by_code = {e["activity"]: e for e in whole["entries"]}
    assert by_code["15.b.ii"]["evidence"]["summary"] == evidence["summary"]
    assert by_code["1.a"]["evidence"] == {"events": [], "projects": [], "summary": ""}

    unlinked = post(api_client, people.th_approver, {"events": [own.pk], "unlink": True})
    assert unlinked.status_code == 200
    assert links() == ([public.pk], [funded.pk])
    assert AuditEvent.objects.filter(action="reporting.entry.cooperation.unlink").count() == 1


def test_another_countrys_private_event_or_project_is_refused_and_nothing_changes(
    api_client, people, cycle
):
    mine, theirs = event("TH"), event("MY")
    their_project = project(["MY"])
    before = last_audit()
    for body in (
        {"events": [mine.pk, theirs.pk]},
        {"projects": [their_project.pk]},
        {"events": [999999]},
        {},
    ):
        got = post(api_client, people.th_focal, body)
        assert got.status_code == 400, (body, got.content)
    assert (
        "no such event you may see"
        in post(api_client, people.th_focal, {"events": [theirs.pk]}).json()["detail"]
    )
    assert links() == ([], []) and last_audit() == before


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("my_focal", LINK, 404),  # another country's draft: not visible at all
        ("secretariat", LINK, 403),  # sees the report, does not fill it
        ("wg", LINK, 404),
        ("my_focal", f"/api/v1/reports/MY/{YEAR}/entries/99.z/evidence", 404),
    ],
)
def test_other_country_and_wrong_role_change_nothing(api_client, people, cycle, who, url, status):
    public = event("MY", public=True)
    before = last_audit()
    got = post(api_client, getattr(people, who), {"events": [public.pk]}, url=url)
    assert got.status_code == status, got.content
    assert links() == ([], []) and links("MY") == ([], []) and last_audit() == before


def test_anonymous_may_not_link(api_client, people, cycle):
    public = event("TH", public=True)
    assert post(api_client, None, {"events": [public.pk]}).status_code == 401
    assert links() == ([], [])


def test_a_submitted_report_is_409_and_unchanged(api_client, people, cycle):
    own = event("TH")
    report = CountryReport.objects.get(member_state__code="TH", cycle__year=YEAR)
    services.transition(
        acting_user=people.th_approver, report=report, action="submit", empty_reason="Test"
    )
    got = post(api_client, people.th_focal, {"events": [own.pk]})
    assert got.status_code == 409 and links() == ([], [])


def test_the_public_sees_only_public_linked_events(api_client, people, cycle):
    private, public = event("TH"), event("TH", kind="meeting", public=True)
    services.link_cooperation_evidence(
        acting_user=people.th_focal, entry=entry(), events=[private.pk, public.pk]
    )
    report = CountryReport.objects.get(member_state__code="TH", cycle__year=YEAR)
    for action, user in (
        ("submit", people.th_approver),
        ("validate", people.secretariat),
    ):
        report = services.transition(
            acting_user=user, report=report, action=action, empty_reason="Test"
        )
    seen = api_client.get(ENTRY, headers=api_client.tokens[people.secretariat.pk]).json()
    assert len(seen["evidence"]["events"]) == 2


def test_the_entry_page_suggests_and_links(client, people, cycle):
    from django.urls import reverse

    own = event("TH", title="Illustrative: regional training on treatment")
    elsewhere = event("MY", title="A Malaysian meeting")
    last_year = event(
        "TH",
        title="Old training",
        start_date=datetime.date(YEAR - 1, 3, 1),
        end_date=datetime.date(YEAR - 1, 3, 2),
    )
    funded = project(["TH"], title="Illustrative: funded treatment project")
    client.force_login(people.th_focal)
    page = client.get(reverse("reporting:section", args=["TH", YEAR, "IV"]))
    html = page.content.decode()
    assert "Illustrative: regional training on treatment" in html
    assert "Illustrative: funded treatment project" in html
    assert elsewhere.title not in html and last_year.title not in html
    url = reverse("reporting:entry-cooperation", args=["TH", YEAR, "15.b.ii"])
    client.post(url, {"event": own.pk})
    client.post(url, {"project": funded.pk})
    assert links() == ([own.pk], [funded.pk])
    page = client.get(reverse("reporting:whole", args=["TH", YEAR])).content.decode()
    assert "1 training, 107 participants, 1 funded project" in page
    client.post(url, {"project": funded.pk, "unlink": "1"})
    assert links() == ([own.pk], [])
    # Another country's focal point: 404, nothing changed.
    client.force_login(people.my_focal)
    assert client.post(url, {"event": own.pk}).status_code == 404
    client.force_login(people.th_focal)
    assert client.post(url, {"event": elsewhere.pk}).status_code == 302
    assert links() == ([own.pk], [])
