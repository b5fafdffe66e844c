import sys

from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from pantau.members.models import MemberState
from pantau.workplan.models import WorkPlan

from .errors import database_busy, error_page, is_database_busy, static_error_page


def home(request):
    plans = WorkPlan.objects.annotate(component_count=Count("components")).order_by("-period_start")
    return render(
        request, "core/home.html", {"plans": plans, "member_states": MemberState.objects.all()}
    )


def healthz(request):
    """For load balancers: answers 200 only when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- Error pages (config/urls.py's handler403/404/500) ----------------------------------------
# Errors that Django Ninja answers itself never get here; these answer what reaches Django (a
# URL under /api/ that matches no operation, an unexpected exception in an operation).


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The services' refusals are written for the user ("Only the ASEAN Secretariat opens
    # reporting cycles"); Django's own PermissionDenied usually carries no message.
    message = str(exception) if exception.args else ""
    return error_page(request, "403.html", 403, message or "Forbidden", {"message": message})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, "404.html", 404, "Not Found", {"request_path": request.path})


def server_error(request: HttpRequest) -> HttpResponse:
    # A busy database outside a view (a middleware's write: the session saved after the view)
    # is no server error either.
    if is_database_busy(sys.exc_info()[1] or Exception()):
        return database_busy(request)
    return static_error_page(request, "500.html", 500, "Internal Server Error")
