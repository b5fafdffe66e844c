"""The audit log is an append-only hash chain: every event links to the one before it, the
database refuses edits, and `pantau audit verify` names the first event that was tampered with
by somebody who got past the database's refusal."""

import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from pantau.audit.chain import GENESIS_HASH, event_hash
from pantau.audit.models import AuditChainHead, AuditEvent
from pantau.audit.services import _fields_of, record, verify
from pantau.core.actors import SystemActor
from pantau.core.request_context import current_request_id
from pantau.members.models import Agency

pytestmark = pytest.mark.django_db


def _append_three() -> list[AuditEvent]:
    with transaction.atomic():
        return [
            record(
                actor=SystemActor("chain test"),
                action=f"test.event.{n}",
                object_type="test.thing",
                object_id=str(n),
                object_repr=f"Thing {n}",
                member_state="TH",
                before={"n": n - 1},
                after={"n": n},
            )
            for n in (1, 2, 3)
        ]


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _drop_append_only_triggers() -> None:
    """What somebody with a SQL prompt would do first. Rolled back with the test's transaction
    (DDL is transactional on both PostgreSQL and SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


def _verify_command_fails() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=StringIO())
    return str(caught.value)


def test_record_stores_who_did_what_to_which_object(make_user):
    user = make_user("focal_point", "TH")
    agency = Agency.objects.get(member_state__code="TH", is_lead=True)
    with transaction.atomic():
        event = record(
            actor=user,
            action="members.agency.update",
            obj=agency,
            member_state="TH",
            before={"email": ""},
            after={"email": "oncb@example.org"},
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == user
    assert stored.actor_label == user.username
    assert stored.action == "members.agency.update"
    assert stored.object_type == "members.agency"
    assert stored.object_id == str(agency.pk)
    assert stored.object_repr == str(agency)
    assert stored.member_state == "TH"
    assert stored.before == {"email": ""}
    assert stored.after == {"email": "oncb@example.org"}
    assert stored.request_id == current_request_id()
    assert stored.request_id
    assert stored.occurred_at.tzinfo is not None


def test_a_system_actor_is_kept_by_its_name():
    with transaction.atomic():
        event = record(
            actor=SystemActor("pantau import"), action="test.script", object_type="test.thing"
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.actor_label == "pantau import"


@pytest.mark.parametrize("actor", [None, "pantau import", AnonymousUser()])
def test_an_unnamed_actor_is_refused_and_nothing_is_written(actor):
    count = AuditEvent.objects.count()
    with pytest.raises(TypeError), transaction.atomic():
        record(actor=actor, action="test.nobody", object_type="test.thing")
    assert AuditEvent.objects.count() == count


def test_each_event_links_to_the_previous_one_and_the_head_follows():
    head_before = AuditChainHead.objects.get(pk=1)
    events = _append_three()
    assert events[0].prev_hash == head_before.last_hash
    assert events[0].pk == head_before.last_event_id + 1
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_event_id == events[2].pk
    assert head.last_hash == events[2].hash
    assert head.count == head_before.count + 3
    # The whole stored chain links up from the genesis hash.
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id"):
        assert event.prev_hash == previous
        previous = event.hash


def test_a_fresh_chain_verifies():
    _append_three()
    result = verify()
    assert result.ok, result.reason
    assert result.checked == AuditEvent.objects.count()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"{AuditEvent.objects.count()} events verified" in out.getvalue()


def test_values_that_are_not_plain_json_still_verify_after_the_round_trip():
    with transaction.atomic():
        record(
            actor=SystemActor("chain test"),
            action="test.types",
            object_type="test.thing",
            after={
                "when": datetime(2025, 10, 26, 9, 30, 0, 123456, tzinfo=UTC),
                "amount": Decimal("1.50"),
                "nested": {"b": [1, 2], "a": None},
                "text": "Thaïland ✓",
            },
        )
    assert verify().ok


def test_the_database_refuses_update_and_delete_of_events():
    event = _append_three()[1]
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = %s WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        params = ["forged", event.pk] if sql.startswith("UPDATE") else [event.pk]
        with pytest.raises(DatabaseError), transaction.atomic():
            _execute(sql, params)
    # The ORM's bulk paths hit the same wall.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == event.action
    assert verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_postgresql_refuses_truncate():
    _append_three()
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        _execute("TRUNCATE audit_auditevent", [])
    assert AuditEvent.objects.count() == count


def test_the_model_refuses_save_of_an_existing_event_and_delete():
    event = _append_three()[0]
    event.action = "forged"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event.1"


def test_record_outside_a_transaction_is_refused():
    """A fresh thread has its own connection in autocommit: exactly what a careless caller
    outside any service transaction would have."""
    count = AuditEvent.objects.count()
    caught: list[BaseException] = []

    def outside():
        try:
            record(actor=SystemActor("careless"), action="test.outside", object_type="test.thing")
        except BaseException as exc:
            caught.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=outside)
    thread.start()
    thread.join()
    assert len(caught) == 1
    assert isinstance(caught[0], RuntimeError)
    assert "inside" in str(caught[0])
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("field", ["action", "after"])
def test_editing_an_event_is_detected_and_named(field):
    first, middle, _ = _append_three()
    table = AuditEvent._meta.db_table
    column = connection.ops.quote_name(field)
    value = "forged.action" if field == "action" else json.dumps({"n": 999})
    placeholder = (
        "CAST(%s AS jsonb)" if field == "after" and connection.vendor == "postgresql" else "%s"
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        _execute(f"UPDATE {table} SET {column} = {placeholder} WHERE id = %s", [value, middle.pk])
    assert verify().ok

    _drop_append_only_triggers()
    _execute(f"UPDATE {table} SET {column} = {placeholder} WHERE id = %s", [value, middle.pk])
    tampered = AuditEvent.objects.get(pk=middle.pk)
    assert getattr(tampered, field) == ("forged.action" if field == "action" else {"n": 999})

    result = verify()
    assert not result.ok
    assert result.broken_event_id == middle.pk
    assert "hash" in result.reason
    message = _verify_command_fails()
    assert f"#{middle.pk}" in message
    assert f"#{first.pk}" not in message


def test_recomputing_the_hash_of_an_edited_event_breaks_the_next_link():
    _, middle, last = _append_three()
    _drop_append_only_triggers()
    middle.action = "forged.action"
    forged_hash = event_hash(_fields_of(middle))
    _execute(
        f"UPDATE {AuditEvent._meta.db_table} SET action = %s, hash = %s WHERE id = %s",
        ["forged.action", forged_hash, middle.pk],
    )
    result = verify()
    assert not result.ok
    assert result.broken_event_id == last.pk
    assert f"#{last.pk}" in _verify_command_fails()


def test_deleting_a_middle_event_names_the_next_one():
    _, middle, last = _append_three()
    with pytest.raises(DatabaseError), transaction.atomic():
        _execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [middle.pk])
    _drop_append_only_triggers()
    _execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [middle.pk])
    result = verify()
    assert not result.ok
    assert result.broken_event_id == last.pk
    assert "deleted or edited" in result.reason
    message = _verify_command_fails()
    assert f"#{last.pk}" in message


def test_deleting_the_last_event_is_detected_by_the_head():
    *_, last = _append_three()
    _drop_append_only_triggers()
    _execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [last.pk])
    result = verify()
    assert not result.ok
    assert result.broken_event_id == last.pk
    assert "removed from the end" in result.reason
    assert f"#{last.pk}" in _verify_command_fails()
