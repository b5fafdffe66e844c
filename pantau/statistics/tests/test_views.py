"""The import pages: who may upload (others 403, anonymous to the sign-in page), the import's
page with its progress (polled with htmx while unfinished), counts and problems, and who may
see an import (its uploader, administrators and the Secretariat; 404 for anyone else)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from pantau.audit.models import AuditEvent

from ..ingest import forms, tasks
from ..models import DataImport, DataValue
from .factories import GOOD_ROWS, write_csv

pytestmark = pytest.mark.django_db

UPLOAD = "/statistics/import/"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def csv_upload(tmp_path, rows=GOOD_ROWS, name="th-2020.csv") -> SimpleUploadedFile:
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def upload(client, django_capture_on_commit_callbacks, tmp_path, rows=GOOD_ROWS, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(UPLOAD, {"file": csv_upload(tmp_path, rows), **data})


def detail_url(data_import: DataImport) -> str:
    return f"/statistics/import/{data_import.pk}/"


# --- who may upload ----------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, tmp_path):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(UPLOAD, {"file": csv_upload(tmp_path)})
    assert response.status_code == 302
    assert not DataImport.objects.exists()


@pytest.mark.parametrize("who", ["secretariat", "wg"])
def test_roles_that_do_not_import_are_refused_and_nothing_is_written(
    who, people, client, tmp_path, django_capture_on_commit_callbacks
):
    login(client, getattr(people, who))
    events = last_event_id()

    assert client.get(UPLOAD).status_code == 403
    response = upload(client, django_capture_on_commit_callbacks, tmp_path)

    assert response.status_code == 403
    assert not DataImport.objects.exists()
    assert not DataValue.objects.exists()
    assert last_event_id() == events


@pytest.mark.parametrize("who", ["th_focal", "th_approver", "admin"])
def test_focal_points_approvers_and_administrators_see_the_upload_form(who, people, client):
    response = login(client, getattr(people, who)).get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'name="dry_run"' in html


# --- uploading and following an import ---------------------------------------------------------


def test_an_upload_is_imported_in_the_background_and_reported(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    login(client, people.th_focal)

    response = upload(client, django_capture_on_commit_callbacks, tmp_path)

    data_import = DataImport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(data_import)
    assert DataValue.objects.count() == 5
    html = client.get(detail_url(data_import)).content.decode()
    assert "Applied" in html
    assert "Created: 5" in html and "Updated: 0" in html and "Unchanged: 0" in html
    assert '<progress value="5" max="5"' in html
    assert "hx-trigger" not in html  # finished: no more polling

    # The same file again changes nothing.
    upload(client, django_capture_on_commit_callbacks, tmp_path)
    again = DataImport.objects.order_by("-id").first()
    assert again.counts == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}
    assert "Unchanged: 5" in client.get(detail_url(again)).content.decode()


def test_a_dry_run_upload_writes_no_value(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    login(client, people.th_focal)
    upload(client, django_capture_on_commit_callbacks, tmp_path, dry_run="on")
    data_import = DataImport.objects.get()
    assert (data_import.status, data_import.dry_run) == ("checked", True)
    assert not DataValue.objects.exists()
    assert "Would create: 5" in client.get(detail_url(data_import)).content.decode()


def test_every_problem_is_listed_with_its_line_and_column(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][7] = "POUND"
    rows[2][8] = "-3"
    login(client, people.th_focal)

    upload(client, django_capture_on_commit_callbacks, tmp_path, rows)

    html = client.get(detail_url(DataImport.objects.get())).content.decode()
    assert "2 problems: nothing was written" in html
    cells = re.findall(r"<tr><td>(\d+)</td><td>([A-Z_]+)</td><td>([^<]+)</td></tr>", html)
    assert [(line, column) for line, column, _ in cells] == [
        ("3", "UNIT_MEASURE"),
        ("4", "OBS_VALUE"),
    ]
    assert "-3 is negative" in cells[1][2]
    assert not DataValue.objects.exists()


def test_an_unfinished_import_polls_its_progress_with_htmx(people, client, tmp_path):
    login(client, people.th_focal)
    # The test's transaction never commits: the task is never queued, the upload stays pending.
    client.post(UPLOAD, {"file": csv_upload(tmp_path)})
    data_import = DataImport.objects.get()
    assert data_import.status == "pending"

    html = client.get(detail_url(data_import)).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{detail_url(data_import)}"' in html
    assert "Waiting for the worker" in html

    DataImport.objects.filter(pk=data_import.pk).update(status="running")
    tasks.record_progress(data_import.pk, "check", 2, 5)  # as the worker does
    fragment = client.get(detail_url(data_import), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section id="import-status"')  # the fragment alone
    assert "<html" not in text
    assert '<progress value="2" max="5"' in text and 'hx-trigger="every 2s"' in text

    tasks.record_progress(data_import.pk, "apply", 3, 5)
    text = client.get(detail_url(data_import), headers={"HX-Request": "true"}).content.decode()
    assert "writing them in one transaction: 3 of 5" in text
    assert '<progress value="3" max="5"' in text


def test_the_upload_limit_is_enforced(people, client, tmp_path, monkeypatch):
    monkeypatch.setattr(forms, "MAX_IMPORT_BYTES", 100)
    login(client, people.th_focal)
    response = client.post(UPLOAD, {"file": csv_upload(tmp_path)})
    assert response.status_code == 200
    assert "The file is larger than 100" in response.content.decode()
    assert not DataImport.objects.exists()


# --- who may see an import ---------------------------------------------------------------------


def test_an_import_is_seen_by_its_uploader_administrators_and_the_secretariat_only(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    login(client, people.th_focal)
    upload(client, django_capture_on_commit_callbacks, tmp_path)
    url = detail_url(DataImport.objects.get())
    client.logout()

    for who, status in [
        ("th_focal", 200),
        ("admin", 200),
        ("secretariat", 200),
        ("th_approver", 404),  # same Member State, not the uploader
        ("my_focal", 404),
        ("wg", 404),
    ]:
        login(client, getattr(people, who))
        assert client.get(url).status_code == status, who
        assert client.get(url, headers={"HX-Request": "true"}).status_code == status, who
        client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/statistics/import/999999/").status_code == 302


def test_the_recent_imports_list_shows_only_what_the_user_may_see(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    login(client, people.th_focal)
    upload(client, django_capture_on_commit_callbacks, tmp_path)
    client.logout()

    login(client, people.my_focal)
    assert "th-2020.csv" not in client.get(UPLOAD).content.decode()
    client.logout()
    login(client, people.admin)
    assert "th-2020.csv" in client.get(UPLOAD).content.decode()


def test_an_sdmx_ml_import_names_observations(
    people, client, tmp_path, django_capture_on_commit_callbacks
):
    from .test_sdmx import TH_OBSERVATIONS, structure_specific_message

    observations = [dict(TH_OBSERVATIONS[0], UNIT_MEASURE="PERSON")]
    path = structure_specific_message(tmp_path / "th.xml", observations)
    login(client, people.th_focal)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            UPLOAD, {"file": SimpleUploadedFile("th.xml", path.read_bytes(), "application/xml")}
        )
    data_import = DataImport.objects.get()
    assert data_import.format == "sdmx_ml"
    html = client.get(detail_url(data_import)).content.decode()
    assert '<th scope="col">Observation</th>' in html
    assert "<tr><td>1</td><td>UNIT_MEASURE</td>" in html


def test_the_upload_page_lists_imports_in_a_fixed_number_of_queries(
    people, client, tmp_path, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    login(client, people.admin)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(UPLOAD, {"file": csv_upload(tmp_path, name=f"th-{n}.csv")})
    with django_assert_max_num_queries(5):
        response = client.get(UPLOAD)
    assert response.content.decode().count("/statistics/import/") >= 3
