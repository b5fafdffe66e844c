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
    from pantau.reporting.choices import ImplementationStatus
    from pantau.reporting.models import ReportingCycle
    from pantau.reporting.querysets import regional_status

    outline = plan_outline(code)
    if outline is None:
        raise Http404("No such Work Plan")
    years = list(
        ReportingCycle.objects.filter(plan=outline.plan)
        .order_by("year")
        .values_list("year", flat=True)
    )
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() and int(year_param) in years else None
    statuses = regional_status(outline.plan, year) if year else None
    demo = (
        ReportingCycle.objects.filter(plan=outline.plan, year=year, is_demo=True).exists()
        if year
        else False
    )
    return render(
        request,
        "workplan/plan_detail.html",
        {
            "plan": outline.plan,
            "outline": outline,
            "successor": WorkPlan.objects.filter(predecessor=outline.plan).first(),
            "all_plans": WorkPlan.objects.order_by("period_start"),
            "years": years,
            "year": year,
            "statuses": statuses,
            "demo_statuses": demo,
            "status_choices": ImplementationStatus.choices,
        },
    )
