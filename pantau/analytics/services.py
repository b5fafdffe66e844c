"""Every write of analytics: targets. Each service checks its predicate and writes its audit
event in its own transaction."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pantau.accounts.models import User
from pantau.audit.services import record, snapshot
from pantau.core.actors import Actor, actor_label
from pantau.core.exceptions import PermissionDenied
from pantau.statistics.choices import DIMENSIONS, TOTAL
from pantau.statistics.models import Code, Indicator, Unit
from pantau.workplan.models import Component, ComponentTarget, WorkPlan

from .choices import Direction
from .models import DEFAULT_ALPHA, Target
from .permissions import can_manage_targets

_YEAR = re.compile(r"^\d{4}$")
_COLUMNS = {d.column: d.codelist for d in DIMENSIONS}


def _checked_filter(indicator: Indicator, dimension_filter: dict) -> dict[str, list[str]]:
    used = set(indicator.dimensions.values_list("code", flat=True))
    checked: dict[str, list[str]] = {}
    for column, codes in (dimension_filter or {}).items():
        column = str(column).upper()
        codelist = _COLUMNS.get(column)
        if codelist is None or codelist not in used:
            raise ValidationError(
                _("%(indicator)s is not broken down by %(column)s")
                % {"indicator": indicator.code, "column": column}
            )
        wanted = [str(c).upper() for c in ([codes] if isinstance(codes, str) else codes)]
        known = set(
            Code.objects.filter(codelist__code=codelist, code__in=wanted).values_list(
                "code", flat=True
            )
        )
        unknown = [c for c in wanted if c not in known and c != TOTAL]
        if unknown or not wanted:
            raise ValidationError(
                _("%(column)s: unknown code %(code)s")
                % {"column": column, "code": (unknown or ["(none)"])[0]}
            )
        checked[column] = wanted
    return checked


@transaction.atomic
def create_target(
    *,
    acting_user: Actor,
    plan: WorkPlan,
    component: Component,
    indicator: Indicator,
    direction: str,
    baseline_period: str,
    end_period: str,
    alpha: float = DEFAULT_ALPHA,
    dimension_filter: dict | None = None,
    unit_measure: str = "",
    text: str = "",
    component_target: ComponentTarget | None = None,
    is_proxy: bool = False,
    code: str = "",
    system: bool = False,
) -> Target:
    """Add a target (the Secretariat; `system`: `pantau setup`). Bad input raises
    ValidationError naming the field, and writes nothing."""
    if not system and not can_manage_targets(acting_user):
        raise PermissionDenied(_("Only the ASEAN Secretariat adds targets"))
    errors: dict[str, str] = {}
    if direction not in Direction.values:
        errors["direction"] = _("increase or decrease")
    for name, value in (("baseline_period", baseline_period), ("end_period", end_period)):
        if not _YEAR.match(str(value)):
            errors[name] = _("a year, such as 2015")
    if not errors and str(baseline_period) >= str(end_period):
        errors["end_period"] = _("must come after the baseline period")
    if not 0.001 <= float(alpha) <= 0.5:
        errors["alpha"] = _("a significance level between 0.001 and 0.5")
    if component.plan_id != plan.pk:
        errors["component"] = _("not a component of %(plan)s") % {"plan": plan.code}
    if component_target is not None and component_target.component_id != component.pk:
        errors["component_target"] = _("not a target of this component")
    unit_measure = unit_measure.strip().upper()
    if unit_measure:
        unit = Unit.objects.filter(code=unit_measure, is_canonical=True).first()
        if unit is None or unit.kind not in indicator.unit_kinds:
            errors["unit_measure"] = _("not a canonical unit of %(indicator)s") % {
                "indicator": indicator.code
            }
    try:
        checked = _checked_filter(indicator, dimension_filter or {})
    except ValidationError as exc:
        errors["dimension_filter"] = "; ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    code = code or slugify(
        f"{plan.code}-{component.number}-{indicator.code}-{direction}-{baseline_period}"
    )
    if Target.objects.filter(code=code).exists():
        raise ValidationError({"code": _("a target %(code)s exists already") % {"code": code}})
    target = Target.objects.create(
        code=code,
        plan=plan,
        component=component,
        component_target=component_target,
        indicator=indicator,
        dimension_filter=checked,
        unit_measure=unit_measure,
        direction=direction,
        baseline_period=str(baseline_period),
        end_period=str(end_period),
        alpha=float(alpha),
        text=text,
        is_proxy=is_proxy,
        created_at=timezone.now(),
        created_by=acting_user if isinstance(acting_user, User) else None,
        created_by_label=actor_label(acting_user),
    )
    record(actor=acting_user, action="analytics.target.create", obj=target, after=snapshot(target))
    return target


# Component 9 of the 2016-2025 plan: (i) increase, (ii) reduce, (iii) a gradual decrease of
# precursor traffic through a proxy the Secretariat may replace (with a target of its own).
COMPONENT_9 = "9"
COMPONENT_9_TARGETS: tuple[tuple[str, str, str, str, bool], ...] = (
    # (numeral, indicator, unit, direction, proxy)
    ("i", "DRUG_OPERATION", "", Direction.INCREASE, False),
    ("i", "PRECURSOR_SEIZURE", "KG", Direction.INCREASE, False),
    ("i", "PRECURSOR_CASE", "", Direction.INCREASE, False),
    ("ii", "PHARMA_DIVERSION", "", Direction.DECREASE, False),
    ("ii", "CLANDESTINE_LAB", "", Direction.DECREASE, False),
    ("ii", "CULTIVATION_AREA", "HA", Direction.DECREASE, False),
    ("iii", "PRECURSOR_SEIZURE", "L", Direction.DECREASE, True),
)


def ensure_component_9_targets(*, acting_user: Actor, plan_code: str = "2016-2025") -> int:
    """Create component 9's targets of the plan if missing (run by `pantau setup`; a target
    that exists is left as the Secretariat may have it). Returns the number created."""
    plan = WorkPlan.objects.filter(code=plan_code).first()
    if plan is None:
        return 0
    component = Component.objects.filter(plan=plan, number=COMPONENT_9).first()
    if component is None:
        return 0
    wording = {t.numeral: t for t in component.targets.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = set(Unit.objects.filter(is_canonical=True).values_list("code", flat=True))
    created = 0
    for numeral, indicator_code, unit, direction, proxy in COMPONENT_9_TARGETS:
        indicator = indicators.get(indicator_code)
        if indicator is None or (unit and unit not in units):
            continue
        code = slugify(f"{plan.code}-9-{numeral}-{indicator_code}-{direction}")
        if Target.objects.filter(code=code).exists():
            continue
        create_target(
            acting_user=acting_user,
            plan=plan,
            component=component,
            component_target=wording.get(numeral),
            indicator=indicator,
            direction=direction,
            baseline_period=str(plan.period_start - 1),
            end_period=str(plan.period_end),
            unit_measure=unit,
            is_proxy=proxy,
            text=(wording[numeral].text if numeral in wording else ""),
            code=code,
            system=True,
        )
        created += 1
    return created
