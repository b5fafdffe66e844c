from ninja import Query, Router, Schema

from pantau.accounts.api_auth import authenticated
from pantau.accounts.permissions import can_view_audit
from pantau.audit.schemas import AuditEventOut
from pantau.core.exceptions import PermissionDenied

from .models import AuditEvent

router = Router(tags=["Audit log"], auth=authenticated)


class AuditFilter(Schema):
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    after_id: int = 0
    limit: int = 100


@router.get(
    "events",
    response=list[AuditEventOut],
    summary="Audit events the caller may read, oldest first (page with after_id)",
)
def list_events(request, filters: Query[AuditFilter]):
    if not can_view_audit(request.user):
        raise PermissionDenied("Your roles give no access to the audit log")
    events = AuditEvent.objects.restrict(request.user).filter(id__gt=filters.after_id)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    return [
        {
            **{
                f: getattr(e, f)
                for f in (
                    "id",
                    "occurred_at",
                    "action",
                    "object_type",
                    "object_id",
                    "object_repr",
                    "member_state",
                    "before",
                    "after",
                    "request_id",
                    "hash",
                )
            },
            "actor": e.actor_label,
        }
        for e in events.order_by("id")[: max(1, min(filters.limit, 1000))]
    ]
