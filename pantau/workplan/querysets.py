"""Reads of the catalogue. The catalogue is public (the adopted plan is a public document),
so the work here is fetching a whole plan tree in a fixed number of queries and giving pages
and the API the same outline of it."""

from dataclasses import dataclass, field

from .models import Activity, Component, ComponentTarget, Section, WorkPlan


@dataclass
class ActivityNode:
    activity: Activity
    children: list[Activity]

    @property
    def reportable(self) -> list[Activity]:
        return self.children or [self.activity]


@dataclass
class ComponentNode:
    component: Component
    targets: list[ComponentTarget]
    activities: list[ActivityNode]

    @property
    def row_span(self) -> int:
        """Rows of the table the component cell spans: each activity and sub-activity."""
        return sum(1 + len(a.children) for a in self.activities)


@dataclass
class SectionNode:
    section: Section
    components: list[ComponentNode]


@dataclass
class PlanOutline:
    plan: WorkPlan
    sections: list[SectionNode] = field(default_factory=list)

    @property
    def components(self) -> list[ComponentNode]:
        return [c for s in self.sections for c in s.components]

    @property
    def activities(self) -> list[ActivityNode]:
        return [a for c in self.components for a in c.activities]

    @property
    def reportable(self) -> list[Activity]:
        return [leaf for a in self.activities for leaf in a.reportable]


def plan_outline(code: str) -> PlanOutline | None:
    """A plan with sections -> components -> activities -> children, in 6 queries."""
    plan = (
        WorkPlan.objects.select_related("predecessor")
        .prefetch_related("reviews")
        .filter(code=code)
        .first()
    )
    if plan is None:
        return None
    activities = list(Activity.objects.filter(plan=plan).order_by("order"))
    children: dict[int, list[Activity]] = {}
    for a in activities:
        if a.parent_id:
            children.setdefault(a.parent_id, []).append(a)
    by_component: dict[int, list[ActivityNode]] = {}
    for a in activities:
        if not a.parent_id:
            by_component.setdefault(a.component_id, []).append(
                ActivityNode(a, children.get(a.pk, []))
            )
    targets: dict[int, list[ComponentTarget]] = {}
    for t in ComponentTarget.objects.filter(component__plan=plan).order_by("order"):
        targets.setdefault(t.component_id, []).append(t)
    components: dict[int, list[ComponentNode]] = {}
    for c in Component.objects.filter(plan=plan).order_by("number"):
        components.setdefault(c.section_id, []).append(
            ComponentNode(c, targets.get(c.pk, []), by_component.get(c.pk, []))
        )
    sections = [
        SectionNode(s, components.get(s.pk, []))
        for s in Section.objects.filter(plan=plan)
        .select_related("working_group")
        .order_by("number")
    ]
    return PlanOutline(plan, sections)
