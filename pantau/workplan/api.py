from django.http import Http404
from django.urls import reverse
from ninja import Router

from pantau.api.auth import public
from pantau.api.schemas import Error, WorkPlanOut, WorkPlanSummary

from .models import WorkPlan
from .querysets import plan_tree

router = Router(tags=["Work Plan catalogue"], auth=public)


def _summary(plan: WorkPlan, successor: str | None) -> dict:
    return {
        "code": plan.code, "title": plan.title, "period_start": plan.period_start,
        "period_end": plan.period_end, "adopted_by": plan.adopted_by, "adopted_at": plan.adopted_at,
        "adopted_on": plan.adopted_on, "adopted_year": plan.adopted_year,
        "predecessor": plan.predecessor.code if plan.predecessor_id else None,
        "successor": successor, "url": reverse("api-v1:workplan", kwargs={"code": plan.code}),
    }


@router.get("", response=list[WorkPlanSummary], summary="List Work Plans")
def list_workplans(request):
    plans = list(WorkPlan.objects.select_related("predecessor").order_by("period_start"))
    successors = {p.predecessor_id: p.code for p in plans if p.predecessor_id}
    return [_summary(p, successors.get(p.pk)) for p in plans]


@router.get("{code}", response={200: WorkPlanOut, 404: Error}, url_name="workplan",
            summary="One Work Plan with its sections, components, activities and sub-activities")
def get_workplan(request, code: str):
    plan = plan_tree(code)
    if plan is None:
        raise Http404("No such Work Plan")
    successor = WorkPlan.objects.filter(predecessor=plan).values_list("code", flat=True).first()
    sections, counts = [], {"sections": 0, "components": 0, "activities": 0, "sub_activities": 0,
                            "reportable": 0}
    groups = {}
    for section in plan.sections.all():
        counts["sections"] += 1
        wg = section.working_group
        if wg:
            groups[wg.code] = wg.name
        components = []
        for component in section.components.all():
            counts["components"] += 1
            activities = []
            for activity in component.top_activities:
                children = [{"code": c.code, "label": c.label, "text": c.text} for c in activity.children.all()]
                counts["activities"] += 1
                counts["sub_activities"] += len(children)
                counts["reportable"] += len(children) or 1
                activities.append({"code": activity.code, "label": activity.label,
                                   "heading": activity.heading, "text": activity.text,
                                   "reportable": activity.is_reportable, "children": children})
            components.append({"number": component.number, "text": component.text,
                               "working_group": wg.code if wg else None,
                               "targets": [{"numeral": t.numeral, "text": t.text} for t in component.targets.all()],
                               "activities": activities})
        sections.append({"numeral": section.numeral, "title": section.title,
                         "responsible": section.responsible, "working_group": wg.code if wg else None,
                         "components": components})
    return {
        **_summary(plan, successor),
        "counts": counts,
        "working_groups": [{"code": k, "name": v} for k, v in groups.items()],
        "sections": sections,
        "reviews": [{"year": r.year, "kind": r.kind, "conducted_by": r.conducted_by,
                     "assisted_by": r.assisted_by} for r in plan.reviews.all()],
    }
