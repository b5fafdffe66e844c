from django.http import HttpRequest
from django.urls import reverse

from .permissions import statistics_home, statistics_links


def statistics(request: HttpRequest) -> dict:
    """`statistics_url` for the navigation (lazy: only pages that render the link ask)."""

    def url() -> str:
        name = statistics_home(getattr(request, "user", None))
        return reverse(name) if name else ""

    def links() -> list[tuple[str, str, bool]]:
        user = getattr(request, "user", None)
        current = request.path
        out = []
        for name, label in statistics_links(user):
            href = reverse(name)
            out.append((href, label, current == href))
        return out

    return {"statistics_url": url, "statistics_links": links}
