"""How errors are answered: the site's error pages for pages, JSON under /api/. Used by the
error handlers (pantau.core.views, set in config/urls.py) and ServiceErrorMiddleware. Imports
no app, so the error pages render whatever else is broken."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


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


def error_page(
    request: HttpRequest, template: str, status: int, detail: str, context: dict | None = None
) -> HttpResponse:
    """`detail` as JSON under /api/, else `template` with the request's context."""
    if is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    context = {"back_url": back_url(request), **(context or {})}
    return render(request, template, context, status=status)


def static_error_page(
    request: HttpRequest, template: str, status: int, detail: str
) -> HttpResponse:
    """Like error_page, but rendered without the request's context: no context processor, no
    database query, for when the database is what failed."""
    if is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    context = {"back_url": back_url(request), "request_id": getattr(request, "request_id", "")}
    return HttpResponse(loader.get_template(template).render(context), status=status)


# SQLite: SQLITE_BUSY ("database is locked": another connection holds the write lock past the
# busy timeout) and SQLITE_LOCKED ("database table is locked", shared cache).
_SQLITE_BUSY_CODES = {5, 6}
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")
# PostgreSQL: lock_not_available (lock_timeout, NOWAIT), serialization_failure, deadlock_detected.
_POSTGRES_BUSY_STATES = {"55P03", "40001", "40P01"}
RETRY_AFTER_SECONDS = 5


def is_database_busy(exc: BaseException) -> bool:
    """The database refused because of other writers, not because anything is wrong: asking
    again in a few seconds will do."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__  # the driver's exception, which Django wraps
    if getattr(cause, "sqlstate", None) in _POSTGRES_BUSY_STATES:
        return True
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    return any(m in str(exc).lower() for m in _SQLITE_BUSY_MESSAGES)


def database_busy(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the page (rendered without touching the database) or JSON."""
    response = static_error_page(
        request, "503.html", 503, "The database is busy; try again in a few seconds."
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
