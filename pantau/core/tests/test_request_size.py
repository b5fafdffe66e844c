"""A request body larger than PANTAU_MAX_REQUEST_BYTES is refused from its Content-Length,
before anything reads it: nothing is streamed to disk and nothing is written."""

import pytest
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.statistics.models import DataImport

pytestmark = pytest.mark.django_db


def files_under(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.PANTAU_MAX_REQUEST_BYTES = 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(
    client, make_user, small_limit
):
    user = make_user("focal_point", "TH")
    client.force_login(user)
    events, imports = AuditEvent.objects.count(), DataImport.objects.count()
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    body += b"REF_AREA,TIME_PERIOD\r\n" * 100 + b"\r\n--x--\r\n"

    response = client.post(
        reverse("statistics:import"),
        data=body,
        content_type="multipart/form-data; boundary=x",
    )

    assert response.status_code == 413
    assert "the limit is 1.0 KB" in response.text
    assert "pantau import" in response.text
    assert DataImport.objects.count() == imports
    assert AuditEvent.objects.count() == events
    assert files_under(small_limit.MEDIA_ROOT) == []


def test_the_api_answers_413_in_json(client, small_limit):
    response = client.post(
        "/api/v1/data/imports",
        data=b"x" * 2000,
        content_type="multipart/form-data; boundary=x",
    )

    assert response.status_code == 413
    assert "the limit is" in response.json()["detail"]


def test_a_request_within_the_limit_goes_on(client, small_limit):
    # Refused for what it is (no CSRF token), not for its size.
    response = client.post(reverse("statistics:import"), data={"dry_run": "1"})
    assert response.status_code != 413
