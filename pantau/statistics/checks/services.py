"""The checks of the data and their findings: running the validation rules, the outlier test
and the bounds for some Member States and years (after an import, or on demand), and the
follow-up of each finding (the country explains it, the Secretariat resolves it). Every write
is here, in a transaction with its audit event; the predicates say who may do what."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pantau.accounts.choices import Role
from pantau.accounts.models import User
from pantau.accounts.permissions import has_role, is_administrator, member_states_for
from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState

from ..models import Indicator, ValidationFinding
from ..models.validation import FindingKind, FindingStatus
from ..permissions import NATIONAL_REPORTERS, finding_scope
from ..snapshot import Structure
from .outliers import Flag, find_out_of_bounds, find_outliers
from .rules import check_rule, compile_active_rules

MAX_EXPLANATION = 4000

# --- who may do what --------------------------------------------------------------------------


def can_view_findings(user) -> bool:
    scope = finding_scope(user)
    return scope is None or bool(scope)


def can_run_checks(user) -> bool:
    return is_administrator(user) or has_role(user, Role.SECRETARIAT)


def can_explain(user, finding: ValidationFinding) -> bool:
    """The country's focal points and approvers explain a flagged value of their state."""
    return finding.status != FindingStatus.RESOLVED and finding.ref_area in member_states_for(
        user, *NATIONAL_REPORTERS
    )


def can_resolve(user, finding: ValidationFinding) -> bool:
    return finding.status != FindingStatus.RESOLVED and can_run_checks(user)


def get_finding_or_404(user, pk: int) -> ValidationFinding:
    """A finding the user may see; another state's answers as one that does not exist."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ValidationFinding.objects.restrict(user), pk=pk)


# --- running the checks -----------------------------------------------------------------------


@dataclass
class CheckRunResult:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # rules the metadata no longer fits

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.reopened or self.resolved)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "unchanged": self.unchanged,
        }


def detect(
    *,
    ref_areas: Iterable[str] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> tuple[list[Flag], list[str]]:
    """What every check finds in the scope, without writing anything: one query per active
    rule, one for the outlier test, one per indicator with bounds."""
    areas = None if ref_areas is None else sorted(set(ref_areas))
    codes = dict(Indicator.objects.values_list("pk", "code"))
    compiled, problems = compile_active_rules(Structure.load())
    flags: list[Flag] = []
    for rule in compiled:
        for v in check_rule(rule, ref_areas=areas, first_year=first_year, last_year=last_year):
            flags.append(
                Flag(
                    kind=FindingKind.RULE,
                    key=v.key,
                    series=f"{v.rule.code}: {v.rule.left} {v.rule.operator} {v.rule.right}",
                    ref_area=v.ref_area,
                    time_period=v.time_period,
                    year=int(v.time_period[:4]),
                    unit_kind=v.unit_kind,
                    rule_id=v.rule.pk,
                    value=v.left,
                    expected=v.right,
                    message=v.message,
                )
            )
    for find in (find_outliers, find_out_of_bounds):
        flags += find(
            ref_areas=areas, first_year=first_year, last_year=last_year, indicator_codes=codes
        )
    return flags, problems


# What a new detection may change on a finding, and what reopens it when it differs.
_DETECTED_FIELDS = (
    "series",
    "unit_kind",
    "rule_id",
    "indicator_id",
    "data_value_id",
    "value",
    "expected",
    "lower",
    "upper",
    "score",
    "message",
)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


@transaction.atomic
def run_checks(
    *,
    acting_user: Actor,
    ref_areas: Iterable[str] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    system: bool = False,
) -> CheckRunResult:
    """Run every check over the Member States and years in scope (None: all) and bring the
    findings in line: new ones are opened; one whose flagged value changed is reopened (its
    explanation no longer applies); one that no longer fails is resolved automatically. One
    audit event records the run, when it changed anything; a second run changes nothing."""
    if not system and not can_run_checks(acting_user):
        raise PermissionDenied("Only the ASEAN Secretariat runs the checks")
    areas = None if ref_areas is None else sorted(set(ref_areas))
    # Runs over the same states are serialised (a run after an import and one on demand would
    # otherwise both open the same finding).
    states = MemberState.objects.select_for_update().order_by("code")
    list(states.filter(code__in=areas) if areas is not None else states)
    flags, problems = detect(ref_areas=areas, first_year=first_year, last_year=last_year)
    result = CheckRunResult(problems=problems)
    in_scope = ValidationFinding.objects.filter(
        Q(ref_area__in=areas) if areas is not None else Q(),
        Q(year__gte=first_year) if first_year is not None else Q(),
        Q(year__lte=last_year) if last_year is not None else Q(),
    ).select_for_update()
    existing = {(f.key, f.ref_area, f.time_period): f for f in in_scope}
    now = timezone.now()
    new, changed = [], []
    seen = set()
    for flag in flags:
        identity = (flag.key, flag.ref_area, flag.time_period)
        if identity in seen:
            continue
        seen.add(identity)
        finding = existing.get(identity)
        detected = {name: getattr(flag, name) for name in _DETECTED_FIELDS}
        if finding is None:
            new.append(
                ValidationFinding(
                    kind=flag.kind,
                    key=flag.key,
                    ref_area=flag.ref_area,
                    time_period=flag.time_period,
                    year=flag.year,
                    detected_at=now,
                    updated_at=now,
                    **detected,
                )
            )
            continue
        differs = [
            name
            for name, value in detected.items()
            if not (
                _same_number(getattr(finding, name), value)
                if isinstance(value, float) or isinstance(getattr(finding, name), float)
                else getattr(finding, name) == value
            )
        ]
        # The data changed (not just the history an outlier is measured against): an
        # explanation of the old figure no longer applies.
        value_changed = not _same_number(finding.value, flag.value) or (
            flag.kind == FindingKind.RULE and not _same_number(finding.expected, flag.expected)
        )
        reopen = finding.status != FindingStatus.OPEN and (
            finding.resolved_automatically or value_changed
        )
        if not differs and not reopen:
            result.unchanged += 1
            continue
        for name, value in detected.items():
            setattr(finding, name, value)
        if reopen:
            finding.status = FindingStatus.OPEN
            finding.resolved_automatically = False
            finding.resolved_at = None
            finding.resolved_by = None
            result.reopened += 1
        else:
            result.updated += 1
        finding.updated_at = now
        finding.version += 1
        changed.append(finding)
    for identity, finding in existing.items():
        if identity in seen or finding.status == FindingStatus.RESOLVED:
            continue
        finding.status = FindingStatus.RESOLVED
        finding.resolved_automatically = True
        finding.resolved_at = now
        finding.resolved_by = None
        finding.resolution = "The check passes now."
        finding.updated_at = now
        finding.version += 1
        changed.append(finding)
        result.resolved += 1
    ValidationFinding.objects.bulk_create(new)
    result.created = len(new)
    if changed:
        ValidationFinding.objects.bulk_update(
            changed,
            [
                *_DETECTED_FIELDS,
                "status",
                "resolved_automatically",
                "resolved_at",
                "resolved_by",
                "resolution",
                "updated_at",
                "version",
            ],
        )
    if result.changed:
        record(
            actor=acting_user,
            action="statistics.checks.run",
            object_type="statistics.validationfinding",
            object_repr=_scope_text(areas, first_year, last_year),
            member_state=areas[0] if areas is not None and len(areas) == 1 else "",
            after={
                "ref_areas": areas,
                "first_year": first_year,
                "last_year": last_year,
                **result.as_dict(),
                "problems": problems,
            },
        )
    return result


def _scope_text(areas: list[str] | None, first_year: int | None, last_year: int | None) -> str:
    where = ", ".join(areas) if areas is not None else "every Member State"
    if first_year is None and last_year is None:
        return f"checks of {where}, every year"
    if first_year == last_year:
        return f"checks of {where}, {first_year}"
    return f"checks of {where}, {first_year or '...'}-{last_year or '...'}"


# --- following a finding up --------------------------------------------------------------------


def _locked(finding: ValidationFinding) -> ValidationFinding:
    return ValidationFinding.objects.select_for_update().get(pk=finding.pk)


def _snapshot(finding: ValidationFinding) -> dict:
    return {
        "status": finding.status,
        "explanation": finding.explanation,
        "resolution": finding.resolution,
        "version": finding.version,
    }


@transaction.atomic
def explain_finding(
    *, acting_user: User, finding: ValidationFinding, explanation: str, version: int
) -> ValidationFinding:
    """The country's focal point or approver explains a flagged value (a seizure record, a
    change of definition...). `version` is the one the form showed: if somebody changed the
    finding in between, nothing is written and ConflictError carries the current one."""
    current = _locked(finding)
    if not can_explain(acting_user, current):
        raise PermissionDenied(
            "Only the country's focal points and approvers explain its findings, until resolved"
        )
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    explanation = explanation.strip()
    if not explanation:
        raise ValueError("explanation: say why the value is right, or what will be corrected")
    if len(explanation) > MAX_EXPLANATION:
        raise ValueError(f"explanation: at most {MAX_EXPLANATION} characters")
    before = _snapshot(current)
    current.status = FindingStatus.EXPLAINED
    current.explanation = explanation
    current.explained_by = acting_user
    current.explained_at = current.updated_at = timezone.now()
    current.version += 1
    current.save(
        update_fields=[
            "status",
            "explanation",
            "explained_by",
            "explained_at",
            "updated_at",
            "version",
        ]
    )
    record(
        actor=acting_user,
        action="statistics.finding.explain",
        obj=current,
        member_state=current.ref_area,
        before=before,
        after=_snapshot(current),
    )
    return current


@transaction.atomic
def resolve_finding(
    *, acting_user: User, finding: ValidationFinding, version: int, note: str = ""
) -> ValidationFinding:
    """The Secretariat closes a finding: explained, corrected, or accepted as it is."""
    current = _locked(finding)
    if not can_resolve(acting_user, current):
        raise PermissionDenied("Only the ASEAN Secretariat resolves findings, once")
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    note = note.strip()
    if len(note) > MAX_EXPLANATION:
        raise ValueError(f"note: at most {MAX_EXPLANATION} characters")
    before = _snapshot(current)
    current.status = FindingStatus.RESOLVED
    current.resolution = note
    current.resolved_by = acting_user
    current.resolved_automatically = False
    current.resolved_at = current.updated_at = timezone.now()
    current.version += 1
    current.save(
        update_fields=[
            "status",
            "resolution",
            "resolved_by",
            "resolved_automatically",
            "resolved_at",
            "updated_at",
            "version",
        ]
    )
    record(
        actor=acting_user,
        action="statistics.finding.resolve",
        obj=current,
        member_state=current.ref_area,
        before=before,
        after=_snapshot(current),
    )
    return current
