"""How errors are answered: the site's error pages for pages, JSON under /api/. Used by the
error handlers (pantau.core.views, set in config/urls.py) and ServiceErrorMiddleware. Imports
no app, so the error pages render whatever else is broken."""

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
