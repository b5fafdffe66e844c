"""Exceptions that services raise, and the one place each becomes an HTTP answer."""

from django.core import exceptions as django_exceptions


class PermissionDenied(django_exceptions.PermissionDenied):
    """The acting user may not do this. A Django PermissionDenied, so a page that lets it
    through answers Django's handler403 (the site's 403 page, pantau.core.views); the API
    answers 403 JSON (pantau.api.api). Where the object itself must stay hidden, views look it
    up through a restricted queryset first and answer 404."""


class ConflictError(Exception):
    """Somebody else saved first. Carries the current object so the editor can compare.
    A view that shows the side-by-side conflict catches it; otherwise pages answer the 409 page
    (pantau.core.middleware.ServiceErrorMiddleware) and the API 412 (pantau.api.api)."""

    def __init__(self, *, current, submitted_version: int):
        self.current = current
        self.submitted_version = submitted_version
        super().__init__(
            f"{current} was changed by somebody else (now version {current.version}, "
            f"you edited version {submitted_version})"
        )
