"""Writing and verifying the audit log. Services of every app call `record` inside their
own transaction, so an event exists exactly when its change does."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pantau.core.actors import Actor, SystemActor, actor_label, is_user
from pantau.core.request_context import current_client_address, current_request_id

from .chain import GENESIS_HASH, event_hash, to_json_value
from .models import AuditChainHead, AuditEvent


def snapshot(instance: Model, fields: list[str] | None = None) -> dict:
    """A JSON-ready dict of a model instance's concrete fields (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = getattr(instance, field.attname)
    return to_json_value(data)


def record(
    *,
    actor: Actor,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    member_state: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )
    if not isinstance(actor, SystemActor) and not getattr(actor, "is_authenticated", False):
        raise TypeError(f"an audited change needs a user or a SystemActor, not {actor!r}")
    by_user = is_user(actor)
    # Appends are serialised by the head lock, so the next id is known before the insert and
    # the hash (which covers the id) is written with the row: the log never takes an UPDATE.
    event = AuditEvent(
        id=head.last_event_id + 1,
        occurred_at=timezone.now().astimezone(UTC),
        actor=None if isinstance(actor, SystemActor) or not by_user else actor,
        actor_label=actor_label(actor)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        member_state=member_state,
        before=to_json_value(before) if before is not None else None,
        after=to_json_value(after) if after is not None else None,
        request_id=current_request_id(),
        client_address=current_client_address(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(_fields_of(event))
    event.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(
        last_event_id=event.pk, last_hash=event.hash, count=head.count + 1
    )
    return event


def _fields_of(event: AuditEvent) -> dict:
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "member_state": event.member_state,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order; report the first event whose hash or link is wrong."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    queryset = AuditEvent.objects.order_by("id")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                event.pk,
                "its previous-hash does not match the event before it "
                "(an earlier event was deleted or edited)",
            )
        if event_hash(_fields_of(event)) != event.hash:
            return VerifyResult(
                False, checked, event.pk, "its content does not match its hash (edited)"
            )
        prev_hash = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev_hash or head.last_event_id != last_id):
        return VerifyResult(
            False,
            checked,
            head.last_event_id,
            f"the chain ends at #{last_id} but its head records #{head.last_event_id} "
            "(events were removed from the end)",
        )
    if head is not None and head.count != checked:
        return VerifyResult(
            False,
            checked,
            head.last_event_id,
            f"the head counts {head.count} events, found {checked}",
        )
    return VerifyResult(True, checked)


# --- audited upserts (the loaders of reference rows: metadata, rules, Member States) ----------


def _comparable(value, name: str | None = None):
    """A field's value for comparison: a related object by its id (without fetching it)."""
    if name is not None:
        value = getattr(value, f"{name}_id" if hasattr(value, f"{name}_id") else name)
    return value.pk if hasattr(value, "pk") else value


def upsert_audited(
    *,
    acting_user: Actor,
    model: type[Model],
    lookup: dict,
    values: dict,
    update_existing: bool = True,
    member_state: str = "",
) -> tuple[Model, str]:
    """Create the row `lookup` with `values`, or bring an existing one in line with them (only
    when `update_existing`), each change audited. Returns the row and "created", "updated" or
    "unchanged". Must run inside the caller's transaction, like `record`."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        record(
            actor=acting_user,
            action=f"{model._meta.label_lower}.create",
            obj=obj,
            member_state=member_state,
            after=snapshot(obj),
        )
        return obj, "created"
    changed = [k for k, v in values.items() if _comparable(obj, k) != _comparable(v)]
    if not changed or not update_existing:
        return obj, "unchanged"
    before = snapshot(obj)
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    record(
        actor=acting_user,
        action=f"{model._meta.label_lower}.update",
        obj=obj,
        member_state=member_state,
        before=before,
        after=snapshot(obj),
    )
    return obj, "updated"


@dataclass
class UpsertTally:
    """What loading a file of reference rows (metadata, rules) did: the labels of the rows
    created and updated, and how many were already as the file says."""

    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0

    def upsert(self, label: str, **upsert_args) -> Model:
        """`upsert_audited(**upsert_args)`, counted under `label`; returns the row."""
        obj, outcome = upsert_audited(**upsert_args)
        if outcome == "unchanged":
            self.unchanged += 1
        else:
            getattr(self, outcome).append(label)
        return obj
