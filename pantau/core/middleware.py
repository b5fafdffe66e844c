import re

from django.http import HttpRequest, HttpResponse

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
