from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render

from pantau.members.models import MemberState
from pantau.workplan.models import WorkPlan

from .start import start_context


def home(request):
    plans = WorkPlan.objects.annotate(component_count=Count("components")).order_by("-period_start")
    return render(
        request, "core/home.html", {"plans": plans, "member_states": MemberState.objects.all()}
    )


@login_required
def start(request):
    """Each role's start page after sign-in: its own work items."""
    return render(request, "site/start.html", start_context(request.user))


def healthz(request):
    """For load balancers: answers 200 only when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
