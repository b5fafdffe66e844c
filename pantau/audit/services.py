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

from . import checkpoints
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
class Problem:
    """One broken or missing event (or, with no event_id, one unusable checkpoint line)."""

    event_id: int | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.event_id is None else f"#{self.event_id}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    # The first problem, as before checkpoints existed; `problems` lists every one.
    broken_event_id: int | None = None
    reason: str = ""
    problems: tuple[Problem, ...] = ()
    checkpoints: int = 0  # signed checkpoints the chain was checked against
    notes: tuple[str, ...] = ()


@dataclass
class _Walk:
    problems: list[Problem]
    checked: int
    last_id: int
    last_hash: str
    hashes: dict[int, str]  # the stored hash of each event id asked for


def _ids(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first} to #{last}"


def _walk(*, start_id: int, prev_hash: str, wanted: set[int], batch_size: int) -> _Walk:
    """Check every event from `start_id` on: ids without gaps (appends give each event the
    head's id + 1), each event linked to the one before it, each content matching its hash."""
    walk = _Walk([], 0, start_id - 1, prev_hash, {})
    queryset = AuditEvent.objects.filter(id__gte=start_id).order_by("id")
    for event in queryset.iterator(chunk_size=batch_size):
        issues = []
        if event.prev_hash != walk.last_hash:
            issues.append(
                "its previous-hash does not match the event before it "
                "(an earlier event was deleted or edited)"
            )
        if event_hash(_fields_of(event)) != event.hash:
            issues.append("its content does not match its hash (edited)")
        if event.pk > walk.last_id + 1:
            issues.append(f"{_ids(walk.last_id + 1, event.pk - 1)} before it are missing (deleted)")
        if issues:
            walk.problems.append(Problem(event.pk, "; ".join(issues)))
        if event.pk in wanted:
            walk.hashes[event.pk] = event.hash
        walk.last_hash = event.hash
        walk.last_id = event.pk
        walk.checked += 1
    return walk


def _check_head(walk: _Walk, head: AuditChainHead | None, *, first_id: int = 1) -> None:
    if head is None:
        return
    if head.last_event_id > walk.last_id:
        walk.problems.append(
            Problem(
                walk.last_id + 1,
                f"the chain ends at #{walk.last_id} but its head records #{head.last_event_id}: "
                f"{_ids(walk.last_id + 1, head.last_event_id)} are missing "
                "(events were removed from the end)",
            )
        )
    elif head.last_hash != walk.last_hash or head.last_event_id != walk.last_id:
        walk.problems.append(
            Problem(
                head.last_event_id,
                f"the chain ends at #{walk.last_id} but its head records #{head.last_event_id} "
                "with another hash (the head or the last events were edited)",
            )
        )
    if first_id == 1 and head.count != walk.checked:
        walk.problems.append(
            Problem(
                head.last_event_id, f"the head counts {head.count} events, found {walk.checked}"
            )
        )


def _signed_checkpoints() -> tuple[list[checkpoints.Checkpoint], list[Problem], list[str]]:
    """The checkpoints whose signature verifies, the problems of the others, and notes."""
    path = checkpoints.checkpoint_file()
    if not path.exists():
        return [], [], [f"No checkpoint log at {path}: only the unkeyed hash chain was checked."]
    with path.open("rb") as fh:
        entries, bad = checkpoints.parse_log(fh)
    problems = [Problem(None, f"checkpoint line {n} is unreadable ({why})") for n, why in bad]
    if not entries:
        return [], problems, [f"The checkpoint log {path} holds no checkpoint yet."]
    try:
        public_key = checkpoints.load_public_key()
    except (checkpoints.CheckpointError, OSError, ValueError) as exc:
        problems.append(Problem(None, f"cannot check the {len(entries)} checkpoints: {exc}"))
        return [], problems, []
    expected_key = checkpoints.key_id(public_key)
    valid = []
    for checkpoint in entries:
        if checkpoint.signature_is_valid(public_key):
            valid.append(checkpoint)
        else:
            problems.append(
                Problem(
                    None,
                    f"{checkpoint} has an invalid signature (forged or altered; "
                    f"key {checkpoint.key_id}, the public key is {expected_key})",
                )
            )
    return valid, problems, []


def _check_against(walk: _Walk, signed: list[checkpoints.Checkpoint]) -> None:
    """Each checkpoint's event must still be there with the hash that was signed."""
    matching = sorted(c.event_id for c in signed if walk.hashes.get(c.event_id, c.hash) == c.hash)
    beyond = [c for c in signed if c.event_id > walk.last_id]
    if beyond:
        latest = max(beyond, key=lambda c: c.event_id)
        walk.problems.append(
            Problem(
                walk.last_id + 1,
                f"{_ids(walk.last_id + 1, latest.event_id)} are missing: {latest} signed the "
                f"chain up to #{latest.event_id}",
            )
        )
    for checkpoint in signed:
        stored = walk.hashes.get(checkpoint.event_id)
        if stored is None or stored == checkpoint.hash:
            continue  # missing events are reported by the walk or just above
        good = [n for n in matching if n < checkpoint.event_id]
        since = f" (after #{good[-1]}, which a checkpoint still matches)" if good else ""
        walk.problems.append(
            Problem(
                checkpoint.event_id,
                f"its hash is not the one {checkpoint} signed: the chain was rewritten at or "
                f"before this event{since}",
            )
        )


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order and check it against every signed checkpoint (see
    checkpoints.py); report every broken or missing event, not only the first."""
    signed, checkpoint_problems, notes = _signed_checkpoints()
    walk = _walk(
        start_id=1,
        prev_hash=GENESIS_HASH,
        wanted={c.event_id for c in signed},
        batch_size=batch_size,
    )
    _check_head(walk, AuditChainHead.objects.filter(pk=1).first())
    _check_against(walk, signed)
    problems = sorted(walk.problems, key=lambda p: p.event_id or 0) + checkpoint_problems
    if not problems:
        return VerifyResult(True, walk.checked, checkpoints=len(signed), notes=tuple(notes))
    return VerifyResult(
        False,
        walk.checked,
        problems[0].event_id,
        problems[0].reason,
        problems=tuple(problems),
        checkpoints=len(signed),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class CheckpointResult:
    written: bool
    checkpoint: checkpoints.Checkpoint | None
    message: str


def write_checkpoint(*, batch_size: int = 5000) -> CheckpointResult:
    """Sign the chain head and append it to the checkpoint log, unless the head has not moved
    since the last checkpoint. Only a head that extends the last signed one through an intact
    chain is signed: signing over a tampered chain would bless the tampering.

    Writes no audit event (that would move the head it signs, and nothing in the database
    changes). Raises CheckpointError when it refuses."""
    private_key = checkpoints.signing_key()
    public_key = private_key.public_key()
    with checkpoints.locked_log() as fh:
        entries, _ = checkpoints.parse_log(fh)
        signed = [c for c in entries if c.signature_is_valid(public_key)]
        last = signed[-1] if signed else None
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None or head.last_event_id == 0:
            return CheckpointResult(False, None, "The audit log is empty: nothing to sign.")
        if last is not None and (last.event_id, last.hash) == (head.last_event_id, head.last_hash):
            return CheckpointResult(
                False, last, f"The chain head has not moved since {last}: nothing written."
            )
        problems = _extends(last, head, batch_size)
        if problems:
            listed = "; ".join(str(p) for p in problems[:10])
            raise checkpoints.CheckpointError(
                f"not signing the head #{head.last_event_id}: the chain is broken ({listed}). "
                "Run `pantau audit verify`."
            )
        checkpoint = checkpoints.sign(
            private_key,
            event_id=head.last_event_id,
            hash=head.last_hash,
            at=timezone.now().astimezone(UTC),
        )
        checkpoints.append(fh, checkpoint)
    return CheckpointResult(True, checkpoint, f"Signed the chain head #{checkpoint.event_id}.")


def _extends(
    last: checkpoints.Checkpoint | None, head: AuditChainHead, batch_size: int
) -> list[Problem]:
    """The problems between the last signed checkpoint (or the genesis) and the head: only the
    events appended since are walked, so an hourly checkpoint stays cheap."""
    if last is None:
        walk = _walk(start_id=1, prev_hash=GENESIS_HASH, wanted=set(), batch_size=batch_size)
        _check_head(walk, head)
        return walk.problems
    event = AuditEvent.objects.filter(pk=last.event_id).first()
    if event is None or event.hash != last.hash or event_hash(_fields_of(event)) != event.hash:
        return [Problem(last.event_id, f"it is missing or no longer what {last} signed")]
    walk = _walk(
        start_id=last.event_id + 1, prev_hash=last.hash, wanted=set(), batch_size=batch_size
    )
    _check_head(walk, head, first_id=last.event_id + 1)
    return walk.problems


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
