from django.http import Http404
from django.shortcuts import redirect, render

from .models import WorkPlan
from .querysets import plan_tree


def current_plan(request):
    plan = WorkPlan.objects.filter(sections__isnull=False).order_by("-period_start").first()
    if plan is None:
        raise Http404("No Work Plan has been loaded")
    return redirect("workplan:detail", code=plan.code)


def plan_detail(request, code: str):
    plan = plan_tree(code)
    if plan is None:
        raise Http404("No such Work Plan")
    for section in plan.sections.all():
        for component in section.components.all():
            # The component cell spans its activities' rows and their sub-activities' rows.
            component.row_span = sum(1 + len(a.children.all()) for a in component.top_activities)
    successor = WorkPlan.objects.filter(predecessor=plan).first()
    leaves = sum(
        1 if not a.children.all() else len(a.children.all())
        for s in plan.sections.all() for c in s.components.all() for a in c.top_activities
    )
    return render(
        request,
        "workplan/plan_detail.html",
        {"plan": plan, "successor": successor, "reportable_count": leaves,
         "component_count": sum(len(s.components.all()) for s in plan.sections.all()),
         "all_plans": WorkPlan.objects.order_by("period_start")},
    )
