"""The filled Work Plan: regional implementation status per activity, its drill-down per
country and the Member State x activity heat map, from approved reports only (public)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from pantau.workplan.models import Activity, WorkPlan
from pantau.workplan.querysets import plan_outline

from .choices import ImplementationStatus
from .cooperation_evidence import evidence_counts
from .models import CountryReport, ReportingCycle
from .querysets import country_statuses, regional_status, status_matrix


def activity_status(request, code: str, year: int, activity: str):
    plan = get_object_or_404(WorkPlan, code=code)
    item = get_object_or_404(Activity, plan=plan, code=activity, is_reportable=True)
    if not plan.covers(year):
        raise Http404("Year outside the plan")
    entries = list(country_statuses(request.user, plan, year, activity))
    counts = evidence_counts(request.user, [e.pk for e in entries])
    for e in entries:
        e.cooperation = counts.get(e.pk)
    return render(
        request,
        "reporting/activity_status.html",
        {
            "plan": plan,
            "activity": item,
            "year": year,
            "entries": entries,
            "cycle": ReportingCycle.objects.filter(plan=plan, year=year).first(),
        },
    )


def heatmap(request, code: str, year: int):
    outline = plan_outline(code)
    if outline is None or not outline.plan.covers(year):
        raise Http404("No such plan or year")
    states, cells = status_matrix(request.user, outline.plan, year)
    rows = []
    for leaf in outline.reportable:
        rows.append(
            {
                "activity": leaf,
                "cells": [(s.code, cells.get((s.code, leaf.code), "")) for s in states],
            }
        )
    return render(
        request,
        "reporting/heatmap.html",
        {
            "plan": outline.plan,
            "year": year,
            "states": states,
            # Link a state only to a report the visitor may open (the public: published ones).
            "readable": set(
                CountryReport.objects.restrict(request.user)
                .filter(cycle__plan=outline.plan, cycle__year=year)
                .values_list("member_state__code", flat=True)
            ),
            "rows": rows,
            "legend": ImplementationStatus.choices,
            "cycle": ReportingCycle.objects.filter(plan=outline.plan, year=year).first(),
            "years": ReportingCycle.objects.filter(plan=outline.plan).values_list(
                "year", flat=True
            ),
        },
    )


def plan_detail(request, code: str):
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
    statuses = regional_status(request.user, outline.plan, year) if year else None
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
