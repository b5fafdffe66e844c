from django.http import Http404
from django.shortcuts import redirect

from .models import WorkPlan


def current_plan(request):
    plan = WorkPlan.objects.filter(sections__isnull=False).order_by("-period_start").first()
    if plan is None:
        raise Http404("No Work Plan has been loaded")
    return redirect("workplan:detail", code=plan.code)
