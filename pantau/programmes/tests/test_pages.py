"""The signed-in pages (write, publish; scoped) and the portal (published entries only, in the
page, the country page, the CSV and XLSX downloads read back, the feed, the catalogue, the
API)."""

import csv
import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.core.cache import cache

from pantau.audit.models import AuditEvent
from pantau.programmes import services
from pantau.programmes.models import NationalProgramme, Service

from .factories import programme, service

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
FORM = {
    "member_state": "TH",
    "title": "Illustrative national programme written in the page",
    "summary": "Schools, workplaces and communities.",
    "lead_agency": "Illustrative board",
    "groups": ["youth", "workers"],
    "period_start": "2022",
    "period_end": "2026",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _fingerprint():
    return (
        list(NationalProgramme.objects.values_list("pk", "version", "status", "title")),
        list(Service.objects.values_list("pk", "version", "status", "name")),
        AuditEvent.objects.count(),
    )


def test_a_focal_point_writes_and_the_approver_publishes_in_the_pages(client, people):
    client.force_login(people.th_focal)
    assert client.get("/programmes/").status_code == 200
    response = client.post("/programmes/new/", FORM)
    assert response.status_code == 302, response.content.decode()
    entry = NationalProgramme.objects.get()
    assert entry.status == "draft" and entry.group_codes == ["workers", "youth"]
    page = client.get(f"/programmes/{entry.pk}/").content.decode()
    assert "Edit the draft" in page and 'value="publish"' not in page
    edited = client.post(
        f"/programmes/{entry.pk}/edit/", {**FORM, "title": "Renamed", "version": 1}
    )
    assert edited.status_code == 302
    stale = client.post(f"/programmes/{entry.pk}/edit/", {**FORM, "title": "Lost", "version": 1})
    assert stale.status_code == 400 and "Somebody else saved" in stale.content.decode()
    assert NationalProgramme.objects.get().title == "Renamed"
    # The service form: the programme offered is Thailand's own.
    created = client.post(
        "/programmes/services/new/",
        {
            "member_state": "TH",
            "name": "Illustrative drop-in centre",
            "kind": "harm_reduction",
            "description": "Needles, syringes and counselling.",
            "groups": ["people_who_use_drugs"],
            "programme": entry.pk,
        },
    )
    assert created.status_code == 302
    assert Service.objects.get().programme == entry
    client.force_login(people.th_approver)
    page = client.get(f"/programmes/{entry.pk}/").content.decode()
    assert 'value="publish"' in page
    client.post(f"/programmes/{entry.pk}/transition/", {"action": "publish", "version": 2})
    assert NationalProgramme.objects.get().status == "published"


def test_bad_form_input_is_named_and_changes_nothing(client, people):
    client.force_login(people.th_focal)
    before = _fingerprint()
    response = client.post("/programmes/new/", {**FORM, "title": "", "period_end": "2020"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "ends before it starts" in page
    assert _fingerprint() == before


@pytest.mark.parametrize("who", ["my_focal", "my_approver", "th_narco", "secretariat", None])
def test_other_states_roles_and_anonymous_change_nothing(client, people, who):
    draft = programme(people.th_focal)
    if who:
        client.force_login(getattr(people, who))
    before = _fingerprint()
    edit = client.post(f"/programmes/{draft.pk}/edit/", {**FORM, "version": 1})
    publish = client.post(f"/programmes/{draft.pk}/transition/", {"action": "publish"})
    create = client.post("/programmes/new/", FORM)
    if who is None:
        assert all(
            r.status_code == 302 and "/accounts/login/" in r["Location"]
            for r in (edit, publish, create)
        )
    elif who == "secretariat":  # sees every draft, writes none
        assert edit.status_code == 403 and publish.status_code == 403 and create.status_code == 403
    else:
        assert edit.status_code == 404 and publish.status_code == 404
        assert create.status_code in (400, 403)
    assert _fingerprint() == before


def _publish(entry, approver):
    return services.transition(acting_user=approver, entry=entry, action="publish")


def public_outputs(client) -> dict[str, str]:
    found = {}
    for url in (
        "/portal/programmes/",
        "/portal/programmes/?country=TH&group=youth",
        "/id/portal/programmes/",
        "/portal/TH/",
        "/portal/data/",
        "/portal/feed.atom",
        "/api/v1/programmes/",
        "/api/v1/programme-services/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.content.decode()
    for kind in ("programmes", "services"):
        text = client.get(f"/portal/programmes/{kind}.csv").content.decode()
        found[f"{kind}.csv"] = "\n".join(",".join(r) for r in csv.reader(io.StringIO(text)))
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/portal/programmes/{kind}.xlsx").content)
        )
        found[f"{kind}.xlsx"] = "\n".join(
            ",".join(str(c) for c in r) for r in book[kind.upper()].iter_rows(values_only=True)
        )
    return found


def test_the_public_sees_published_entries_only(client, people):
    published = _publish(
        programme(people.th_focal, title="Published youth programme"), people.th_approver
    )
    programme(people.th_focal, title="Secret draft programme")
    offered = _publish(
        service(people.th_focal, name="Published helpline", programme=published.pk),
        people.th_approver,
    )
    service(people.th_focal, name="Draft shelter")
    withdrawn = _publish(
        programme(people.th_focal, title="Withdrawn programme"), people.th_approver
    )
    services.transition(acting_user=people.th_approver, entry=withdrawn, action="withdraw")

    found = public_outputs(client)
    for name, text in found.items():
        assert "Secret draft programme" not in text, name
        assert "Draft shelter" not in text, name
        assert "Withdrawn programme" not in text, name
    for name in (
        "/portal/programmes/",
        "/portal/TH/",
        "/portal/feed.atom",
        "/api/v1/programmes/",
        "programmes.csv",
        "programmes.xlsx",
    ):
        assert "Published youth programme" in found[name], name
    for name in ("/portal/programmes/", "/portal/TH/", "services.csv", "services.xlsx"):
        assert "Published helpline" in found[name], name
    indonesian = found["/id/portal/programmes/"]
    assert "Program nasional dan layanan" in indonesian and "Remaja dan pemuda" in indonesian
    # The downloads read back: a header and one published row each.
    rows = list(
        csv.DictReader(io.StringIO(client.get("/portal/programmes/services.csv").content.decode()))
    )
    assert [(r["ID"], r["REF_AREA"], r["PROGRAMME_ID"], r["STATUS"]) for r in rows] == [
        (str(offered.pk), "TH", str(published.pk), "published")
    ]
    feed = ET.fromstring(client.get("/portal/feed.atom").content)  # noqa: S314
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert any("Published youth programme" in t for t in titles)
    # Filters: another group or country shows nothing.
    assert (
        "Published youth programme"
        not in client.get("/portal/programmes/?group=prisoners").content.decode()
    )
    assert (
        "Published youth programme"
        not in client.get("/portal/programmes/?country=MY").content.decode()
    )
    assert (
        "Published youth programme"
        not in client.get("/portal/programmes/programmes.csv?country=MY").content.decode()
    )

    # Revised back to draft: gone from every output, and the portal's ETag changed.
    etag = client.get("/portal/programmes/")["ETag"]
    services.transition(acting_user=people.th_focal, entry=published, action="revise")
    assert client.get("/portal/programmes/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    for name, text in public_outputs(client).items():
        assert "Published youth programme" not in text, name


def test_a_formula_is_neutralised_in_the_downloads(client, people):
    _publish(programme(people.th_focal, title='=HYPERLINK("http://evil")'), people.th_approver)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/portal/programmes/programmes.xlsx").content)
    )
    assert book["PROGRAMMES"]["C2"].value.startswith("'=")
    text = client.get("/portal/programmes/programmes.csv").content.decode()
    assert next(csv.DictReader(io.StringIO(text)))["TITLE"].startswith("'=")


def test_the_portal_answers_304_until_something_is_published(client, people):
    first = client.get("/portal/programmes/")
    assert client.get("/portal/programmes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    draft = programme(people.th_focal)
    assert client.get("/portal/programmes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    _publish(draft, people.th_approver)
    assert client.get("/portal/programmes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_navigation_links(client, people):
    assert 'href="/portal/programmes/"' in client.get("/portal/").content.decode()
    client.force_login(people.th_focal)
    assert 'href="/programmes/"' in client.get("/portal/").content.decode()
    client.force_login(people.th_narco)
    assert 'href="/programmes/"' not in client.get("/portal/").content.decode()


def test_odd_filters_are_ignored_not_failed(client):
    for query in ("country=T%00", "country=ZZ", "group=aliens", "kind=%00"):
        assert client.get(f"/portal/programmes/?{query}").status_code == 200, query
        assert client.get(f"/portal/programmes/services.csv?{query}").status_code == 200, query
