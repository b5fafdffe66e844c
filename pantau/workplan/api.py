from django.http import Http404
from django.urls import reverse
from ninja import Router

from pantau.accounts.api_auth import public
from pantau.core.schemas import Error
from pantau.workplan.schemas import WorkPlanOut, WorkPlanSummary

from .models import WorkPlan
from .querysets import plan_outline

router = Router(tags=["Work Plan catalogue"], auth=public)


def _summary(plan: WorkPlan, successor: str | None) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "adopted_by": plan.adopted_by,
        "adopted_at": plan.adopted_at,
        "adopted_on": plan.adopted_on,
        "adopted_year": plan.adopted_year,
        "predecessor": plan.predecessor.code if plan.predecessor else None,
        "successor": successor,
        "url": reverse("api-v1:workplan", kwargs={"code": plan.code}),
    }


@router.get("", response=list[WorkPlanSummary], summary="List Work Plans")
def list_workplans(request):
    plans = list(WorkPlan.objects.select_related("predecessor").order_by("period_start"))
    successors = {p.predecessor_id: p.code for p in plans if p.predecessor_id}
    return [_summary(p, successors.get(p.pk)) for p in plans]


@router.get(
    "{code}",
    response={200: WorkPlanOut, 404: Error},
    url_name="workplan",
    summary="One Work Plan with its sections, components, activities and sub-activities",
)
def get_workplan(request, code: str):
    outline = plan_outline(code)
    if outline is None:
        raise Http404("No such Work Plan")
    plan = outline.plan
    successor = WorkPlan.objects.filter(predecessor=plan).values_list("code", flat=True).first()
    sections = []
    for node in outline.sections:
        wg = node.section.working_group
        sections.append(
            {
                "numeral": node.section.numeral,
                "title": node.section.title,
                "responsible": node.section.responsible,
                "working_group": wg.code if wg else None,
                "components": [
                    {
                        "number": c.component.number,
                        "text": c.component.text,
                        "working_group": wg.code if wg else None,
                        "targets": [{"numeral": t.numeral, "text": t.text} for t in c.targets],
                        "activities": [
                            {
                                "code": a.activity.code,
                                "label": a.activity.label,
                                "heading": a.activity.heading,
                                "text": a.activity.text,
                                "reportable": a.activity.is_reportable,
                                "children": [
                                    {"code": ch.code, "label": ch.label, "text": ch.text}
                                    for ch in a.children
                                ],
                            }
                            for a in c.activities
                        ],
                    }
                    for c in node.components
                ],
            }
        )
    groups = {
        n.section.working_group.code: n.section.working_group.name
        for n in outline.sections
        if n.section.working_group
    }
    return {
        **_summary(plan, successor),
        "counts": {
            "sections": len(outline.sections),
            "components": len(outline.components),
            "activities": len(outline.activities),
            "sub_activities": sum(len(a.children) for a in outline.activities),
            "reportable": len(outline.reportable),
        },
        "working_groups": [{"code": k, "name": v} for k, v in groups.items()],
        "sections": sections,
        "reviews": [
            {
                "year": r.year,
                "kind": r.kind,
                "conducted_by": r.conducted_by,
                "assisted_by": r.assisted_by,
            }
            for r in plan.reviews.all()
        ],
    }
