"""The API's OpenAPI document, completed in one place.

Django Ninja documents what each operation declares; the answers that every operation shares
come from the layers around it (authentication, the request validation, the request size
limit, the database) and are added here, so that a generated client and a fuzzer see every
status the server can give:

- public operations take credentials optionally: their `security` starts with the empty
  alternative `{}` (no credentials) before the token and the session;
- 401 on every operation (a token that is wrong, expired or revoked; no credentials where an
  operation needs them);
- 403 on every unsafe method (a read-only token), 404 where a path names an object (missing
  and forbidden answer the same), 413 on every unsafe method and wherever there is a body
  (larger than the server takes), 422 where there are parameters or a body (the request does
  not match this document), 503 everywhere (the database stayed busy: retry after `Retry-After`).
"""

from typing import Any

from ninja import NinjaAPI

# pantau.accounts.api_auth: the optional scheme of public operations and what it accepts.
OPTIONAL_SCHEME = "OptionalBearer"
TOKEN_SCHEME = "BearerToken"  # noqa: S105  (a scheme's name in the document, not a secret)  # nosec B105
SESSION_SCHEME = "SessionAuth"

UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})

ERROR_REF = "#/components/schemas/Error"
VALIDATION_ERROR_REF = "#/components/schemas/ValidationError"

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}

VALIDATION_ERROR_SCHEMA = {
    "title": "ValidationError",
    "description": "Each problem names where it is (`loc`: body, query, path or header, then "
    "the field) and what is wrong with it (`msg`).",
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        }
    },
    "required": ["detail"],
}

SHARED_RESPONSES = {
    401: "Credentials were sent and are not valid (a wrong, expired or revoked token), or the "
    "operation needs credentials and none were sent",
    403: "The caller may not do this (for example with a read-only token)",
    404: "No such object, or not one the caller may see: both answer the same",
    413: "The request body is larger than the server accepts",
    422: "The request does not match this document: each problem is named with its place",
    503: "The database stayed busy: nothing was changed, retry after `Retry-After` seconds",
}


def _error(status: int, description: str) -> dict[str, Any]:
    ref = VALIDATION_ERROR_REF if status == 422 else ERROR_REF
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }
    if status == 503:
        answer["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return answer


def shared_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The statuses the layers around an operation may answer it with."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = [401]
    if method in UNSAFE_METHODS:
        statuses.append(403)
    if any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    if has_body or method in UNSAFE_METHODS:
        statuses.append(413)  # RequestSizeMiddleware reads any request's Content-Length
    if parameters or has_body:
        statuses.append(422)
    statuses.append(503)
    return statuses


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Adds the optional security alternative and the shared answers to `document`."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    schemes = components.get("securitySchemes", {})
    if schemes.pop(OPTIONAL_SCHEME, None) is not None:
        schemes.setdefault(TOKEN_SCHEME, {"type": "http", "scheme": "bearer"})
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            security = operation.get("security")
            if security and any(OPTIONAL_SCHEME in s for s in security):
                # Public: no credentials, or a token, or the browser's session.
                operation["security"] = [{}, {TOKEN_SCHEME: []}, {SESSION_SCHEME: []}]
            responses = operation.setdefault("responses", {})
            for status in shared_statuses(method, operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = _error(status, SHARED_RESPONSES[status])
    return document


class PantauAPI(NinjaAPI):
    """Django Ninja's API with the OpenAPI document completed by `complete`."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):  # type: ignore[override]
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete(document)
        return document
