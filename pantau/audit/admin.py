from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "actor_label", "action", "object_repr", "member_state"]
    list_filter = ["action", "member_state"]
    search_fields = ["object_repr", "actor_label", "request_id"]

    def get_queryset(self, request):
        return AuditEvent.objects.restrict(request.user)
