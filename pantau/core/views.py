"""The site's error pages (config/urls.py's handler403/404/500)."""

import sys

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import requires_csrf_token

from .errors import database_busy, error_page, is_database_busy, static_error_page

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
