"""Web imports in the background: the upload is stored and queued once committed, the task
runs pipeline.run_import on the pending record with its progress, idempotently; with the
immediate backend, and once through the real database queue and its worker."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from pantau.accounts.models import User
from pantau.audit.models import AuditEvent

from ..ingest import pipeline, services, tasks
from ..models import DataImport, DataValue
from .factories import GOOD_ROWS, write_csv

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def upload_of(tmp_path: Path, rows=GOOD_ROWS, name: str = "th-2020.csv") -> SimpleUploadedFile:
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def stored_name(data_import: DataImport) -> str:
    event = AuditEvent.objects.get(action="statistics.import.upload", object_id=str(data_import.pk))
    return event.after["stored_as"]


def test_an_upload_is_stored_pending_and_imported_after_commit(
    people, tmp_path, media, immediate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )
        pending = DataImport.objects.get(pk=data_import.pk)
        assert (pending.status, pending.progress, pending.total) == ("pending", 0, None)
        assert not DataValue.objects.exists()  # nothing runs before the commit

    assert len(callbacks) >= 1
    stored = Path(media) / stored_name(data_import)
    assert stored.is_file() and stored.parent.parent.parent.parent.name == "imports"
    assert stored.read_bytes() == (tmp_path / "th-2020.csv").read_bytes()
    data_import.refresh_from_db()
    assert data_import.status == "applied"
    assert data_import.counts == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert (data_import.progress, data_import.total) == (5, 5)
    assert data_import.uploaded_by == people.th_focal
    assert data_import.file_name == "th-2020.csv"
    assert data_import.finished_at is not None
    # The pending record was filled in, not duplicated; the values point to it.
    assert DataImport.objects.count() == 1
    assert set(DataValue.objects.values_list("data_import", flat=True)) == {data_import.pk}
    actions = AuditEvent.objects.filter(
        object_type="statistics.dataimport", object_id=str(data_import.pk)
    ).values_list("action", flat=True)
    assert list(actions.order_by("id")) == ["statistics.import.upload", "statistics.import.apply"]


def test_progress_is_shown_while_rows_are_checked_and_written(
    people, tmp_path, immediate, django_capture_on_commit_callbacks, monkeypatch, client
):
    """The import runs in one transaction: its progress goes beside the uploads, where the
    import's page reads it while the record still says 'running'."""
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 2)
    client.force_login(people.th_focal)
    seen = []
    record_progress = tasks.record_progress

    def spy(data_import_id, phase, done, total):
        record_progress(data_import_id, phase, done, total)
        page = client.get(
            reverse("statistics:import-detail", args=[data_import_id]), headers={"HX-Request": "1"}
        )
        seen.append((phase, done, total, tasks.read_progress(data_import_id), page.text))

    monkeypatch.setattr(tasks, "record_progress", spy)
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )

    assert [(phase, done, total) for phase, done, total, *_ in seen] == [
        ("check", 2, 5),
        ("check", 4, 5),
        ("check", 5, 5),
        ("apply", 0, 5),
        ("apply", 0, 5),
        ("apply", 5, 5),
    ]
    assert all(read == {"phase": p, "done": d, "total": t} for p, d, t, read, _ in seen)
    assert "Checking rows: 4 of about 5" in seen[1][4]
    assert "writing them in one transaction: 5 of 5" in seen[-1][4]
    # Finished: the record has the outcome, the progress file is gone.
    data_import.refresh_from_db()
    assert data_import.status == "applied"
    assert tasks.read_progress(data_import.pk) is None


def test_a_bad_file_fails_listing_every_problem_and_writes_nothing(
    people, tmp_path, immediate, django_capture_on_commit_callbacks
):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][7] = "POUND"
    rows[3][0] = "MY"  # another Member State than the focal point's
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path, rows)
        )

    data_import.refresh_from_db()
    assert data_import.status == "failed"
    assert [(p["line"], p["column"]) for p in data_import.problems] == [
        (3, "UNIT_MEASURE"),
        (5, "REF_AREA"),
    ]
    assert data_import.problem_count == 2
    assert not DataValue.objects.exists()


def test_a_dry_run_counts_and_writes_no_value(
    people, tmp_path, immediate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path), dry_run=True
        )
    data_import.refresh_from_db()
    assert (data_import.status, data_import.dry_run) == ("checked", True)
    assert data_import.counts["created"] == 5
    assert not DataValue.objects.exists()


def test_the_task_is_idempotent(people, tmp_path, immediate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )
    values = list(DataValue.objects.values_list("id", "version", "updated_at"))
    events = AuditEvent.objects.count()

    again = tasks.run_import_task.call(data_import.pk, stored_name(data_import))

    assert again == {"status": "applied"}
    assert list(DataValue.objects.values_list("id", "version", "updated_at")) == values
    assert AuditEvent.objects.count() == events
    assert tasks.run_import_task.call(999_999, "imports/none.csv") == {"status": "missing"}


def test_an_import_left_running_by_a_dead_worker_runs_again(
    people, tmp_path, django_capture_on_commit_callbacks
):
    # Queued on the database backend; the worker that took it died mid-way.
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )
    DataImport.objects.filter(pk=data_import.pk).update(status="running", progress=3, total=5)

    result = tasks.run_import_task.call(data_import.pk, stored_name(data_import))

    assert result["status"] == "applied"
    assert DataValue.objects.count() == 5


def test_an_uploader_who_lost_the_right_to_import_is_refused_at_run_time(
    people, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )
    User.objects.filter(pk=people.th_focal.pk).update(is_active=False)

    result = tasks.run_import_task.call(data_import.pk, stored_name(data_import))

    data_import.refresh_from_db()
    assert result["status"] == data_import.status == "error"
    assert "refused" in data_import.problems[0]["message"]
    assert not DataValue.objects.exists()


def test_people_who_may_not_import_cannot_queue_a_file(people, tmp_path, media):
    from pantau.core.exceptions import PermissionDenied

    for user in (people.secretariat, people.wg):
        with pytest.raises(PermissionDenied):
            services.register_import(acting_user=user, uploaded_file=upload_of(tmp_path))
    assert not DataImport.objects.exists()
    assert not Path(media).exists() or not any(Path(media).rglob("*.csv"))


def test_the_database_worker_runs_a_queued_import(
    people, tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """The production path: the task goes to the database queue (django_tasks_db) and
    `db_worker --batch` (what `pantau worker --batch` runs) picks it up."""
    settings.TASKS = DATABASE
    # The worker runs in this test's transaction: keep its connection and signal handlers.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.configure_signals", lambda self: None
    )
    with django_capture_on_commit_callbacks(execute=True):
        data_import = services.register_import(
            acting_user=people.th_focal, uploaded_file=upload_of(tmp_path)
        )

    queued = DBTaskResult.objects.get(task_path="pantau.statistics.ingest.tasks.run_import_task")
    assert queued.status == "READY"
    assert queued.args_kwargs["args"] == [data_import.pk, stored_name(data_import)]
    data_import.refresh_from_db()
    assert data_import.status == "pending"

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload", verbosity=0
    )

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", queued.traceback
    assert queued.return_value["status"] == "applied"
    data_import.refresh_from_db()
    assert data_import.status == "applied"
    assert data_import.counts["created"] == 5
    assert DataValue.objects.filter(data_import=data_import).count() == 5
