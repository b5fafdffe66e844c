from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from pantau.members.models import MemberState
from pantau.workplan.models import WorkPlan


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
# The API answers JSON for every error, pages answer the site's templates; neither ever shows a
# traceback (DEBUG is off outside `make dev`). Errors that Django Ninja handles itself never get
# here; these handle what reaches Django (a URL under /api/ that matches no operation, an
# unexpected exception in an operation).


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours (for a "Back" link; no script)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The services' refusals are written for the user ("Only the ASEAN Secretariat opens
    # reporting cycles"); Django's own PermissionDenied usually carries no message.
    message = str(exception) if exception.args else ""
    if is_api(request):
        return JsonResponse({"detail": message or "Forbidden"}, status=403)
    context = {"message": message, "back_url": back_url(request)}
    return render(request, "403.html", context, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Not Found"}, status=404)
    context = {"request_path": request.path, "back_url": back_url(request)}
    return render(request, "404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: no context processor, no database query, so
    the page still renders when the database is what failed."""
    if is_api(request):
        return JsonResponse({"detail": "Internal Server Error"}, status=500)
    context = {"back_url": back_url(request), "request_id": getattr(request, "request_id", "")}
    html = loader.get_template("500.html").render(context)
    return HttpResponse(html, status=500)
