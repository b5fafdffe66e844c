from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from pantau.accounts.permissions import can_view_audit

from .models import AuditEvent


@login_required
def event_list(request):
    if not can_view_audit(request.user):
        raise PermissionDenied
    events = AuditEvent.objects.restrict(request.user).order_by("-id")
    if action := request.GET.get("action"):
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "action": action or ""})
