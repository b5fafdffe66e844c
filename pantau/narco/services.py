"""Every read and write of the ASEAN-NARCO database. Reads are services too: each one is
audited (who saw which record, when, from where) in the same transaction as the read."""

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, Model, Q
from django.http import Http404
from django.utils import timezone

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import Actor, SystemActor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState

from . import names
from .choices import PersonStatus, Sharing, SyndicateStatus
from .models import (
    NameKey,
    NameToken,
    NarcoRecord,
    Person,
    SearchHit,
    Syndicate,
    WatchListEntry,
)
from .permissions import can_edit_record, officer_states
from .tasks import notify_hit

REVIEW_PERIOD = datetime.timedelta(days=365)
PERSON_FIELDS = (
    "names",
    "nationality",
    "date_of_birth",
    "identity_documents",
    "wanted_by",
    "wanted_for",
    "status",
    "notes",
    "originating_agency",
)
SYNDICATE_FIELDS = (
    "name",
    "aliases",
    "areas_of_operation",
    "routes",
    "drug_types",
    "precursors",
    "modus_operandi",
    "linked_organisations",
    "status",
    "originating_agency",
)


class NarcoValidationError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _next_review() -> datetime.date:
    # archive_overdue compares with the local date: review dates are local dates too.
    return timezone.localdate() + REVIEW_PERIOD


def _own_state(user) -> MemberState:
    states = sorted(officer_states(user))
    if not states:
        raise PermissionDenied("Only ASEAN-NARCO officers use this database")
    return MemberState.objects.get(code=states[0])


def _sharing_states(sharing: str, codes: list[str], problems: list[str]) -> list[MemberState]:
    if sharing not in Sharing.values:
        problems.append(f"sharing: {sharing!r} is not one of {', '.join(Sharing.values)}")
        return []
    if sharing != Sharing.STATES:
        return []
    states = list(MemberState.objects.filter(code__in=[c.upper() for c in codes]))
    unknown = sorted({c.upper() for c in codes} - {s.code for s in states})
    if unknown:
        problems.append(f"sharing.states: unknown Member State {', '.join(unknown)}")
    if not codes:
        problems.append("sharing.states: name at least one Member State, or share with all")
    return states


def _index_names(obj: Person | Syndicate, all_names: list[str]) -> None:
    key = {"person": obj} if isinstance(obj, Person) else {"syndicate": obj}
    NameKey.objects.filter(**key).delete()  # and their tokens (CASCADE)
    rows = NameKey.objects.bulk_create(
        NameKey(
            **key, name=n[:300], romanised=names.romanise(n)[:300], phonetic=names.phonetic(n)[:300]
        )
        for n in dict.fromkeys(all_names)
        if n.strip()
    )
    NameToken.objects.bulk_create(
        NameToken(name_key=row, key=k) for row in rows for k in sorted(names.index_keys(row.name))
    )


def _audit_view(obj: NarcoRecord) -> dict:
    """What the audit log keeps of a record: no names, no identifiers."""
    return {
        "id": obj.pk,
        "originator": obj.originator.code,
        "sharing": obj.sharing,
        "shared_with": sorted(s.code for s in obj.shared_with.all()),
        "version": obj.version,
        "archived": obj.archived_at is not None,
    }


def _check_person(values: dict, problems: list[str]) -> None:
    if "names" in values:
        ns = values["names"]
        if (
            not isinstance(ns, list)
            or not ns
            or not all(isinstance(n, str) and n.strip() for n in ns)
        ):
            problems.append("names: give at least one name (a list of non-empty strings)")
    if "nationality" in values:
        nat = values["nationality"] or ""
        if not (len(nat) == 2 and nat.isalpha()):
            problems.append("nationality: an ISO 3166-1 alpha-2 code such as TH")
        else:
            values["nationality"] = nat.upper()
    _check_status(values, PersonStatus.values, problems)
    if values.get("date_of_birth"):
        try:
            # Kept as the ISO string: what the encrypted column gives back on every read.
            values["date_of_birth"] = datetime.date.fromisoformat(
                str(values["date_of_birth"])
            ).isoformat()
        except ValueError:
            problems.append("date_of_birth: a date YYYY-MM-DD")
    elif "date_of_birth" in values:
        values["date_of_birth"] = None
    if values.get("wanted_by") == "":
        values["wanted_by"] = None  # a form's or a client's way of saying "nobody"
    if isinstance(values.get("wanted_by"), str):
        code = values["wanted_by"].upper()
        values["wanted_by"] = MemberState.objects.filter(code=code).first()
        if values["wanted_by"] is None:
            problems.append(f"wanted_by: unknown Member State {code}")
    docs = values.get("identity_documents")
    if docs is not None and not (
        isinstance(docs, list)
        and all(
            isinstance(d, dict)
            and isinstance(d.get("number"), str)
            and d["number"].strip()
            and all(isinstance(v, str) for v in d.values())
            for d in docs
        )
    ):
        problems.append(
            "identity_documents: a list of documents, each with a number "
            '(e.g. {"type": "passport", "number": "A1234567", "country": "TH"})'
        )


def _check_status(values: dict, allowed: list[str], problems: list[str]) -> None:
    if "status" not in values:
        return
    if not values["status"]:
        del values["status"]  # not given: the default on create, unchanged on update
    elif values["status"] not in allowed:
        problems.append(f"status: {values['status']!r} is not one of {', '.join(allowed)}")


def _check_syndicate(values: dict, problems: list[str]) -> None:
    if "name" in values and not (isinstance(values["name"], str) and values["name"].strip()):
        problems.append("name: required")
    for key in ("aliases", "areas_of_operation", "drug_types", "precursors"):
        if key in values and not (
            isinstance(values[key], list) and all(isinstance(v, str) for v in values[key])
        ):
            problems.append(f"{key}: a list of strings")
    _check_status(values, SyndicateStatus.values, problems)


def _linked_persons(acting_user, members: list[int], problems: list[str]) -> list[Person]:
    """Persons the user may see; any other id is reported like an id that does not exist."""
    linked = list(Person.objects.restrict(acting_user).filter(pk__in=members))
    if len(linked) != len(set(members)):
        problems.append("members: unknown person id")
    return linked


def _create_record(
    model,
    *,
    acting_user,
    origin: MemberState,
    sharing: str,
    states: list[MemberState],
    is_demo: bool,
    values: dict,
):
    """Create a NARCO record owned by `origin`, share it, and audit its creation (no names or
    identifiers in the audit log). Runs inside the calling service's transaction."""
    now = timezone.now()
    obj = model.objects.create(
        originator=origin,
        sharing=sharing,
        created_by=acting_user,
        created_at=now,
        updated_at=now,
        review_date=_next_review(),
        is_demo=is_demo,
        **values,
    )
    obj.shared_with.set(states)
    record(
        actor=acting_user,
        action=f"narco.{model._meta.model_name}.create",
        obj=obj,
        member_state=origin.code,
        after=_audit_view(obj),
    )
    return obj


@transaction.atomic
def create_person(
    *,
    acting_user: Actor,
    names: list[str],
    nationality: str,
    sharing: str = Sharing.ORIGINATOR,
    shared_with: list[str] | None = None,
    is_demo: bool = False,
    **fields,
) -> Person:
    origin = _own_state(acting_user)
    problems: list[str] = []
    values = {"names": names, "nationality": nationality, **fields}
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(unknown))}")
    _check_person(values, problems)
    states = _sharing_states(sharing, shared_with or [], problems)
    if problems:
        raise NarcoValidationError(problems)
    person = _create_record(
        Person,
        acting_user=acting_user,
        origin=origin,
        sharing=sharing,
        states=states,
        is_demo=is_demo,
        values=values,
    )
    _index_names(person, person.names)
    return person


@transaction.atomic
def create_syndicate(
    *,
    acting_user: Actor,
    name: str,
    sharing: str = Sharing.ORIGINATOR,
    shared_with: list[str] | None = None,
    members: list[int] | None = None,
    is_demo: bool = False,
    **fields,
) -> Syndicate:
    origin = _own_state(acting_user)
    problems: list[str] = []
    unknown = set(fields) - set(SYNDICATE_FIELDS)
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(unknown))}")
    values = {"name": name, **fields}
    _check_syndicate(values, problems)
    states = _sharing_states(sharing, shared_with or [], problems)
    linked = _linked_persons(acting_user, members or [], problems)
    if problems:
        raise NarcoValidationError(problems)
    syndicate = _create_record(
        Syndicate,
        acting_user=acting_user,
        origin=origin,
        sharing=sharing,
        states=states,
        is_demo=is_demo,
        values=values,
    )
    syndicate.members.set(linked)
    _index_names(syndicate, [syndicate.name, *syndicate.aliases])
    return syndicate


def _update(
    acting_user,
    obj: Person | Syndicate,
    version: int,
    changes: dict,
    allowed: tuple[str, ...],
    sharing: str | None,
    shared_with: list[str] | None,
    members: list[int] | None = None,
):
    model = type(obj)
    current = (
        model.objects.restrict(acting_user, "change").select_for_update().filter(pk=obj.pk).first()
    )
    if current is None:
        raise PermissionDenied("Only the originating Member State's officers change this record")
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    problems: list[str] = []
    unknown = set(changes) - set(allowed)
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(unknown))}")
    if model is Person:
        _check_person(changes, problems)
    else:
        _check_syndicate(changes, problems)
    if sharing is None and shared_with is not None:
        sharing = current.sharing  # new named states, same kind of sharing
    states = _sharing_states(sharing, shared_with or [], problems) if sharing is not None else None
    linked = _linked_persons(acting_user, members, problems) if members is not None else None
    if problems:
        raise NarcoValidationError(problems)
    before = _audit_view(current)
    for f, v in changes.items():
        setattr(current, f, v)
    if sharing is not None:
        current.sharing = sharing
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    if states is not None:
        current.shared_with.set(states)
    if linked is not None and isinstance(current, Syndicate):
        current.members.set(linked)
    if isinstance(current, Person):
        _index_names(current, current.names)
    else:
        _index_names(current, [current.name, *current.aliases])
    kind = model._meta.model_name
    record(
        actor=acting_user,
        action=f"narco.{kind}.update",
        obj=current,
        member_state=current.originator.code,
        before=before,
        after=_audit_view(current)
        | {"fields": sorted([*changes, *(["members"] if linked is not None else [])])},
    )
    return current


@transaction.atomic
def update_person(
    *,
    acting_user: Actor,
    person: Person,
    version: int,
    sharing: str | None = None,
    shared_with: list[str] | None = None,
    **changes,
) -> Person:
    return _update(acting_user, person, version, changes, PERSON_FIELDS, sharing, shared_with)


@transaction.atomic
def update_syndicate(
    *,
    acting_user: Actor,
    syndicate: Syndicate,
    version: int,
    sharing: str | None = None,
    shared_with: list[str] | None = None,
    members: list[int] | None = None,
    **changes,
) -> Syndicate:
    return _update(
        acting_user, syndicate, version, changes, SYNDICATE_FIELDS, sharing, shared_with, members
    )


@transaction.atomic
def add_watch_entry(
    *,
    acting_user: Actor,
    activity: str,
    source_agency: str,
    source_reliability: str,
    information_grade: str,
    person: Person | None = None,
    syndicate: Syndicate | None = None,
    sharing: str = Sharing.ORIGINATOR,
    shared_with: list[str] | None = None,
    is_demo: bool = False,
) -> WatchListEntry:
    origin = _own_state(acting_user)
    problems: list[str] = []
    if person is None and syndicate is None:
        problems.append("person/syndicate: link the entry to a person or a syndicate")
    for linked in (person, syndicate):
        if (
            linked is not None
            and not type(linked).objects.restrict(acting_user).filter(pk=linked.pk).exists()
        ):
            raise Http404("No such record")
    if not activity.strip():
        problems.append("activity: required")
    if not source_agency.strip():
        problems.append("source_agency: required")
    if source_reliability not in ("A", "B", "C", "X"):
        problems.append("source_reliability: one of A, B, C, X")
    if information_grade not in ("1", "2", "3", "4"):
        problems.append("information_grade: one of 1, 2, 3, 4")
    states = _sharing_states(sharing, shared_with or [], problems)
    if problems:
        raise NarcoValidationError(problems)
    entry = _create_record(
        WatchListEntry,
        acting_user=acting_user,
        origin=origin,
        sharing=sharing,
        states=states,
        is_demo=is_demo,
        values={
            "person": person,
            "syndicate": syndicate,
            "activity": activity,
            "source_agency": source_agency,
            "source_reliability": source_reliability,
            "information_grade": information_grade,
        },
    )
    return entry


@transaction.atomic
def read_record(*, acting_user: Actor, model: type[Model], pk: int):
    """A record the user may see, audited as read; Http404 alike for missing and not shared."""
    obj = model.objects.restrict(acting_user).select_related("originator").filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404("No such record")
    record(
        actor=acting_user,
        action=f"narco.{model._meta.model_name}.read",
        obj=obj,
        member_state=obj.originator.code,
        after={"id": obj.pk},
    )
    return obj


@transaction.atomic
def list_records(
    *,
    acting_user: Actor,
    model: type[Model],
    own_only: bool = False,
    select: tuple[str, ...] = (),
    prefetch: tuple = (),
    **filters,
) -> list:
    """The records shared with the user (only its own state's with `own_only`, narrowed by
    `filters`), audited as one read per originating state naming every id returned."""
    rows = model.objects.restrict(acting_user).filter(**filters)  # type: ignore[attr-defined]
    if own_only:
        rows = rows.filter(originator__code__in=officer_states(acting_user))
    rows = list(
        rows.select_related("originator", *select).prefetch_related("shared_with", *prefetch)
    )
    _record_reads(acting_user, f"narco.{model._meta.model_name}.list", model, rows)
    return rows


def _record_reads(acting_user, action: str, model: type[Model], rows, **extra) -> None:
    by_state: dict[str, list[int]] = {}
    for r in rows:
        by_state.setdefault(r.originator.code, []).append(r.pk)
    # One event per originating state, so each originator sees who read its records.
    for state, ids in sorted(by_state.items()):
        record(
            actor=acting_user,
            action=action,
            object_type=model._meta.label_lower,
            member_state=state,
            after={"ids": ids, **extra},
        )


class Match(NamedTuple):
    """A record found by a search, its score and why (which name part matched which word)."""

    record: Any
    score: float
    explanation: list[names.WordMatch]


@dataclass
class SearchResult:
    persons: list[Match] = field(default_factory=list)
    syndicates: list[Match] = field(default_factory=list)


def _candidates(query: str) -> dict[tuple[str, int], list[str]]:
    """The names of every unarchived record that shares a key (a word, its sound, a one-letter
    deletion, the unbroken name) with the query: the only records scored in Python.

    Until issue 15.5 every name in the database was scored in Python on every search. The keys
    are indexed (NameToken, kept by _index_names), so a search now costs what the query's
    namesakes cost, not what the database holds. Every word match names.explain can make
    shares a key; a whole-name fuzzy match sharing no word, sound or unbroken form with the
    query is no longer found: the price of not reading every name."""
    shared = NameToken.objects.filter(key__in=names.index_keys(query))
    rows = (
        NameKey.objects.filter(
            Q(person_id__in=shared.values("name_key__person_id"))
            | Q(syndicate_id__in=shared.values("name_key__syndicate_id")),
            person__archived_at__isnull=True,
            syndicate__archived_at__isnull=True,
        )
        .order_by("pk")
        .values_list("person_id", "syndicate_id", "name")
    )
    found: dict[tuple[str, int], list[str]] = {}
    for person_id, syndicate_id, name in rows.iterator():
        ident = ("person", person_id) if person_id else ("syndicate", syndicate_id)
        found.setdefault(ident, []).append(name)
    return found


@transaction.atomic
def search(*, acting_user: User, query: str, limit: int = 50) -> SearchResult:
    """Name search across borders: one name finds every record with that name among its
    names' parts (names.explain). Matches on records not shared with the searcher are not
    returned (the answer is exactly what it would be without them) but each creates a hit
    for the originating state, audited under the originator's name only."""
    own = _own_state(acting_user)
    query = query.strip()[:300]
    if len(names.romanise(query)) < 2:
        raise NarcoValidationError(["name: type at least two letters"])
    best: dict[tuple[str, int], tuple[float, list[names.WordMatch]]] = {}
    for ident, recorded in _candidates(query).items():
        matched = names.explain(query, recorded)
        if matched is not None:
            best[ident] = matched
    result = SearchResult()
    visible_p = set(
        Person.objects.restrict(acting_user)
        .filter(pk__in=[i for k, i in best if k == "person"])
        .values_list("pk", flat=True)
    )
    visible_s = set(
        Syndicate.objects.restrict(acting_user)
        .filter(pk__in=[i for k, i in best if k == "syndicate"])
        .values_list("pk", flat=True)
    )
    persons = Person.objects.select_related("originator").in_bulk(
        [i for k, i in best if k == "person"]
    )
    syndicates = Syndicate.objects.select_related("originator").in_bulk(
        [i for k, i in best if k == "syndicate"]
    )
    now = timezone.now()
    # Best first; ties in a fixed order, so an answer never depends on the rows' storage order.
    for (kind, pk), (s, why) in sorted(best.items(), key=lambda item: (-item[1][0], item[0])):
        obj = persons.get(pk) if kind == "person" else syndicates.get(pk)
        if obj is None:
            continue
        visible = pk in (visible_p if kind == "person" else visible_s)
        if visible:
            target = result.persons if kind == "person" else result.syndicates
            if len(target) < limit:
                target.append(Match(obj, s, why))
            continue
        recent = SearchHit.objects.filter(
            **{kind: obj}, searched_by=acting_user, at__gte=now - datetime.timedelta(hours=24)
        )
        if recent.exists():
            # The originator already knows this officer looked for this name today.
            continue
        hit = SearchHit.objects.create(
            **{kind: obj},
            originator_id=obj.originator_id,
            searched_by=acting_user,
            searcher_state=own,
            query=query,
            score=round(s, 1),
            at=now,
        )
        record(
            actor=acting_user,
            action="narco.hit",
            obj=hit,
            object_repr=f"hit on {kind} #{pk}",
            member_state=obj.originator.code,
            after={kind: pk, "searcher_state": own.code, "query": query},
        )
        _notify_hit(hit.pk)
    # The originators of the records shown are told too: their names were read.
    for model, found in ((Person, result.persons), (Syndicate, result.syndicates)):
        shown = [m.record for m in found if m.record.originator_id != own.pk]
        _record_reads(acting_user, "narco.search.result", model, shown, query=query)
    record(
        actor=acting_user,
        action="narco.search",
        object_type="narco.search",
        member_state=own.code,
        after={
            "query": query,
            "persons": [m.record.pk for m in result.persons],
            "syndicates": [m.record.pk for m in result.syndicates],
        },
    )
    return result


def _notify_hit(hit_id: int) -> None:
    transaction.on_commit(lambda: notify_hit.enqueue(hit_id))


@transaction.atomic
def confirm_record(*, acting_user: Actor, obj: NarcoRecord) -> NarcoRecord:
    """The originator confirms a record is still needed: a new review date, out of the archive."""
    if not can_edit_record(acting_user, obj):
        raise PermissionDenied("Only the originating Member State confirms a record")
    model = type(obj)
    new_date = _next_review()
    model.objects.filter(pk=obj.pk).update(review_date=new_date, archived_at=None)  # type: ignore[attr-defined]
    record(
        actor=acting_user,
        action=f"narco.{model._meta.model_name}.confirm",
        obj=obj,
        member_state=obj.originator.code,
        before={"review_date": obj.review_date, "archived": obj.archived_at is not None},
        after={"review_date": new_date, "archived": False},
    )
    obj.refresh_from_db()
    return obj


@transaction.atomic
def archive_overdue(*, today: datetime.date | None = None) -> int:
    """Archive every record whose review date has passed unconfirmed (data minimisation)."""
    today = today or timezone.localdate()
    count = 0
    for model in (Person, Syndicate, WatchListEntry):
        for obj in model.objects.filter(
            review_date__lt=today, archived_at__isnull=True
        ).select_related("originator"):
            model.objects.filter(pk=obj.pk).update(archived_at=timezone.now())
            record(
                actor=SystemActor("pantau narco review"),
                action=f"narco.{model._meta.model_name}.archive",
                obj=obj,
                member_state=obj.originator.code,
                before={"review_date": obj.review_date},
                after={"archived": True},
            )
            count += 1
    return count
