"""Every write on national programmes and services: create and edit drafts (the Member State's
focal points and approver), publish and withdraw (its national approver), revise (back to
draft). Each is one transaction with its permission check, its version check and its audit
event."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.audit.services import record, snapshot
from pantau.core.actors import Actor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState

from . import permissions
from .choices import TRANSITIONS, PublicationStatus, RiskGroup, ServiceKind, Transition
from .models import GroupAtRisk, NationalProgramme, Service

PROGRAMME_FIELDS = (
    "title",
    "summary",
    "objectives",
    "lead_agency",
    "period_start",
    "period_end",
    "url",
)
SERVICE_FIELDS = ("name", "description", "kind", "provider", "coverage", "contact", "url")
REQUIRED = {
    NationalProgramme: ("title", "summary", "lead_agency"),
    Service: ("name", "description", "kind"),
}
MAX_LENGTHS = {
    "title": 300,
    "name": 300,
    "lead_agency": 300,
    "provider": 300,
    "coverage": 300,
    "contact": 300,
    "url": 500,
}


class InvalidEntry(ValueError):
    """Bad input: `problems` maps each field to what is wrong with it. Nothing was changed."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems.items()))


def _state(code: str) -> MemberState:
    code = (code or "").upper()
    state = MemberState.objects.filter(code=code).first() if is_state_code(code) else None
    if state is None:
        raise InvalidEntry({"member_state": _("Unknown Member State: %(code)s") % {"code": code}})
    return state


def _groups(codes: list[str] | None, *, required: bool) -> list[GroupAtRisk] | None:
    if codes is None:
        return None
    unknown = sorted(set(codes) - set(RiskGroup.values))
    if unknown:
        raise InvalidEntry(
            {"groups": _("Unknown groups at risk: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    if required and not codes:
        raise InvalidEntry({"groups": _("Name at least one group at risk the service serves")})
    return list(GroupAtRisk.objects.filter(code__in=codes))


def is_state_code(code: str) -> bool:
    """Two ASCII letters: anything else is no Member State (and never reaches a query)."""
    return len(code) == 2 and code.isascii() and code.isalpha()


def _check(model, values: dict) -> None:
    problems: dict[str, str] = {}
    for name, value in values.items():
        # PostgreSQL refuses NUL in text: refuse it here, naming the field.
        if isinstance(value, str) and "\x00" in value:
            problems[name] = _("Must not contain NUL characters.")
    for name in REQUIRED[model]:
        if not str(values.get(name) or "").strip():
            problems[name] = _("This field is required.")
    for name, limit in MAX_LENGTHS.items():
        if name in values and len(str(values[name] or "")) > limit:
            problems[name] = _("At most %(n)d characters.") % {"n": limit}
    if values.get("url"):
        try:
            URLValidator(schemes=["http", "https"])(values["url"])
        except ValidationError:
            problems["url"] = _("Enter a web address starting with http:// or https://")
    if model is Service and values.get("kind") and values["kind"] not in ServiceKind.values:
        problems["kind"] = _("Unknown kind of service: %(kind)s") % {"kind": values["kind"]}
    start, end = values.get("period_start"), values.get("period_end")
    for name in ("period_start", "period_end"):
        year = values.get(name)
        if year is not None and not 1950 <= int(year) <= 2100:
            problems[name] = _("A year between 1950 and 2100.")
    if start and end and end < start:
        problems["period_end"] = _("The programme ends before it starts.")
    if problems:
        raise InvalidEntry(problems)


def _snapshot(entry) -> dict:
    fields = PROGRAMME_FIELDS if isinstance(entry, NationalProgramme) else SERVICE_FIELDS
    data = snapshot(entry, [*fields, "member_state", "status", "version", "programme"])
    data["groups"] = sorted(entry.groups.values_list("code", flat=True))
    return data


def _action(entry, verb: str) -> str:
    noun = "programme" if isinstance(entry, NationalProgramme) else "service"
    return f"programmes.{noun}.{verb}"


def _programme_of(state: MemberState, programme_id: int | None) -> NationalProgramme | None:
    if programme_id is None:
        return None
    programme = NationalProgramme.objects.filter(pk=programme_id, member_state=state).first()
    if programme is None:
        raise InvalidEntry(
            {
                "programme": _("No national programme %(id)s of this Member State")
                % {"id": programme_id}
            }
        )
    return programme


def _create(
    model, fields_list, *, acting_user: Actor, member_state: str, groups, system, is_demo, fields
):
    if not system and not permissions.is_editor(acting_user):
        raise PermissionDenied(_("Only a Member State's focal points and approver write entries"))
    state = _state(member_state)
    if not system and not permissions.can_create_for(acting_user, state.code):
        raise PermissionDenied(_("You may write only your own Member State's entries"))
    values = {f: fields[f] for f in fields_list if f in fields}
    _check(model, values)
    chosen = _groups(groups or [], required=model is Service)
    extra = {}
    if model is Service:
        extra["programme"] = _programme_of(state, fields.get("programme"))
    now = timezone.now()
    entry = model.objects.create(
        member_state=state, is_demo=is_demo, created_at=now, updated_at=now, **values, **extra
    )
    entry.groups.set(chosen)
    record(
        actor=acting_user,
        action=_action(entry, "create"),
        obj=entry,
        member_state=state.code,
        after=_snapshot(entry),
    )
    return entry


def _locked(entry):
    return (
        type(entry)
        .objects.select_for_update(of=("self",))
        .select_related("member_state")
        .get(pk=entry.pk)
    )


def _update(fields_list, *, acting_user: Actor, entry, version: int, groups, fields):
    current = _locked(entry)
    if not permissions.can_edit(acting_user, current):
        if current.status != PublicationStatus.DRAFT and permissions.can_create_for(
            acting_user, current.member_state.code
        ):
            raise InvalidEntry(
                {"status": _("Only a draft is edited: revise the entry back to draft first")}
            )
        raise PermissionDenied(_("You may edit only your own Member State's drafts"))
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    before = _snapshot(current)
    for name in fields_list:
        if name in fields:
            value = fields[name]
            setattr(
                current,
                name,
                "" if value is None and name not in ("period_start", "period_end") else value,
            )
    _check(type(current), {f: getattr(current, f) for f in fields_list})
    chosen = _groups(groups, required=isinstance(current, Service))
    if isinstance(current, Service) and "programme" in fields:
        current.programme = _programme_of(current.member_state, fields["programme"])
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    if chosen is not None:
        current.groups.set(chosen)
    record(
        actor=acting_user,
        action=_action(current, "update"),
        obj=current,
        member_state=current.member_state.code,
        before=before,
        after=_snapshot(current),
    )
    return current


@transaction.atomic
def transition(*, acting_user: Actor, entry, action: str, version: int | None = None):
    """Publish, withdraw or revise a programme or service. `version`, when given, is the one
    the user saw (ConflictError if it changed)."""
    if action not in TRANSITIONS:
        raise InvalidEntry({"action": _("Unknown action: %(action)s") % {"action": action}})
    current = _locked(entry)
    if not permissions.can_create_for(acting_user, current.member_state.code):
        raise PermissionDenied(_("Only the Member State's focal points and approver act on it"))
    if version is not None and current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    sources, target = TRANSITIONS[action]
    if current.status not in sources:
        raise InvalidEntry(
            {
                "action": _("A %(status)s entry cannot be %(action)s")
                % {
                    "status": current.get_status_display().lower(),
                    "action": action,
                }
            }
        )
    if not permissions.can_transition(acting_user, current, action):
        if action == Transition.REVISE:
            raise PermissionDenied(_("Only the Member State's focal points and approver revise it"))
        raise PermissionDenied(
            _("Only the Member State's national approver publishes or withdraws")
        )
    before = {"status": current.status, "version": current.version}
    now = timezone.now()
    current.status = target
    if target == PublicationStatus.PUBLISHED:
        current.published_at = now
    current.public_changed_at = now
    current.version += 1
    current.updated_at = now
    current.save(
        update_fields=["status", "published_at", "public_changed_at", "version", "updated_at"]
    )
    record(
        actor=acting_user,
        action=_action(current, action),
        obj=current,
        member_state=current.member_state.code,
        before=before,
        after={"status": current.status, "version": current.version},
    )
    return current


@transaction.atomic
def create_programme(
    *,
    acting_user: Actor,
    member_state: str,
    groups: list[str] | None = None,
    is_demo: bool = False,
    system: bool = False,
    **fields,
) -> NationalProgramme:
    """A draft national programme of `member_state` (a focal point or approver of it)."""
    return _create(
        NationalProgramme,
        PROGRAMME_FIELDS,
        acting_user=acting_user,
        member_state=member_state,
        groups=groups,
        system=system,
        is_demo=is_demo,
        fields=fields,
    )


@transaction.atomic
def update_programme(
    *,
    acting_user: Actor,
    programme: NationalProgramme,
    version: int,
    groups: list[str] | None = None,
    **fields,
) -> NationalProgramme:
    """Save a draft edited from `version`; ConflictError if somebody saved in between."""
    return _update(
        PROGRAMME_FIELDS,
        acting_user=acting_user,
        entry=programme,
        version=version,
        groups=groups,
        fields=fields,
    )


@transaction.atomic
def create_service(
    *,
    acting_user: Actor,
    member_state: str,
    groups: list[str],
    programme: int | None = None,
    is_demo: bool = False,
    system: bool = False,
    **fields,
) -> Service:
    """A draft service of `member_state`, optionally part of one of its programmes."""
    return _create(
        Service,
        SERVICE_FIELDS,
        acting_user=acting_user,
        member_state=member_state,
        groups=groups,
        system=system,
        is_demo=is_demo,
        fields={**fields, "programme": programme},
    )


@transaction.atomic
def update_service(
    *,
    acting_user: Actor,
    service: Service,
    version: int,
    groups: list[str] | None = None,
    **fields,
) -> Service:
    return _update(
        SERVICE_FIELDS,
        acting_user=acting_user,
        entry=service,
        version=version,
        groups=groups,
        fields=fields,
    )
