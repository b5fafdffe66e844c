"""Boundary files: uploaded by a Member State's focal point, parsed by the worker, loaded as the
state's next version or refused whole with every problem; everybody else is refused and
nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.cultivation.boundaries import register_boundary_file
from pantau.cultivation.models import AdminArea, BoundaryVersion
from pantau.members.models import MemberState

from .files import MM_AREAS, geojson_bytes, shapefile_zip, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(run_tasks):
    def do(user, data: bytes, name="areas.geojson", state="MM"):
        with run_tasks():
            return register_boundary_file(
                acting_user=user,
                member_state=MemberState.objects.get(code=state),
                uploaded_file=SimpleUploadedFile(name, data),
            )

    return do


def counts():
    return (BoundaryVersion.objects.count(), AdminArea.objects.count(), AuditEvent.objects.count())


def test_the_worker_loads_a_good_file_as_the_next_version(make_user, upload):
    focal = make_user("focal_point", "MM")
    first = upload(focal, geojson_bytes())
    first.refresh_from_db()
    assert (first.status, first.version, first.area_count) == ("applied", 1, 3)
    second = upload(focal, shapefile_zip(), name="areas.zip")
    second.refresh_from_db()
    assert (second.status, second.version) == ("applied", 2)
    assert list(BoundaryVersion.objects.current()) == [second]
    # The earlier version is kept: boundaries change, surveys drawn on them stay.
    assert AdminArea.objects.filter(boundary=first).count() == 3
    assert AuditEvent.objects.filter(action="cultivation.boundaries.load").count() == 2


def test_a_broken_file_loads_nothing_and_lists_every_problem(make_user, upload):
    focal = make_user("focal_point", "MM")
    areas = [*MM_AREAS, {"code": "MM-X1", "name": "Twice", "parent": "", "ring": square(97, 22)}]
    bad = upload(focal, geojson_bytes(areas))
    bad.refresh_from_db()
    assert bad.status == "failed" and bad.version is None
    assert bad.problems == [
        {"feature": 4, "field": "code", "message": "'MM-X1' is already the code of feature 1"}
    ]
    assert AdminArea.objects.count() == 0


@pytest.mark.parametrize("who", ["other-state", "approver", "wg", "secretariat"])
def test_only_the_states_focal_point_uploads(make_user, upload, who):
    user = {
        "other-state": lambda: make_user("focal_point", "TH"),
        "approver": lambda: make_user("approver", "MM"),
        "wg": lambda: make_user("wg_member", group="AD"),
        "secretariat": lambda: make_user("secretariat"),
    }[who]()
    before = counts()
    with pytest.raises(PermissionDenied):
        upload(user, geojson_bytes())
    assert counts() == before


def test_a_file_too_large_is_refused_before_it_is_kept(make_user, upload, monkeypatch):
    from pantau.cultivation import boundaries

    monkeypatch.setattr(boundaries, "MAX_FILE_BYTES", 100)
    focal = make_user("focal_point", "MM")
    before = counts()
    with pytest.raises(boundaries.BoundaryFileRefused, match="at most"):
        upload(focal, geojson_bytes())
    assert counts() == before


def test_api_upload_is_queued_then_loaded_or_refused(api_client, make_user, run_tasks):
    focal = make_user("focal_point", "MM")
    headers = api_client.bearer(focal)
    with run_tasks():
        queued = api_client.post(
            "/api/v1/cultivation/boundaries",
            {"file": SimpleUploadedFile("a.zip", shapefile_zip()), "REF_AREA": "MM"},
            headers=headers,
        )
    assert queued.status_code == 202, queued.content
    assert queued.json()["status"] == "pending"
    ok = api_client.get(queued["Location"], headers=headers)
    assert ok.json()["version"] == 1 and ok.json()["area_count"] == 3
    areas = api_client.get("/api/v1/cultivation/areas?REF_AREA=MM", headers=headers).json()
    assert [a["code"] for a in areas["areas"]] == ["MM-X1", "MM-X1A", "MM-X1B"]
    assert areas["areas"][0]["geometry"]["type"] == "Polygon"
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[97, 21], [98, 22], [98, 21], [97, 22], [97, 21]]],
    }
    with run_tasks():
        queued = api_client.post(
            "/api/v1/cultivation/boundaries",
            {
                "file": SimpleUploadedFile(
                    "b.geojson",
                    geojson_bytes([{"code": "Z", "name": "Z", "parent": "", "geometry": bowtie}]),
                ),
                "REF_AREA": "MM",
            },
            headers=headers,
        )
    bad = api_client.get(queued["Location"], headers=headers)
    assert bad.json()["status"] == "failed"
    assert bad.json()["problems"][0]["feature"] == 1
    assert bad.json()["problems"][0]["field"] == "geometry"
    assert AdminArea.objects.count() == 3


def test_api_refuses_another_states_focal_point_and_anonymous(api_client, make_user, upload):
    other = make_user("focal_point", "TH")
    before = counts()
    denied = api_client.post(
        "/api/v1/cultivation/boundaries",
        {"file": SimpleUploadedFile("a.geojson", geojson_bytes()), "REF_AREA": "MM"},
        headers=api_client.bearer(other),
    )
    assert denied.status_code == 403
    anonymous = api_client.post(
        "/api/v1/cultivation/boundaries",
        {"file": SimpleUploadedFile("a.geojson", geojson_bytes()), "REF_AREA": "MM"},
    )
    assert anonymous.status_code == 401
    after = counts()
    # Issuing the token is audited; nothing of the cultivation app changed.
    assert after[:2] == before[:2]


def test_pages_upload_show_the_problems_and_hide_other_states_uploads(
    client, make_user, upload, run_tasks
):
    focal = make_user("focal_point", "MM")
    client.force_login(focal)
    page = client.get("/cultivation/boundaries/")
    assert page.status_code == 200 and b"Upload" in page.content
    with run_tasks():
        answer = client.post(
            "/cultivation/boundaries/",
            {"member_state": "MM", "file": SimpleUploadedFile("a.zip", shapefile_zip())},
        )
    assert answer.status_code == 302
    detail = client.get(answer["Location"])
    assert b"MM-X1A" in detail.content and b"map-spec" in detail.content
    refused = upload(
        focal, geojson_bytes([{"code": "Q", "name": "", "parent": "", "ring": square(97, 21)}])
    )
    # The problems are shown to the state's own roles; to others the upload does not exist.
    assert b"every area has a name" in client.get(f"/cultivation/boundaries/{refused.pk}/").content
    thai, wg = make_user("focal_point", "TH"), make_user("wg_member", group="AD")
    client.force_login(thai)
    assert client.get(f"/cultivation/boundaries/{refused.pk}/").status_code == 404
    before = counts()
    assert (
        client.post(
            "/cultivation/boundaries/",
            {"member_state": "MM", "file": SimpleUploadedFile("a.zip", shapefile_zip())},
        ).status_code
        == 200
    )  # the form offers Thailand only: MM is not a choice
    assert counts() == before
    client.force_login(wg)
    assert client.post("/cultivation/boundaries/", {}).status_code == 403
    assert counts() == before
    client.logout()
    assert client.get("/cultivation/boundaries/").status_code == 302
