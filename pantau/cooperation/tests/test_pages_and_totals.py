"""Event pages (list, detail, record, edit, documents) and the funding totals in USD: who may
do what, and that a refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.cooperation import services
from pantau.cooperation.models import Event, EventDocument
from pantau.core.actors import SETUP

pytestmark = pytest.mark.django_db


def last_audit() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def training(organiser: str = "TH", public: bool = False) -> Event:
    return services.create_event(
        acting_user=SETUP,
        system=True,
        organiser=organiser,
        activities=["4.a"],
        kind="training",
        title=f"Training by {organiser}",
        start_date=datetime.date(2024, 5, 6),
        end_date=datetime.date(2024, 5, 8),
        participants=[{"member_state": organiser, "female": 1200, "male": 9}],
        is_public=public,
    )


FORM = {
    "kind": "workshop",
    "title": "Workshop on drug-use surveys",
    "start_date": "2024-09-02",
    "end_date": "2024-09-03",
    "organiser": "TH",
    "country": "TH",
    "city": "Bangkok",
    "activities": "4.a, 15.b.ii",
    "outcomes": "",
    "p_TH_female": "5",
    "p_TH_male": "7",
    "p_LA_female": "2",
}


def test_a_focal_point_records_edits_and_documents_its_event(client, make_user):
    client.force_login(make_user("focal_point", "TH"))
    page = client.get(reverse("cooperation:event-create"))
    assert page.status_code == 200 and 'value="MY"' not in page.text.split("Held in")[0]
    made = client.post(reverse("cooperation:event-create"), FORM)
    assert made.status_code == 302, made.content
    event = Event.objects.get(title=FORM["title"])
    assert sorted(event.activities.values_list("code", flat=True)) == ["15.b.ii", "4.a"]
    assert {p.member_state.code: (p.female, p.male) for p in event.participants.all()} == {
        "TH": (5, 7),
        "LA": (2, 0),
    }
    detail = client.get(reverse("cooperation:event", args=[event.pk]))
    assert "Bangkok" in detail.text and "14" in detail.text
    edited = client.post(
        reverse("cooperation:event-edit", args=[event.pk]),
        FORM | {"title": "Workshop, renamed", "version": "1"},
    )
    assert edited.status_code == 302
    event.refresh_from_db()
    assert event.title == "Workshop, renamed" and event.version == 2
    stale = client.post(reverse("cooperation:event-edit", args=[event.pk]), FORM | {"version": "1"})
    assert stale.status_code == 400 and "Somebody else saved" in stale.text
    agenda = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 agenda", "application/pdf")
    client.post(
        reverse("cooperation:document-add", args=[event.pk]),
        {"kind": "agenda", "title": "Agenda", "file": agenda},
    )
    document = EventDocument.objects.get(event=event)
    got = client.get(reverse("cooperation:document", args=[event.pk, document.pk]))
    assert b"".join(got.streaming_content) == b"%PDF-1.4 agenda"
    assert AuditEvent.objects.filter(action="cooperation.event.document.add").count() == 1


def test_bad_input_is_a_clear_error_and_changes_nothing(client, make_user):
    client.force_login(make_user("focal_point", "TH"))
    before = last_audit()
    got = client.post(
        reverse("cooperation:event-create"),
        FORM | {"activities": "4.a, 99.z", "end_date": "2024-09-01"},
    )
    assert got.status_code == 400
    assert "Unknown activities: 99.z" in got.text or "ends before" in got.text
    assert not Event.objects.exists() and last_audit() == before


@pytest.mark.parametrize(
    ("role", "state", "status"),
    [("focal_point", "MY", 404), ("wg_member", None, 404), ("secretariat", None, 302)],
)
def test_another_state_or_role_cannot_edit_or_document(client, make_user, role, state, status):
    event = training("TH")
    client.force_login(make_user(role, state, "LE" if role == "wg_member" else None))
    before = last_audit()
    edit = client.post(reverse("cooperation:event-edit", args=[event.pk]), FORM | {"version": "1"})
    assert edit.status_code == status
    if status != 302:
        doc = client.post(
            reverse("cooperation:document-add", args=[event.pk]),
            {"kind": "agenda", "file": SimpleUploadedFile("a.pdf", b"x")},
        )
        assert doc.status_code == 404
        event.refresh_from_db()
        assert event.version == 1 and not event.documents.exists() and last_audit() == before


def test_a_public_event_seen_by_another_state_is_403_on_edit(client, make_user):
    event = training("TH", public=True)
    client.force_login(make_user("focal_point", "MY"))
    assert client.get(reverse("cooperation:event", args=[event.pk])).status_code == 200
    assert client.get(reverse("cooperation:event-edit", args=[event.pk])).status_code == 403
    assert client.get(reverse("cooperation:event-create")).status_code == 200


def test_anonymous_is_sent_to_sign_in(client):
    event = training("TH", public=True)
    for url in (
        reverse("cooperation:events"),
        reverse("cooperation:event", args=[event.pk]),
        reverse("cooperation:funding"),
    ):
        assert client.get(url).status_code == 302
    assert client.post(reverse("cooperation:event-create"), FORM).status_code == 302
    assert Event.objects.count() == 1


def test_event_list_shows_own_and_public_only(client, make_user):
    training("TH"), training("MY"), training("LA", public=True)
    client.force_login(make_user("focal_point", "TH"))
    page = client.get(reverse("cooperation:events")).text
    assert "Training by TH" in page and "Training by LA" in page
    assert "Training by MY" not in page and "1,209" in page


def _project(title, implementers, amount, currency, start, activities=("4.a",)):
    return services.create_project(
        acting_user=SETUP,
        system=True,
        title=title,
        mechanism="jaif-2",
        implementers=implementers,
        activities=list(activities),
        amount=Decimal(amount),
        currency=currency,
        start_date=datetime.date(start, 1, 1),
    )


def test_funding_totals_in_usd_with_the_rate_and_its_date(api_client, make_user):
    services.seed_funding_mechanisms(acting_user=SETUP)
    secretariat = make_user("secretariat")
    services.set_exchange_rate(
        acting_user=secretariat,
        currency="JPY",
        date=datetime.date(2024, 12, 31),
        usd_per_unit=Decimal("0.0064"),
        source="Test rate",
    )
    _project("A", ["TH", "LA"], "100000", "USD", 2023, activities=("4.a", "4.b"))
    _project("B", ["TH"], "10000000", "JPY", 2023)
    _project("C", ["MY"], "5000", "EUR", 2024)  # no rate: counted, not summed
    got = api_client.get("/api/v1/funding/totals", headers=api_client.bearer(secretariat))
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["rates"] == [
        {
            "currency": "JPY",
            "usd_per_unit": "0.0064000000",
            "date": "2024-12-31",
            "source": "Test rate",
            "is_demo": False,
        }
    ]
    jaif = {(r["key"], r["year"]): r for r in body["by_mechanism"]}
    assert Decimal(jaif[("jaif-2", 2023)]["usd"]) == Decimal("164000")
    assert jaif[("jaif-2", 2024)]["not_converted"] == 1
    states = {(r["key"], r["year"]): Decimal(r["usd"]) for r in body["by_member_state"]}
    assert states[("TH", 2023)] == Decimal("164000") and states[("LA", 2023)] == Decimal("100000")
    sections = [r for r in body["by_section"] if r["year"] == 2023]
    # Project A serves two activities of one section: counted once there.
    assert len(sections) == 1 and Decimal(sections[0]["usd"]) == Decimal("164000")
    assert sections[0]["projects"] == 2
    # A Malaysian focal point sees Malaysia's project only.
    mine = api_client.get(
        "/api/v1/funding/totals", headers=api_client.bearer(make_user("focal_point", "MY"))
    ).json()
    assert {r["key"] for r in mine["by_member_state"]} == {"MY"}
    assert api_client.get("/api/v1/funding/totals").status_code == 401


def test_only_the_secretariat_sets_rates(make_user):
    from pantau.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_exchange_rate(
            acting_user=make_user("focal_point", "TH"),
            currency="JPY",
            date=datetime.date(2024, 1, 1),
            usd_per_unit=Decimal("1"),
        )


def test_funding_page_shows_rates_and_tables(client, make_user):
    services.seed_funding_mechanisms(acting_user=SETUP)
    services.set_exchange_rate(
        acting_user=SETUP,
        system=True,
        currency="JPY",
        date=datetime.date(2024, 12, 31),
        usd_per_unit=Decimal("0.0064"),
        source="Illustrative",
        is_demo=True,
    )
    _project("B", ["TH"], "10000000", "JPY", 2023)
    client.force_login(make_user("secretariat"))
    page = client.get(reverse("cooperation:funding")).text
    assert "2024-12-31" in page and "64,000" in page and "illustrative" in page


def test_screens_in_bahasa_indonesia():
    from django.utils import translation

    with translation.override("id"):
        assert translation.gettext("Cooperation events") == "Kegiatan kerja sama"
        assert (
            translation.ngettext("%(n)d training", "%(n)d trainings", 3) % {"n": 3} == "3 pelatihan"
        )


def test_the_portal_lists_public_events_only_in_both_languages(client, make_user):
    training("TH"), training("LA", public=True)
    for user in (None, make_user("focal_point", "TH")):
        if user is not None:
            client.force_login(user)
        page = client.get("/portal/events/")
        assert page.status_code == 200
        assert "Training by LA" in page.text and "Training by TH" not in page.text
        assert "1,209" in page.text
    indonesian = client.get("/id/portal/events/")
    assert "Kegiatan kerja sama" in indonesian.text and "Pelatihan" in indonesian.text
