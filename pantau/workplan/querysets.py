"""Reads of the catalogue. The catalogue is public (the adopted plan is a public document),
so the only work here is fetching a whole plan tree in a fixed number of queries."""

from django.db.models import Prefetch

from .models import Activity, Component, Section, WorkPlan


def plan_tree(code: str) -> WorkPlan | None:
    """A plan with sections -> components -> activities -> children prefetched (6 queries)."""
    top_level = Activity.objects.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=Activity.objects.order_by("order"))
    )
    components = Component.objects.prefetch_related(
        "targets", Prefetch("activities", queryset=top_level.order_by("order"), to_attr="top_activities")
    ).order_by("number")
    sections = Section.objects.select_related("working_group").prefetch_related(
        Prefetch("components", queryset=components)
    ).order_by("number")
    return (
        WorkPlan.objects.select_related("predecessor")
        .prefetch_related(Prefetch("sections", queryset=sections), "reviews")
        .filter(code=code)
        .first()
    )
