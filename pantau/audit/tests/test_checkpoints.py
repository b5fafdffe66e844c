"""Signed checkpoints: the head of the chain signed with an Ed25519 key and logged outside the
database. Whoever holds only the database can rewrite the unkeyed chain so that it verifies
again; the checkpoints they cannot re-sign are what catch it."""

import base64
import json
import stat
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pantau.audit import checkpoints
from pantau.audit.chain import event_hash
from pantau.audit.models import AuditChainHead, AuditEvent
from pantau.audit.services import _fields_of, record, verify, write_checkpoint
from pantau.audit.tasks import checkpoint_task
from pantau.core.actors import SystemActor

from .test_chain import _drop_append_only_triggers, _execute

pytestmark = pytest.mark.django_db


def _append(count: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            record(
                actor=SystemActor("checkpoint test"),
                action=f"test.checkpoint.{n}",
                object_type="test.thing",
                object_id=str(n),
                member_state="TH",
                after={"n": n},
            )
            for n in range(1, count + 1)
        ]


def _log_lines() -> list[dict]:
    path = checkpoints.checkpoint_file()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _checkpoint() -> str:
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    return out.getvalue()


def _verify_fails() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    return str(caught.value)


def _rewrite_from(event: AuditEvent, action: str) -> None:
    """The attack the unkeyed chain cannot see: edit one event, then recompute its hash, the
    links and hashes of every later event, and the head, so the whole chain verifies again."""
    _drop_append_only_triggers()
    table = AuditEvent._meta.db_table
    previous = AuditEvent.objects.filter(pk__lt=event.pk).order_by("-pk").first()
    prev_hash = previous.hash if previous else "0" * 64
    for later in AuditEvent.objects.filter(pk__gte=event.pk).order_by("pk"):
        if later.pk == event.pk:
            later.action = action
        later.prev_hash = prev_hash
        later.hash = event_hash(_fields_of(later))
        _execute(
            f"UPDATE {table} SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [later.action, later.prev_hash, later.hash, later.pk],
        )
        prev_hash = later.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev_hash)


def test_keygen_writes_a_private_key_only_its_owner_reads_and_its_public_key():
    out = StringIO()
    call_command("audit", "keygen", stdout=out)
    key_path = checkpoints.key_file()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(private_key, Ed25519PrivateKey)
    public_path = key_path.with_name("audit-signing.key.pub")
    public_key = serialization.load_pem_public_key(public_path.read_bytes())
    assert isinstance(public_key, Ed25519PublicKey)
    assert checkpoints.key_id(public_key) == checkpoints.key_id(private_key.public_key())
    assert str(public_path) in out.getvalue()

    with pytest.raises(CommandError, match="already exists"):
        call_command("audit", "keygen", stdout=StringIO())
    assert key_path.read_bytes() == private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_a_checkpoint_signs_the_head_and_creates_the_key_on_first_use():
    *_, last = _append(3)
    assert not checkpoints.key_file().exists()
    assert "Signed the chain head" in _checkpoint()

    assert stat.S_IMODE(checkpoints.key_file().stat().st_mode) == 0o600
    [line] = _log_lines()
    assert line["event_id"] == last.pk
    assert line["hash"] == last.hash
    signed_at = line["signed_at"]
    assert signed_at.endswith("+00:00")
    # Anybody holding the public key can check the line with the cryptography library alone.
    public_key = serialization.load_pem_public_key(checkpoints.public_key_file().read_bytes())
    assert isinstance(public_key, Ed25519PublicKey)
    payload = {k: v for k, v in line.items() if k != "signature"}
    message = (
        checkpoints.SIGNING_CONTEXT
        + json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    )
    public_key.verify(base64.b64decode(line["signature"]), message)  # raises if invalid


def test_a_checkpoint_is_written_only_when_the_head_has_moved():
    _append(2)
    _checkpoint()
    assert "has not moved" in _checkpoint()
    result = write_checkpoint()
    assert not result.written
    assert len(_log_lines()) == 1

    *_, last = _append(1)
    assert write_checkpoint().written
    assert [line["event_id"] for line in _log_lines()][-1] == last.pk
    assert len(_log_lines()) == 2


def test_a_clean_chain_with_checkpoints_verifies():
    for _ in range(3):
        _append(2)
        _checkpoint()
    result = verify()
    assert result.ok, result.problems
    assert result.checkpoints == 3
    assert result.checked == AuditEvent.objects.count()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("Audit chain intact")
    assert "checked against 3 signed checkpoints" in out.getvalue()


def test_a_verify_only_installation_needs_just_the_public_key(settings, tmp_path):
    _append(2)
    _checkpoint()
    public_copy = tmp_path / "elsewhere" / "audit.pub"
    public_copy.parent.mkdir()
    public_copy.write_bytes(checkpoints.public_key_file().read_bytes())
    settings.PANTAU_AUDIT_KEY_FILE = tmp_path / "no-such.key"
    settings.PANTAU_AUDIT_PUBLIC_KEY_FILE = str(public_copy)
    result = verify()
    assert result.ok, result.problems
    assert result.checkpoints == 1


def test_a_rewritten_chain_that_verifies_without_checkpoints_fails_against_them(settings):
    _, middle, last = _append(3)
    _checkpoint()
    _rewrite_from(middle, "forged.action")

    # What `pantau audit verify` said before checkpoints existed: nothing wrong.
    log = checkpoints.checkpoint_file()
    settings.PANTAU_AUDIT_CHECKPOINT_FILE = log.with_name("none.jsonl")
    assert verify().ok
    settings.PANTAU_AUDIT_CHECKPOINT_FILE = log

    result = verify()
    assert not result.ok
    assert [p.event_id for p in result.problems] == [last.pk]
    assert "rewritten" in result.reason
    message = _verify_fails()
    assert f"#{last.pk}: its hash is not the one checkpoint line 1" in message
    # And the worker will not sign the rewritten head.
    with pytest.raises(CommandError, match="not signing"):
        _checkpoint()
    assert len(_log_lines()) == 1


def test_the_rewrite_is_placed_between_two_checkpoints():
    _append(2)
    _checkpoint()
    good = AuditChainHead.objects.get(pk=1).last_event_id
    middle, last = _append(2)
    _checkpoint()
    _rewrite_from(middle, "forged.action")
    result = verify()
    assert not result.ok
    assert [p.event_id for p in result.problems] == [last.pk]
    assert f"after #{good}" in result.reason


def test_events_cut_off_the_end_under_a_checkpoint_are_reported_missing():
    _, middle, last = _append(3)
    _checkpoint()
    _drop_append_only_triggers()
    _execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [last.pk])
    head = AuditChainHead.objects.get(pk=1)
    AuditChainHead.objects.filter(pk=1).update(
        last_event_id=middle.pk, last_hash=middle.hash, count=head.count - 1
    )
    result = verify()
    assert not result.ok
    [problem] = result.problems
    assert problem.event_id == last.pk
    assert "missing" in problem.reason
    assert f"#{last.pk}" in _verify_fails()


def test_a_forged_or_altered_checkpoint_is_reported():
    _append(2)
    _checkpoint()
    _append(1)
    _checkpoint()
    log = checkpoints.checkpoint_file()
    genuine = log.read_text().splitlines()
    # Line 2 altered (its hash), line 3 signed with somebody else's key, line 4 not JSON.
    altered = json.loads(genuine[1])
    altered["hash"] = "f" * 64
    forged = checkpoints.sign(
        Ed25519PrivateKey.generate(),
        event_id=AuditChainHead.objects.get(pk=1).last_event_id,
        hash="e" * 64,
        at=timezone.now() - timedelta(hours=1),
    )
    log.write_text(
        genuine[0] + "\n" + json.dumps(altered) + "\n" + forged.to_line() + "{not json\n"
    )
    result = verify()
    assert not result.ok
    assert result.checkpoints == 1
    reasons = [str(p) for p in result.problems]
    assert len(reasons) == 3, reasons
    assert "checkpoint line 2" in reasons[1] and "invalid signature" in reasons[1]
    assert "checkpoint line 3" in reasons[2] and "invalid signature" in reasons[2]
    assert "checkpoint line 4 is unreadable" in reasons[0]
    message = _verify_fails()
    for line in (2, 3, 4):
        assert f"checkpoint line {line}" in message


def test_every_tampered_and_missing_event_is_reported():
    events = _append(6)
    _checkpoint()
    table = AuditEvent._meta.db_table
    _drop_append_only_triggers()
    _execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["forged", events[0].pk])
    _execute(f"UPDATE {table} SET object_repr = %s WHERE id = %s", ["forged", events[2].pk])
    _execute(f"DELETE FROM {table} WHERE id IN (%s, %s)", [events[3].pk, events[4].pk])

    result = verify()
    assert not result.ok
    by_event: dict[int | None, str] = {}
    for problem in result.problems:
        by_event[problem.event_id] = by_event.get(problem.event_id, "") + problem.reason
    assert set(by_event) >= {events[0].pk, events[2].pk, events[5].pk}
    assert "content does not match" in by_event[events[0].pk]
    assert "content does not match" in by_event[events[2].pk]
    assert f"#{events[3].pk} to #{events[4].pk} before it are missing" in by_event[events[5].pk]
    message = _verify_fails()
    assert "problem(s)" in message
    for event in (events[0], events[2], events[3], events[5]):
        assert f"#{event.pk}" in message


def test_a_log_without_its_public_key_cannot_pass(settings, tmp_path):
    _append(1)
    _checkpoint()
    settings.PANTAU_AUDIT_KEY_FILE = tmp_path / "gone.key"
    settings.PANTAU_AUDIT_PUBLIC_KEY_FILE = str(tmp_path / "gone.key.pub")
    result = verify()
    assert not result.ok
    assert "no public key" in result.reason


def test_a_key_readable_by_others_is_refused():
    _append(1)
    call_command("audit", "keygen", stdout=StringIO())
    checkpoints.key_file().chmod(0o644)
    with pytest.raises(CommandError, match="chmod 600"):
        _checkpoint()
    assert _log_lines() == []


def test_the_worker_task_checkpoints_and_queues_its_next_run(settings):
    *_, last = _append(2)
    call_command("audit", "checkpoint", "--enqueue", stdout=StringIO())
    queued = DBTaskResult.objects.get(task_path=checkpoint_task.module_path)
    assert queued.status == TaskResultStatus.READY

    # What the worker does with it.
    assert checkpoint_task.call() == {"written": True, "event_id": last.pk}
    assert checkpoint_task.call() == {"written": False, "event_id": last.pk}
    assert len(_log_lines()) == 1
    waiting = DBTaskResult.objects.filter(
        task_path=checkpoint_task.module_path, status=TaskResultStatus.READY
    )
    # The one queued at start still waits (the worker would take it), so no run queued another.
    assert waiting.count() == 1
    waiting.delete()
    checkpoint_task.call()
    [next_run] = waiting.all()
    expected = timezone.now() + timedelta(seconds=settings.PANTAU_AUDIT_CHECKPOINT_SECONDS)
    assert abs((next_run.run_after - expected).total_seconds()) < 60


def test_pantau_worker_writes_a_checkpoint_when_it_starts(monkeypatch):
    """`pantau worker --batch` queues the checkpoint and runs it; the next run waits its hour."""
    # The worker runs in this test's transaction: keep its connection and signal handlers.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.configure_signals", lambda self: None
    )
    *_, last = _append(1)
    call_command("worker", "--batch", stdout=StringIO(), verbosity=0)
    assert [line["event_id"] for line in _log_lines()] == [last.pk]
    statuses = set(
        DBTaskResult.objects.filter(task_path=checkpoint_task.module_path).values_list(
            "status", flat=True
        )
    )
    assert statuses == {TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY}
