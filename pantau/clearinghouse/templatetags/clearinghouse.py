"""What other apps' pages show of the clearinghouse: the published items informing a Work Plan
component (on the activity and component pages), in one line of their templates:
`{% load clearinghouse %}{% informing_items component %}`."""

from django import template
from django.db.models import Count

from ..models import Document

register = template.Library()


@register.inclusion_tag("clearinghouse/_informing.html", takes_context=True)
def informing_items(context, component, limit: int = 5):
    """The published items informing `component` (a workplan Component, or an outline node
    holding one in `.component`). Counts for every component are read once per page."""
    component = getattr(component, "component", component)
    # Kept on the request: an include renders with a render context of its own.
    holder = context.get("request") or context.render_context
    counts = getattr(holder, "_clearinghouse_counts", None)
    if counts is None:
        counts = dict(
            Document.objects.published()
            .filter(components__isnull=False)
            .values_list("components__pk")
            .annotate(n=Count("pk"))
            .order_by()
        )
        holder._clearinghouse_counts = counts
    count = counts.get(component.pk, 0)
    items = []
    if count and limit:
        items = list(
            Document.objects.published()
            .filter(components__pk=component.pk)
            .order_by("-year", "title")[:limit]
        )
    return {"component": component, "count": count, "items": items, "limit": limit}
