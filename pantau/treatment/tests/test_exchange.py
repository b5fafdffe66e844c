"""Exchange: episodes imported from a centre's own system by the worker (all or nothing,
problems by line and column, idempotent on the national id, only into the uploader's
centres) and exported in the TDI 3.0 layout (read back with csv and openpyxl)."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pantau.audit.models import AuditEvent
from pantau.treatment.exchange import EXPORT_COLUMNS, IMPORT_COLUMNS
from pantau.treatment.models import Episode, EpisodeImport

from .factories import last_event_id, make_episode

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def row(centre, national_id="N-1", **extra):
    values = {
        "national_id": national_id,
        "centre": str(centre.pk),
        "start_date": "2024-02-03",
        "client_initials": "SK",
        "client_date_of_birth": "1991-01-02",
        "client_sex": "M",
        "previously_treated": "previously",
        "referral_source": "compulsory_le",
        "nationality": "TH",
        "primary_drug": "METH_TABLET",
        "secondary_drugs": "KRATOM|CANNABIS",
        "route": "smoke",
        "age_first_use": "17",
        "discharge_date": "",
        "discharge_reason": "",
    }
    return values | extra


def csv_file(rows, name="episodes.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_COLUMNS)
    for r in rows:
        sheet.append([r.get(c, "") for c in IMPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("episodes.xlsx", out.getvalue())


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Upload as a user; the worker's task runs when the upload commits (immediately here)."""

    def post(client_, user, upload):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/treatment/import/", {"file": upload})

    return post


@override_settings(TASKS=IMMEDIATE)
def test_import_creates_then_updates_idempotently(
    send, client, people, centres, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rows = [row(centres.th1), row(centres.th1, "N-2", client_initials="AB", client_sex="F")]
    response = send(client, people.th1, csv_file(rows))
    assert response.status_code == 302
    job = EpisodeImport.objects.get()
    assert job.status == "applied" and job.counts == {"created": 2, "updated": 0, "unchanged": 0}
    first = Episode.objects.get(national_id="N-1")
    assert first.secondary_drugs == ["KRATOM", "CANNABIS"] and first.age == 33
    page = client.get(response["Location"]).content.decode()
    assert "Applied" in page
    # Again, the second now discharged: one updated, one unchanged, still two episodes.
    rows[1] |= {"discharge_date": "2024-05-01", "discharge_reason": "completed"}
    send(client, people.th1, xlsx_file(rows))
    job = EpisodeImport.objects.first()
    assert job.status == "applied", job.problems
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 1}
    assert Episode.objects.count() == 2
    assert Episode.objects.get(national_id="N-2").discharge_reason == "completed"
    assert (
        AuditEvent.objects.filter(action="treatment.import.apply", member_state="TH").count() == 2
    )


@override_settings(TASKS=IMMEDIATE)
def test_a_bad_file_writes_nothing_and_names_line_and_column(
    send, client, people, centres, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rows = [
        row(centres.th1),
        row(centres.th1, "N-2", start_date="2024-13-01"),
        row(centres.th1, "N-3", primary_drug="TEA"),
        row(centres.th2, "N-4"),  # not a centre of this user
        row(centres.th1, "N-5", age_first_use="70"),
        row(centres.th1, "N-1"),  # twice
    ]
    send(client, people.th1, csv_file(rows))
    job = EpisodeImport.objects.get()
    assert job.status == "failed"
    found = {(p["line"], p["column"]) for p in job.problems}
    assert {(3, "start_date"), (4, "primary_drug"), (5, "centre"), (6, "age_first_use")} <= found
    assert (7, "national_id") in found
    assert not Episode.objects.exists()
    page = client.get(f"/treatment/imports/{job.pk}/").content.decode()
    assert "nothing was written" in page and "start_date" in page


@override_settings(TASKS=IMMEDIATE)
def test_a_missing_column_or_unreadable_file(send, client, people, centres, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("e.csv", b"national_id,centre\nN-1,1\n")
    send(client, people.th1, upload)
    job = EpisodeImport.objects.get()
    assert job.status == "failed"
    assert {p["column"] for p in job.problems} >= {"start_date", "primary_drug"}
    send(client, people.th1, SimpleUploadedFile("e.xlsx", b"not a workbook"))
    assert EpisodeImport.objects.first().status == "failed"
    assert not Episode.objects.exists()


@pytest.mark.parametrize("who", ["th_coord", "my_coord"])
def test_only_centre_staff_import(send, client, people, centres, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = last_event_id()
    response = send(client, getattr(people, who), csv_file([row(centres.th1)]))
    assert response.status_code == 403
    assert not EpisodeImport.objects.exists() and last_event_id() == before


@pytest.mark.parametrize("who", ["th-focal-point", "secretariat", "th-staff-no-centre"])
def test_outsiders_cannot_import(send, client, centres, outsiders, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert send(client, outsiders[who], csv_file([row(centres.th1)])).status_code == 404
    assert not EpisodeImport.objects.exists()


def test_an_import_is_seen_by_its_uploader_only(send, client, people, centres, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    send(client, people.th1, csv_file([row(centres.th1)]))
    job = EpisodeImport.objects.get()
    client.force_login(people.th2)
    assert client.get(f"/treatment/imports/{job.pk}/").status_code == 404


def test_export_in_the_tdi_layout(client, people, centres):
    make_episode(people.th1, centres.th1)
    make_episode(people.th2, centres.th2, initials="ZZ")
    make_episode(people.my, centres.my)
    client.force_login(people.th_coord)
    response = client.get("/treatment/export/?state=TH&year=2024&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == EXPORT_COLUMNS and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"TH"}
    xlsx = client.get("/treatment/export/?state=TH&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == EXPORT_COLUMNS and sheet.max_row == 3
    assert AuditEvent.objects.filter(action="treatment.episode.list", member_state="TH").exists()
    # Centre staff: their centre's only; another country's coordinator: nothing of Thailand's.
    client.force_login(people.th1)
    assert len(client.get("/treatment/export/?state=TH").content.decode().splitlines()) == 2
    client.force_login(people.my_coord)
    assert len(client.get("/treatment/export/?state=TH").content.decode().splitlines()) == 1


def test_outsiders_cannot_export(client, people, centres, outsiders):
    make_episode(people.th1, centres.th1)
    client.force_login(outsiders["th-focal-point"])
    assert client.get("/treatment/export/?state=TH").status_code == 404
    client.logout()
    assert client.get("/treatment/export/?state=TH").status_code == 302


def test_export_through_the_api(api_client, people, centres, outsiders):
    make_episode(people.th1, centres.th1)
    make_episode(people.my, centres.my)
    url = "/api/v1/treatment/export?REF_AREA=TH&TIME_PERIOD=2024"
    response = api_client.get(url, headers=api_client.bearer(people.th_coord))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == EXPORT_COLUMNS and len(rows) == 2 and rows[1][2] == "TH"
    xlsx = api_client.get(f"{url}&format=xlsx", headers=api_client.bearer(people.th_coord))
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row == 2
    for user in [people.my_coord, people.th2, outsiders["th-focal-point"]]:
        other = api_client.get(url, headers=api_client.bearer(user))
        assert other.status_code == 200 and len(other.content.decode().splitlines()) == 1
    assert api_client.get(url).status_code == 401
