"""Write helpers shared by the apps' services."""

from dataclasses import dataclass, field

from django.db.models import Model

from pantau.audit.services import record, snapshot


def _comparable(value, name: str | None = None):
    """A field's value for comparison: a related object by its id (without fetching it)."""
    if name is not None:
        value = getattr(value, f"{name}_id" if hasattr(value, f"{name}_id") else name)
    return value.pk if hasattr(value, "pk") else value


def upsert_audited(
    *,
    acting_user,
    model: type[Model],
    lookup: dict,
    values: dict,
    update_existing: bool = True,
    member_state: str = "",
) -> tuple[Model, str]:
    """Create the row `lookup` with `values`, or bring an existing one in line with them (only
    when `update_existing`), each change audited. Returns the row and "created", "updated" or
    "unchanged". Must run inside the caller's transaction, like `record`."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        record(
            actor=acting_user,
            action=f"{model._meta.label_lower}.create",
            obj=obj,
            member_state=member_state,
            after=snapshot(obj),
        )
        return obj, "created"
    changed = [k for k, v in values.items() if _comparable(obj, k) != _comparable(v)]
    if not changed or not update_existing:
        return obj, "unchanged"
    before = snapshot(obj)
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    record(
        actor=acting_user,
        action=f"{model._meta.label_lower}.update",
        obj=obj,
        member_state=member_state,
        before=before,
        after=snapshot(obj),
    )
    return obj, "updated"


@dataclass
class UpsertTally:
    """What loading a file of reference rows (metadata, rules) did: the labels of the rows
    created and updated, and how many were already as the file says."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def upsert(self, label: str, **upsert_args) -> Model:
        """`upsert_audited(**upsert_args)`, counted under `label`; returns the row."""
        obj, outcome = upsert_audited(**upsert_args)
        if outcome == "unchanged":
            self.unchanged += 1
        else:
            getattr(self, outcome).append(label)
        return obj
