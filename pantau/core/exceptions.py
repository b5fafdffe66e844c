"""Exceptions that services raise and views/API handlers translate into answers."""


class PermissionDenied(Exception):
    """The acting user may not do this. Pages and the API answer 403 (or 404 where the
    object itself must stay hidden)."""


class ConflictError(Exception):
    """Somebody else saved first. Carries the current object so the editor can compare."""

    def __init__(self, *, current, submitted_version: int):
        self.current = current
        self.submitted_version = submitted_version
        super().__init__(
            f"{current} was changed by somebody else (now version {current.version}, "
            f"you edited version {submitted_version})"
        )
