"""Writes on the catalogue: loading a plan from its catalogue file."""

from dataclasses import dataclass, field

from django.db import transaction

from pantau.accounts.permissions import can_manage_catalogue
from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied

from .catalogue import CatalogueError, PlanSpec
from .models import (
    Activity,
    Component,
    ComponentTarget,
    ReviewMilestone,
    Section,
    WorkingGroup,
    WorkPlan,
)


@dataclass
class LoadResult:
    plan: WorkPlan
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _value(obj, name: str, wanted):
    # Compare foreign keys by id, so checking a row never fetches its related rows.
    return (
        getattr(obj, f"{name}_id")
        if hasattr(wanted, "pk") or (wanted is None and hasattr(obj, f"{name}_id"))
        else getattr(obj, name)
    )


def _sync(model, existing: dict, wanted: dict, make, result: LoadResult, label):
    """Bring rows keyed by `existing`'s keys in line with `wanted` (key -> field values)."""
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            existing[key] = model.objects.create(**make(key), **values)
            result.created.append(label(key))
            continue
        changed = [
            f for f, v in values.items() if _value(obj, f, v) != (v.pk if hasattr(v, "pk") else v)
        ]
        if changed:
            for f in changed:
                setattr(obj, f, values[f])
            obj.save(update_fields=changed)
            result.updated.append(label(key))
    for key in set(existing) - set(wanted):
        existing.pop(key).delete()
        result.deleted.append(label(key))


@transaction.atomic
def load_catalogue(*, acting_user: Actor, spec: PlanSpec, system: bool = False) -> LoadResult:
    """Create or update a plan from a checked catalogue. Texts are replaced verbatim; codes
    that disappear are deleted (refused by the database if reports already point at them).
    `system` marks loads run from the command line by the operator (no user account)."""
    if not system and not can_manage_catalogue(acting_user):
        raise PermissionDenied("Only administrators load catalogues")
    for wg in spec.working_groups:
        WorkingGroup.objects.update_or_create(code=wg["code"], defaults={"name": wg["name"]})
    predecessor = None
    if spec.predecessor:
        predecessor = WorkPlan.objects.filter(code=spec.predecessor).first()
        if predecessor is None:
            raise CatalogueError([f"$.predecessor: plan {spec.predecessor!r} is not loaded yet"])

    plan = WorkPlan.objects.select_for_update().filter(code=spec.plan["code"]).first()
    result = LoadResult(plan=plan)  # type: ignore[arg-type]
    if plan is not None and plan.catalogue_sha256 == spec.sha256 and spec.sha256:
        return result
    plan_values = {**spec.plan, "predecessor": predecessor, "catalogue_sha256": spec.sha256}
    if plan is None:
        plan = WorkPlan.objects.create(**plan_values)
        result.plan = plan
        result.created.append(f"plan {plan.code}")
    else:
        changed = [k for k, v in plan_values.items() if getattr(plan, k) != v]
        for k in changed:
            setattr(plan, k, plan_values[k])
        plan.save(update_fields=changed)
        if set(changed) - {"catalogue_sha256"}:
            result.updated.append(f"plan {plan.code}")

    wgs = {wg.code: wg for wg in WorkingGroup.objects.all()}
    sections = {s.number: s for s in plan.sections.all()}
    _sync(
        Section,
        sections,
        {
            s["number"]: {
                "numeral": s["numeral"],
                "title": s["title"],
                "working_group": wgs.get(s["working_group"]) if s["working_group"] else None,
            }
            for s in spec.sections
        },
        lambda n: {"plan": plan, "number": n},
        result,
        lambda n: f"section {n}",
    )
    components = {c.number: c for c in plan.components.all()}
    _sync(
        Component,
        components,
        {
            c["number"]: {"text": c["text"], "section": sections[c["section"]]}
            for c in spec.components
        },
        lambda n: {"plan": plan, "number": n},
        result,
        lambda n: f"component {n}",
    )
    targets = {
        (t.component.number, t.numeral): t
        for t in ComponentTarget.objects.filter(component__plan=plan).select_related("component")
    }
    _sync(
        ComponentTarget,
        targets,
        {
            (t["component"], t["numeral"]): {"text": t["text"], "order": t["order"]}
            for t in spec.targets
        },
        lambda k: {"component": components[k[0]], "numeral": k[1]},
        result,
        lambda k: f"target {k[0]} ({k[1]})",
    )
    activities = {a.code: a for a in plan.activities.all()}
    # Parents before children: the spec lists them in document order.
    wanted = {}
    for a in spec.activities:
        wanted[a.code] = {
            "label": a.label,
            "heading": a.heading,
            "text": a.text,
            "order": a.order,
            "is_reportable": a.is_reportable,
            "component": components[a.component],
        }
    _sync(
        Activity,
        activities,
        wanted,
        lambda code: {"plan": plan, "code": code},
        result,
        lambda code: f"activity {code}",
    )
    for a in spec.activities:
        parent = activities[a.parent_code] if a.parent_code else None
        obj = activities[a.code]
        if obj.parent_id != (parent.pk if parent else None):
            obj.parent = parent
            obj.save(update_fields=["parent"])
    reviews = {(r.year, r.kind): r for r in plan.reviews.all()}
    _sync(
        ReviewMilestone,
        reviews,
        {
            (r["year"], r["kind"]): {
                "conducted_by": r["conducted_by"],
                "assisted_by": r["assisted_by"],
                "reported_to": r["reported_to"],
            }
            for r in spec.reviews
        },
        lambda k: {"plan": plan, "year": k[0], "kind": k[1]},
        result,
        lambda k: f"review {k[0]} {k[1]}",
    )

    record(
        actor=acting_user,
        action="workplan.catalogue.load",
        obj=plan,
        after={
            "sha256": spec.sha256,
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
        },
    )
    return result
