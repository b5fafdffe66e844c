from django.http import HttpRequest
from django.urls import reverse

from .permissions import statistics_home


def statistics(request: HttpRequest) -> dict:
    """`statistics_url` for the navigation (lazy: only pages that render the link ask)."""

    def url() -> str:
        name = statistics_home(getattr(request, "user", None))
        return reverse(name) if name else ""

    return {"statistics_url": url}
