from django.http import Http404
from django.shortcuts import redirect, render

from .models import WorkPlan
from .querysets import plan_outline


def current_plan(request):
    plan = WorkPlan.objects.filter(sections__isnull=False).order_by("-period_start").first()
    if plan is None:
        raise Http404("No Work Plan has been loaded")
    return redirect("workplan:detail", code=plan.code)


def plan_detail(request, code: str):
    outline = plan_outline(code)
    if outline is None:
        raise Http404("No such Work Plan")
    return render(
        request,
        "workplan/plan_detail.html",
        {
            "plan": outline.plan,
            "outline": outline,
            "successor": WorkPlan.objects.filter(predecessor=outline.plan).first(),
            "all_plans": WorkPlan.objects.order_by("period_start"),
        },
    )
