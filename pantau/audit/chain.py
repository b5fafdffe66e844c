"""Hashing of audit events: the canonical form that both writing and verifying use."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "member_state",
    "before",
    "after",
    "request_id",
    "client_address",
    "prev_hash",
)


def to_json_value(value):
    """Normalise a value to what a JSON column gives back, so the hash survives a round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(fields: dict) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["occurred_at"] = fields["occurred_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()
