"""Administrators' edits of the statistics metadata, one object at a time: an indicator, a code
of a codelist, a unit's conversion factor; and the whole metadata file (load_metadata, which
`pantau setup` calls and sdmx.import_structure uses).

Each edit is one transaction with its audit event (before and after), allowed by
permissions.can_manage_metadata. The metadata tables carry no version column, so concurrent
edits are detected by a revision: a digest of the object as the editor saw it (its `revision`
on the edit page), compared with the locked row; a mismatch writes nothing and raises
ConflictError.

The values already stored constrain the edits: an indicator keeps the unit kinds and the
dimensions (other than at the total) its values use, a code keeps its identifier, and a code
is removed only when nothing uses it.

An edit that changes how values are read (an indicator's aggregation or dimensions, the codes
of a codelist and their hierarchy) calls totals.metadata_changed in its transaction: the
published totals follow it, and every process reads the indicators' structures again."""

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Model, Q

from pantau.audit.chain import to_json_value
from pantau.audit.services import UpsertTally, record, snapshot
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied

from .. import permissions
from ..choices import DIMENSIONS, TOTAL, Aggregation, IndicatorGroup, UnitKind
from ..models import Code, Codelist, DataValue, Indicator, Unit, ValidationRule
from ..read.totals import metadata_changed

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_]*$|^_T$")
# The DataValue column of each dimension codelist.
FIELD_OF_CODELIST = {d.codelist: d.field for d in DIMENSIONS}


class MetadataConflict(Exception):
    """Somebody else changed the object since the editor loaded it: nothing was written."""

    def __init__(self, current: Model):
        self.current = current
        super().__init__(f"{current} was changed by somebody else; reload it and edit again")


class MetadataRefused(ValueError):
    """The edit would contradict the stored data or the structure; nothing was written.
    `problems` maps a field name ('' for the whole object) to its messages."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(m for ms in problems.values() for m in ms))


def _require(user) -> None:
    if not permissions.can_manage_metadata(user):
        raise PermissionDenied("Only administrators change the statistics metadata")


# --- revisions -------------------------------------------------------------------------------


def _state(obj: Model) -> dict:
    data = snapshot(obj)
    if isinstance(obj, Indicator):
        data["dimensions"] = sorted(obj.dimensions.values_list("code", flat=True))
    return data


def revision(obj: Model) -> str:
    """A digest of the object's stored state (the edit pages send it back with the form)."""
    text = json.dumps(_state(obj), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _locked(obj: Model, seen_revision: str | None) -> Model:
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if seen_revision is not None and revision(current) != seen_revision:
        raise MetadataConflict(current)
    return current


# --- indicators ------------------------------------------------------------------------------


def used_unit_kinds(indicator: Indicator) -> set[str]:
    return set(
        DataValue.objects.filter(indicator=indicator)
        .values_list("unit_kind", flat=True)
        .distinct()
        .order_by()
    )


def used_dimensions(indicator: Indicator) -> set[str]:
    """The dimension codelists the indicator's stored values break down (a code other than
    the total)."""
    values = DataValue.objects.filter(indicator=indicator)
    return {
        d.codelist for d in DIMENSIONS if values.exclude(**{d.field: TOTAL}).only("pk").exists()
    }


@transaction.atomic
def update_indicator(
    *,
    acting_user: Actor,
    indicator: Indicator,
    name: str,
    definition: str,
    unit_kinds: list[str],
    aggregation: str,
    dimensions: list[str],
    seen_revision: str | None = None,
) -> Indicator:
    """Change an indicator's name, definition, accepted unit kinds, aggregation and
    dimensions (codelist codes). Unit kinds and dimensions its stored values use stay."""
    _require(acting_user)
    indicator = _locked(indicator, seen_revision)  # type: ignore[assignment]
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        problems.setdefault("name", []).append("An indicator has a name")
    kinds = list(dict.fromkeys(unit_kinds))
    if not kinds or any(k not in UnitKind.values for k in kinds):
        problems.setdefault("unit_kinds", []).append(
            "One or more of: " + ", ".join(UnitKind.values)
        )
    if missing := sorted(used_unit_kinds(indicator) - set(kinds)):
        problems.setdefault("unit_kinds", []).append(
            "Stored values are in " + ", ".join(missing) + ": keep it"
        )
    if aggregation not in Aggregation.values:
        problems.setdefault("aggregation", []).append("One of: " + ", ".join(Aggregation.values))
    wanted = set(dimensions)
    if unknown := sorted(wanted - set(FIELD_OF_CODELIST)):
        problems.setdefault("dimensions", []).append(
            "Not a dimension of the data values: " + ", ".join(unknown)
        )
    if dropped := sorted(used_dimensions(indicator) - wanted):
        problems.setdefault("dimensions", []).append(
            "Stored values are broken down by " + ", ".join(dropped) + ": keep it"
        )
    if problems:
        raise MetadataRefused(problems)
    before = _state(indicator)
    indicator.name = name
    indicator.definition = definition.strip()
    indicator.unit_kinds = kinds
    indicator.aggregation = aggregation
    indicator.save(update_fields=["name", "definition", "unit_kinds", "aggregation"])
    if sorted(wanted) != before["dimensions"]:
        indicator.dimensions.set(Codelist.objects.filter(code__in=wanted))
    after = _state(indicator)
    if after != before:
        record(
            actor=acting_user,
            action="statistics.indicator.update",
            obj=indicator,
            before=before,
            after=after,
        )
    if any(after[k] != before[k] for k in ("aggregation", "dimensions")):
        metadata_changed(indicator_ids=[indicator.pk])
    return indicator


def _users_of(codelist: Codelist) -> list[int]:
    """The indicators broken down by `codelist`."""
    return list(Indicator.objects.filter(dimensions=codelist).values_list("pk", flat=True))


# --- codes -----------------------------------------------------------------------------------


def _check_parent(codelist: Codelist, code: Code | None, parent: Code | None) -> list[str]:
    if parent is None:
        return []
    if parent.codelist_id != codelist.pk:
        return ["The parent must be in the same codelist"]
    seen = set()
    node: Code | None = parent
    while node is not None and node.pk not in seen:
        if code is not None and node.pk == code.pk:
            return ["A code cannot be its own parent or under one of its own children"]
        seen.add(node.pk)
        node = node.parent
    return []


@transaction.atomic
def save_code(
    *,
    acting_user: Actor,
    codelist: Codelist,
    code: Code | None = None,
    identifier: str = "",
    name: str,
    description: str = "",
    parent: Code | None = None,
    seen_revision: str | None = None,
) -> Code:
    """Add a code to a codelist (`identifier`, upper case) or change an existing one's name,
    description and parent. A code's identifier never changes: values store it."""
    _require(acting_user)
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        problems.setdefault("name", []).append("A code has a name")
    if code is None:
        identifier = identifier.strip().upper()
        if not CODE_PATTERN.match(identifier) or len(identifier) > 32:
            problems.setdefault("code", []).append(
                "Upper-case letters, digits and underscores, at most 32 characters"
            )
        elif Code.objects.filter(codelist=codelist, code__iexact=identifier).exists():
            problems.setdefault("code", []).append(f"{codelist.code} already has {identifier}")
    else:
        code = _locked(code, seen_revision)  # type: ignore[assignment]
        assert code is not None
        if code.codelist_id != codelist.pk:
            raise ValueError(f"{code} is not a code of {codelist}")
        if code.code == TOTAL and parent is not None:
            problems.setdefault("parent", []).append("The total has no parent")
    if parent_problems := _check_parent(codelist, code, parent):
        problems.setdefault("parent", []).extend(parent_problems)
    if problems:
        raise MetadataRefused(problems)
    if code is None:
        last = codelist.codes.order_by("-order").values_list("order", flat=True).first()
        code = Code.objects.create(
            codelist=codelist,
            code=identifier,
            name=name,
            description=description.strip(),
            parent=parent,
            order=(last or 0) + 1,
        )
        record(actor=acting_user, action="statistics.code.create", obj=code, after=snapshot(code))
        metadata_changed(refresh=False)  # a new code: no value uses it yet
        return code
    before = snapshot(code)
    code.name = name
    code.description = description.strip()
    code.parent = parent
    code.save(update_fields=["name", "description", "parent"])
    after = snapshot(code)
    if after != before:
        record(
            actor=acting_user,
            action="statistics.code.update",
            obj=code,
            before=before,
            after=after,
        )
    if after["parent_id"] != before["parent_id"]:
        # Derived totals follow the hierarchy (the top-most reported codes).
        metadata_changed(indicator_ids=_users_of(codelist))
    return code


def code_uses(code: Code) -> list[str]:
    """What keeps a code from being removed: the total, children, stored values, rules."""
    uses = []
    if code.code == TOTAL:
        uses.append("it is the codelist's total")
    if children := code.children.count():
        uses.append(f"{children} code(s) have it as their parent")
    field = FIELD_OF_CODELIST.get(code.codelist.code)
    if field and DataValue.objects.filter(**{field: code.code}).exists():
        uses.append("stored values use it")
    word = re.compile(rf"(?<![A-Z0-9_]){re.escape(code.code)}(?![A-Z0-9_])")
    rules = [
        r.code
        for r in ValidationRule.objects.filter(
            Q(left__contains=code.code) | Q(right__contains=code.code)
        )
        if word.search(r.left) or word.search(r.right)
    ]
    if rules:
        uses.append("validation rules use it: " + ", ".join(rules))
    return uses


@transaction.atomic
def delete_code(*, acting_user: Actor, code: Code, seen_revision: str | None = None) -> None:
    """Remove a code nothing uses (a mistake just added); a code in use is never removed."""
    _require(acting_user)
    code = _locked(code, seen_revision)  # type: ignore[assignment]
    if uses := code_uses(code):
        raise MetadataRefused({"": [f"{code} is in use: " + "; ".join(uses)]})
    before = snapshot(code)
    label = str(code)
    pk = code.pk
    code.delete()
    metadata_changed(refresh=False)  # nothing used it
    record(
        actor=acting_user,
        action="statistics.code.delete",
        object_type="statistics.code",
        object_id=str(pk),
        object_repr=label,
        before=before,
    )


# --- units -----------------------------------------------------------------------------------


@transaction.atomic
def update_unit(
    *,
    acting_user: Actor,
    unit: Unit,
    name: str,
    factor: Decimal,
    seen_revision: str | None = None,
) -> Unit:
    """Change a unit's name and conversion factor (to the canonical unit of its kind). The
    factor converts what is imported from now on; values already stored keep the value they
    were converted to (their reported value and unit are kept beside it)."""
    _require(acting_user)
    unit = _locked(unit, seen_revision)  # type: ignore[assignment]
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        problems.setdefault("name", []).append("A unit has a name")
    if not factor.is_finite() or factor <= 0:
        problems.setdefault("factor", []).append("A positive number")
    elif unit.is_canonical and factor != 1:
        problems.setdefault("factor", []).append(
            f"{unit.code} is the canonical unit of its kind: its factor is 1"
        )
    elif factor.as_tuple().exponent < -12 or factor.adjusted() >= 18:  # type: ignore[operator]
        problems.setdefault("factor", []).append("At most 18 digits and 12 decimal places")
    if problems:
        raise MetadataRefused(problems)
    before = snapshot(unit)
    unit.name = name
    unit.factor = factor
    unit.save(update_fields=["name", "factor"])
    unit.refresh_from_db(fields=["factor"])
    after = snapshot(unit)
    if to_json_value(after) != to_json_value(before):
        record(
            actor=acting_user,
            action="statistics.unit.update",
            obj=unit,
            before=before,
            after=after,
        )
    return unit


def values_in_unit(unit: Unit) -> int:
    return DataValue.objects.filter(reported_unit=unit.code).count()


# --- the metadata file loader ---------------------------------------------------------------

METADATA_FILE = Path(__file__).resolve().parent.parent / "data" / "metadata.json"

# --- metadata ---------------------------------------------------------------------------------


class MetadataError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class MetadataLoadResult(UpsertTally):
    """What load_metadata did."""


def check_metadata(data: dict) -> list[str]:
    """Every problem of a metadata file (see data/metadata.json), as '$.path: message'."""
    problems = []
    canonical: dict[str, list[str]] = {}
    for i, unit in enumerate(data.get("units", [])):
        where = f"$.units[{i}] {unit.get('code')}"
        if unit.get("kind") not in UnitKind.values:
            problems.append(f"{where}: kind must be one of {', '.join(UnitKind.values)}")
        try:
            factor = Decimal(str(unit.get("factor")))
            if not factor.is_finite() or factor <= 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"{where}: factor must be a positive number")
            factor = Decimal(0)
        if unit.get("canonical"):
            canonical.setdefault(unit.get("kind"), []).append(unit.get("code"))
            if factor != 1:
                problems.append(f"{where}: a canonical unit has factor 1")
    for kind in UnitKind.values:
        if len(canonical.get(kind, [])) != 1:
            problems.append(f"$.units: the kind {kind} needs exactly one canonical unit")
    dimension_lists = {d.codelist for d in DIMENSIONS}
    listed = set()
    for i, codelist in enumerate(data.get("codelists", [])):
        where = f"$.codelists[{i}] {codelist.get('code')}"
        listed.add(codelist.get("code"))
        seen: set[str] = set()
        for j, code in enumerate(codelist.get("codes", [])):
            parent = code.get("parent")
            if code.get("code") in seen:
                problems.append(f"{where}.codes[{j}]: {code.get('code')} appears twice")
            if parent and parent not in seen:
                problems.append(
                    f"{where}.codes[{j}]: parent {parent!r} must be listed before {code['code']}"
                )
            seen.add(code.get("code"))
        if TOTAL not in seen:
            problems.append(f"{where}: every codelist has the total {TOTAL}")
    for missing in sorted(dimension_lists - listed):
        problems.append(f"$.codelists: the dimension codelist {missing} is missing")
    for i, indicator in enumerate(data.get("indicators", [])):
        where = f"$.indicators[{i}] {indicator.get('code')}"
        if indicator.get("group") not in IndicatorGroup.values:
            problems.append(f"{where}: group must be one of {', '.join(IndicatorGroup.values)}")
        if indicator.get("aggregation") not in Aggregation.values:
            problems.append(f"{where}: aggregation must be one of {', '.join(Aggregation.values)}")
        kinds = indicator.get("unit_kinds") or []
        if not kinds or any(k not in UnitKind.values for k in kinds):
            problems.append(f"{where}: unit_kinds must list some of {', '.join(UnitKind.values)}")
        for dim in indicator.get("dimensions", []):
            if dim not in dimension_lists:
                problems.append(f"{where}: {dim} is not a dimension of the data values")
    return problems


@transaction.atomic
def load_metadata(
    *, acting_user: Actor, data: dict, update_existing: bool = False, system: bool = False
) -> MetadataLoadResult:
    """Create the units, codelists, codes and indicators of `data` that do not exist yet.
    Existing ones are left as administrators edited them, unless `update_existing`. Idempotent:
    a second run changes and records nothing."""
    if not system and not permissions.can_manage_metadata(acting_user):
        raise PermissionDenied("Only administrators change the statistics metadata")
    problems = check_metadata(data)
    if problems:
        raise MetadataError(problems)
    result = MetadataLoadResult()

    def upsert(model, lookup: dict, values: dict, label: str):
        return result.upsert(
            label,
            acting_user=acting_user,
            model=model,
            lookup=lookup,
            values=values,
            update_existing=update_existing,
        )

    for unit in data.get("units", []):
        upsert(
            Unit,
            {"code": unit["code"]},
            {
                "name": unit["name"],
                "kind": unit["kind"],
                "factor": Decimal(str(unit["factor"])),
                "is_canonical": bool(unit.get("canonical")),
            },
            f"unit {unit['code']}",
        )
    codelists = {}
    for spec in data.get("codelists", []):
        codelist = codelists[spec["code"]] = upsert(
            Codelist,
            {"code": spec["code"]},
            {"name": spec["name"], "description": spec.get("description", "")},
            f"codelist {spec['code']}",
        )
        codes: dict[str, Code] = {}
        for order, code in enumerate(spec.get("codes", [])):
            codes[code["code"]] = upsert(
                Code,
                {"codelist": codelist, "code": code["code"]},
                {
                    "name": code["name"],
                    "description": code.get("description", ""),
                    "parent": codes[code["parent"]] if code.get("parent") else None,
                    "order": order,
                },
                f"code {spec['code']}:{code['code']}",
            )
    for order, spec in enumerate(data.get("indicators", [])):
        existed = Indicator.objects.filter(code=spec["code"]).exists()
        indicator = upsert(
            Indicator,
            {"code": spec["code"]},
            {
                "name": spec["name"],
                "definition": spec.get("definition", ""),
                "group": spec["group"],
                "unit_kinds": list(spec["unit_kinds"]),
                "aggregation": spec["aggregation"],
                "order": order,
            },
            f"indicator {spec['code']}",
        )
        wanted = {
            codelists.get(c) or Codelist.objects.get(code=c) for c in spec.get("dimensions", [])
        }
        current = set(indicator.dimensions.all())
        if wanted != current and (not existed or update_existing):
            indicator.dimensions.set(wanted)
            record(
                actor=acting_user,
                action="statistics.indicator.dimensions",
                obj=indicator,
                before={"dimensions": sorted(c.code for c in current)},
                after={"dimensions": sorted(c.code for c in wanted)},
            )
            if existed and f"indicator {spec['code']}" not in result.updated:
                result.updated.append(f"indicator {spec['code']}")
                result.unchanged -= 1
    if result.created or result.updated:
        metadata_changed()  # kept structures and published totals follow
    return result
