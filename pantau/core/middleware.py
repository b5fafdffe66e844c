import re

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.middleware.locale import LocaleMiddleware
from django.urls import get_resolver, translate_url
from django.urls.resolvers import LocalePrefixPattern, URLResolver
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .errors import database_busy, error_page, is_database_busy
from .exceptions import ConflictError
from .request_context import clear_request, new_request_id, set_request

# A proxy's X-Request-ID is trusted only when it looks like one, so logs cannot be forged.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # fullmatch: `$` would let a trailing newline in


class RequestIdMiddleware:
    """Gives every request an id, echoed in the X-Request-ID header and kept in the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        set_request(request_id, request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            clear_request()
        response["X-Request-ID"] = request_id
        return response


class RequestSizeMiddleware:
    """Refuses a request whose body is larger than PANTAU_MAX_REQUEST_BYTES (413) from its
    Content-Length, before anything reads the body: an upload too large for any form is never
    streamed to disk. Each form then checks its own limit (a report's spreadsheet: 10 MB).
    Placed before the CSRF check, which reads the body of a form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.PANTAU_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > limit:
            message = (
                f"The request is {_size(length)}; the limit is {_size(limit)}. "
                "Import a larger file with `pantau import` on the server."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.1f} KB"


class ServiceErrorMiddleware:
    """Turns the errors that a view lets through into answers, in one place for every page:
    the services' ConflictError (409) and a busy database (503 with Retry-After; the API's
    operations get the same answer from pantau.api.api). The services' PermissionDenied needs
    nothing here: it is Django's own, answered by handler403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ConflictError):
            message = str(exception)
            return error_page(request, "409.html", 409, message, {"message": message})
        if is_database_busy(exception):
            return database_busy(request)
        return None


def _language_prefixed_roots(urlconf: str) -> tuple[str, ...]:
    """The first path segments served by i18n_patterns ("portal/"), read from the URLconf."""
    roots: list[str] = []
    for entry in get_resolver(urlconf).url_patterns:
        if isinstance(entry, URLResolver) and isinstance(entry.pattern, LocalePrefixPattern):
            roots.extend("/" + str(sub.pattern).lstrip("^") for sub in entry.url_patterns)
    return tuple(roots)


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, and the visitor's choice of language (the language cookie
    the switcher sets, else the browser's Accept-Language) holds on every page: Django's own,
    once i18n_patterns(prefix_default_language=False) is used, shows every path without a
    language prefix (/start/, /reporting/...) in the default language. The public portal keeps
    one URL per language (/portal/ English, /id/portal/ Bahasa Indonesia): a visitor whose
    cookie chose Bahasa Indonesia is sent from /portal/... to /id/portal/..."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:  # type: ignore[override]
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if not request.path_info.startswith(_language_prefixed_roots(urlconf)):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return None
        chosen = _cookie_language(request)
        if chosen and chosen != settings.LANGUAGE_CODE and request.method in ("GET", "HEAD"):
            there = translate_url(request.get_full_path(), chosen)
            if there != request.get_full_path():
                response = HttpResponseRedirect(there)
                patch_vary_headers(response, ("Cookie",))
                return response
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Cookie",))  # the cookie may choose the language
        return response


def _cookie_language(request: HttpRequest) -> str | None:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None
