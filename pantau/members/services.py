"""Writes on Member States, agencies and partners."""

import datetime

from django.db import transaction
from django.db.models import F

from pantau.accounts.permissions import can_edit_agency
from pantau.audit.services import record, snapshot, upsert_audited
from pantau.core.actors import Actor
from pantau.core.exceptions import ConflictError, PermissionDenied

from .models import Agency, MemberState, Partner, Region

AGENCY_EDITABLE_FIELDS = ("name", "acronym", "website", "email", "address")


@transaction.atomic
def load_reference_data(*, acting_user: Actor, data: dict) -> dict[str, int]:
    """Create or update the region, Member States, their agencies and partners from `data`
    (see members/data/reference.json). Idempotent: a second run changes and records nothing."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def upsert(model, lookup: dict, values: dict, member_state: str = ""):
        obj, outcome = upsert_audited(
            acting_user=acting_user,
            model=model,
            lookup=lookup,
            values=values,
            member_state=member_state,
        )
        counts[outcome] += 1
        return obj

    for region in data.get("regions", []):
        upsert(Region, {"code": region["code"]}, {"name": region["name"]})
    for ms in data.get("member_states", []):
        state = upsert(
            MemberState,
            {"code": ms["code"]},
            {
                "name": ms["name"],
                "official_name": ms["official_name"],
                "joined_on": datetime.date.fromisoformat(ms["joined_on"]),
                "left_on": datetime.date.fromisoformat(ms["left_on"])
                if ms.get("left_on")
                else None,
            },
            member_state=ms["code"],
        )
        for agency in ms.get("agencies", []):
            # Only seeds an agency; afterwards its details belong to the Member State.
            if not Agency.objects.filter(
                member_state=state, acronym=agency.get("acronym", "")
            ).exists():
                upsert(
                    Agency,
                    {"member_state": state, "name": agency["name"]},
                    {
                        "acronym": agency.get("acronym", ""),
                        "is_lead": agency.get("is_lead", False),
                        "kind": agency.get("kind", "national_drug_agency"),
                    },
                    member_state=ms["code"],
                )
    for partner in data.get("partners", []):
        upsert(
            Partner, {"code": partner["code"]}, {"name": partner["name"], "kind": partner["kind"]}
        )
    return counts


@transaction.atomic
def update_agency(*, acting_user: Actor, agency: Agency, version: int, **changes: str) -> Agency:
    """Change an agency's contact details. `version` is the one the editor started from: if
    somebody saved in between, nothing is written and ConflictError carries their version."""
    if not can_edit_agency(acting_user, agency):
        raise PermissionDenied("You may not edit this agency")
    unknown = set(changes) - set(AGENCY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    current = Agency.objects.select_for_update().select_related("member_state").get(pk=agency.pk)
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    before = snapshot(current, [*AGENCY_EDITABLE_FIELDS, "version"])
    for field, value in changes.items():
        setattr(current, field, value)
    current.full_clean()
    current.version = F("version") + 1
    current.save(update_fields=[*changes.keys(), "version"])
    current.refresh_from_db()
    record(
        actor=acting_user,
        action="members.agency.update",
        obj=current,
        member_state=current.member_state.code,
        before=before,
        after=snapshot(current, [*AGENCY_EDITABLE_FIELDS, "version"]),
    )
    return current
