"""Audit events in the API."""

from datetime import datetime

from ninja import Schema


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    member_state: str
    before: dict | list | None
    after: dict | list | None
    request_id: str
    hash: str
