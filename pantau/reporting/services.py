"""Every write on country reports: opening cycles, filling entries, the workflow, corrections,
comments and evidence. Each is one transaction with its audit event and its permission check."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.cooperation.models import Event, FundingProject
from pantau.core.actors import Actor
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState
from pantau.statistics.read import services as publication
from pantau.workplan.models import Activity, WorkPlan

from . import permissions
from .choices import (
    RETURNS,
    WORKFLOW,
    EvidenceKind,
    ImplementationStatus,
    ReportStatus,
    Transition,
)
from .models import (
    ActivityStatus,
    Comment,
    CountryReport,
    Evidence,
    ReportingCycle,
    ReportTransition,
)
from .querysets import report_checklist
from .tasks import send_report_notification

ENTRY_FIELDS = ("status", "narrative", "lead_agency", "partners", "period_start", "period_end")
DATE_FIELDS = ("period_start", "period_end")


class ReportLocked(Exception):
    """The report is no longer editable (submitted, validated, approved...)."""


class InvalidTransition(Exception):
    """The action does not apply to the report's current status."""


class IncompleteReport(InvalidTransition):
    """Submitting a report with empty activities: each must be marked not applicable, or the
    approver states why they are left empty. Carries the empty activities' codes."""

    def __init__(self, message: str, empty: list[str]):
        super().__init__(message)
        self.empty = empty


class StaleReport(InvalidTransition):
    """The report moved on since the person acting looked at it (its lock_version changed):
    they would submit, validate or approve something they have not seen."""


def _entry_snapshot(entry: ActivityStatus) -> dict:
    return {f: getattr(entry, f) for f in ENTRY_FIELDS} | {"version": entry.version}


def _create_report(
    *,
    cycle: ReportingCycle,
    state: MemberState,
    version: int = 1,
    previous: CountryReport | None = None,
    is_demo: bool = False,
) -> CountryReport:
    now = timezone.now()
    report = CountryReport.objects.create(
        cycle=cycle,
        member_state=state,
        version=version,
        previous=previous,
        created_at=now,
        updated_at=now,
        is_demo=is_demo,
    )
    activities = Activity.objects.filter(plan=cycle.plan).reportable()
    old = {e.activity_id: e for e in previous.entries.all()} if previous else {}
    ActivityStatus.objects.bulk_create(
        ActivityStatus(
            report=report,
            activity=a,
            **({f: getattr(old[a.pk], f) for f in ENTRY_FIELDS} if a.pk in old else {}),
        )
        for a in activities
    )
    if previous is not None:
        # A correction carries the evidence over (files are shared, not copied).
        new_entries = {e.activity_id: e for e in report.entries.all()}
        Evidence.objects.bulk_create(
            Evidence(
                entry=new_entries[ev.entry.activity_id],
                kind=ev.kind,
                title=ev.title,
                url=ev.url,
                file=ev.file.name,
                event_date=ev.event_date,
                created_at=ev.created_at,
                created_by_id=ev.created_by_id,
            )
            for ev in Evidence.objects.filter(entry__report=previous).select_related("entry")
        )
    return report


@transaction.atomic
def open_cycle(
    *,
    acting_user: Actor,
    plan: WorkPlan,
    year: int,
    deadline: datetime.date,
    is_demo: bool = False,
    system: bool = False,
) -> ReportingCycle:
    """Open a reporting year: every state that is a member that year gets a draft report."""
    if not system and not permissions.can_open_cycle(acting_user):
        raise PermissionDenied("Only the ASEAN Secretariat opens reporting cycles")
    if not plan.covers(year):
        raise ValueError(f"{year} is outside the Work Plan {plan.period}")
    if ReportingCycle.objects.filter(plan=plan, year=year).exists():
        raise ValueError(f"The {year} cycle is already open")
    cycle = ReportingCycle.objects.create(
        plan=plan,
        year=year,
        deadline=deadline,
        opened_at=timezone.now(),
        opened_by=acting_user if isinstance(acting_user, User) else None,
        is_demo=is_demo,
    )
    states = list(MemberState.objects.members_in_year(year).order_by("code"))
    for state in states:
        report = _create_report(cycle=cycle, state=state, is_demo=is_demo)
        record(
            actor=acting_user,
            action="reporting.report.create",
            obj=report,
            member_state=state.code,
            after={"status": report.status, "version": 1},
        )
    record(
        actor=acting_user,
        action="reporting.cycle.open",
        obj=cycle,
        after={"year": year, "deadline": deadline, "states": [s.code for s in states]},
    )
    return cycle


def validate_entry_values(values: dict) -> list[str]:
    problems = []
    status = values.get("status")
    if status not in (None, "") and status not in ImplementationStatus.values:
        problems.append(
            f"status: {status!r} is not one of {', '.join(ImplementationStatus.values)}"
        )
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and start > end:
        problems.append("period_end: before period_start")
    return problems


@transaction.atomic
def save_entry(
    *, acting_user: User, entry: ActivityStatus, version: int, **changes
) -> ActivityStatus:
    """Save a focal point's entry. `version` is the one the editor started from; if somebody
    saved in between, nothing is written and ConflictError carries their saved entry."""
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    current = (
        ActivityStatus.objects.select_for_update(of=("self",))
        .select_related("report__member_state", "report__cycle", "activity")
        .get(pk=entry.pk)
    )
    report = current.report
    if not permissions.is_national_reporter(acting_user, report):
        raise PermissionDenied("Only the country's focal points and approver fill its report")
    if not report.is_editable:
        raise ReportLocked(
            f"{report} is {report.get_status_display().lower()}: entries are read-only"
        )
    if current.version != version:
        raise ConflictError(current=current, submitted_version=version)
    # A partial save is checked against what is stored: a new end before the saved start is
    # as wrong as both sent at once.
    problems = validate_entry_values({f: getattr(current, f) for f in DATE_FIELDS} | changes)
    if problems:
        raise ValueError("; ".join(problems))
    before = _entry_snapshot(current)
    # Text fields store "" for "nothing"; dates store NULL.
    values = {f: ("" if v is None and f not in DATE_FIELDS else v) for f, v in changes.items()}
    changed = [f for f, v in values.items() if getattr(current, f) != v]
    if not changed:
        return current
    for f in changed:
        setattr(current, f, values[f])
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.updated_by = acting_user
    current.save(update_fields=[*changed, "version", "updated_at", "updated_by"])
    current.refresh_from_db(fields=["version"])
    CountryReport.objects.filter(pk=report.pk).update(updated_at=current.updated_at)
    record(
        actor=acting_user,
        action="reporting.entry.update",
        obj=current,
        member_state=report.member_state.code,
        before=before,
        after=_entry_snapshot(current),
    )
    return current


@transaction.atomic
def transition(
    *,
    acting_user: User,
    report: CountryReport,
    action: str,
    comment: str = "",
    seen_version: int | None = None,
    empty_reason: str = "",
) -> CountryReport:
    """Move a report along the workflow; records who, when and why and notifies after commit.
    `seen_version`: the report's lock_version as the person acting saw it (the page's form,
    the API's If-Match); when the report moved since, nothing happens (StaleReport).
    `empty_reason`: why activities are left empty; a submit with empty activities and no
    reason is refused (IncompleteReport). The checklist of what was signed (activities,
    statistics, open findings) is stored with the transition and in the audit event."""
    if action not in Transition.values:
        raise InvalidTransition(f"Unknown action {action!r}")
    current = (
        CountryReport.objects.select_for_update(of=("self",))
        .select_related("member_state", "cycle")
        .get(pk=report.pk)
    )
    if not current.can_transition(action):
        raise InvalidTransition(
            f"Cannot {action} a report that is {current.get_status_display().lower()}"
        )
    if not permissions.can_transition(acting_user, current, action):
        raise PermissionDenied(f"You may not {action} this report")
    if seen_version is not None and seen_version != current.lock_version:
        last = current.transitions.order_by("-at", "-pk").first()
        since = (
            f" ({last.action} by {last.actor_label}, {timezone.localtime(last.at):%Y-%m-%d %H:%M})"
            if last
            else ""
        )
        raise StaleReport(
            f"The report changed since you opened it{since}: it is now "
            f"{current.get_status_display().lower()}. Look at it again before you {action} it."
        )
    if action in RETURNS and not comment.strip():
        raise ValueError("Say why the report is returned: a comment is required")
    checklist = report_checklist(acting_user, current)
    empty_reason = empty_reason.strip()
    if action == Transition.SUBMIT and checklist.empty and not empty_reason:
        codes = [code for code, _text in checklist.empty]
        raise IncompleteReport(
            f"{len(codes)} of {checklist.total} activities are empty "
            f"({', '.join(codes[:10])}{', ...' if len(codes) > 10 else ''}): mark each one "
            "not applicable, or state why they are left empty",
            codes,
        )
    if action != Transition.SUBMIT or not checklist.empty:
        empty_reason = ""
    from_status, to_status = WORKFLOW[action]
    now = timezone.now()
    stamp = {
        Transition.SUBMIT: "submitted_at",
        Transition.VALIDATE: "validated_at",
        Transition.APPROVE: "approved_at",
        Transition.PUBLISH: "published_at",
    }.get(Transition(action))
    updates: dict = {"status": to_status, "lock_version": F("lock_version") + 1, "updated_at": now}
    if stamp:
        updates[stamp] = now
    if to_status == ReportStatus.DRAFT:
        updates["returned_count"] = F("returned_count") + 1
        updates["submitted_at"] = None
    if action in (Transition.RETURN_TO_SECRETARIAT, Transition.RETURN_TO_COUNTRY):
        updates["validated_at"] = None
    CountryReport.objects.filter(pk=current.pk).update(**updates)
    if current.previous_id and action in (Transition.APPROVE, Transition.PUBLISH):
        # The corrected version stops counting once its correction is approved; a published
        # one stays public until the correction is published in its turn.
        retire = (
            [ReportStatus.APPROVED] if action == Transition.APPROVE else [ReportStatus.PUBLISHED]
        )
        CountryReport.objects.filter(pk=current.previous_id, status__in=retire).update(
            status=ReportStatus.SUPERSEDED
        )
    if action in (Transition.APPROVE, Transition.PUBLISH):
        # The country-year's statistics are published with the report, in this transaction:
        # approval publishes the year's figures; publication (or a correction's approval)
        # publishes whatever drafts were added since.
        publication.publish_country_year(
            ref_area=current.member_state.code,
            year=current.cycle.year,
            report=current,
            report_action=action,
            acting_user=acting_user,
        )
    ReportTransition.objects.create(
        report=current,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=acting_user,
        actor_label=acting_user.get_username(),
        comment=comment,
        empty_reason=empty_reason,
        checklist=checklist.as_json(),
        at=now,
    )
    if comment:
        Comment.objects.create(
            report=current, author=acting_user, body=f"[{action}] {comment}", created_at=now
        )
    record(
        actor=acting_user,
        action=f"reporting.report.{action}",
        obj=current,
        member_state=current.member_state.code,
        before={"status": from_status},
        after={
            "status": to_status,
            "comment": comment,
            "empty_reason": empty_reason,
            "checklist": checklist.as_json(),
        },
    )
    _notify_after_commit(current.pk, action, acting_user.get_username(), comment)
    current.refresh_from_db()
    return current


def _notify_after_commit(report_id: int, action: str, actor: str, comment: str) -> None:
    transaction.on_commit(
        lambda: send_report_notification.enqueue(report_id, action, actor, comment)
    )


@transaction.atomic
def open_correction(*, acting_user: Actor, report: CountryReport) -> CountryReport:
    """Open a new draft version of an approved report, pre-filled from it."""
    current = (
        CountryReport.objects.select_for_update(of=("self",))
        .select_related("member_state", "cycle__plan")
        .get(pk=report.pk)
    )
    if not permissions.can_open_correction(acting_user, current):
        raise PermissionDenied(
            "Only an approved report can be corrected, by its approver or the Secretariat"
        )
    if CountryReport.objects.filter(previous=current).exists():
        raise InvalidTransition(f"A correction of {current} is already open")
    new = _create_report(
        cycle=current.cycle,
        state=current.member_state,
        version=current.version + 1,
        previous=current,
        is_demo=current.is_demo,
    )
    record(
        actor=acting_user,
        action="reporting.report.correct",
        obj=new,
        member_state=current.member_state.code,
        before={"version": current.version},
        after={"version": new.version, "status": new.status},
    )
    return new


@transaction.atomic
def add_comment(
    *,
    acting_user: User,
    report: CountryReport,
    body: str,
    activity: Activity | None = None,
    parent: Comment | None = None,
) -> Comment:
    if not permissions.can_comment(acting_user, report):
        raise PermissionDenied("You may not comment on this report")
    body = body.strip()
    if not body:
        raise ValueError("A comment needs some text")
    if parent is not None and parent.report_id != report.pk:
        raise ValueError("A reply must be on the same report")
    comment = Comment.objects.create(
        report=report,
        activity=activity or (parent.activity if parent else None),
        parent=parent,
        author=acting_user,
        body=body,
        created_at=timezone.now(),
    )
    record(
        actor=acting_user,
        action="reporting.comment.add",
        obj=comment,
        member_state=report.member_state.code,
        after={
            "body": body,
            "activity": activity.code if activity else None,
            "parent": parent.pk if parent else None,
        },
    )
    return comment


def _locked_report(report_id: int) -> CountryReport:
    return (
        CountryReport.objects.select_for_update(of=("self",))
        .select_related("member_state")
        .get(pk=report_id)
    )


@transaction.atomic
def add_evidence(
    *,
    acting_user: User,
    entry: ActivityStatus,
    kind: str,
    title: str,
    url: str = "",
    file=None,
    event_date: datetime.date | None = None,
) -> Evidence:
    # The report as stored now, locked: not the caller's copy, which may predate a submit.
    report = _locked_report(entry.report_id)
    if not permissions.can_edit_report(acting_user, report):
        raise PermissionDenied("You may not add evidence to this report")
    if kind not in EvidenceKind.values:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(EvidenceKind.values)}")
    if kind == EvidenceKind.LINK and not url:
        raise ValueError("url: a link needs an address")
    if kind == EvidenceKind.FILE and not file:
        raise ValueError("file: choose a file to upload")
    evidence = Evidence(
        entry=entry,
        kind=kind,
        title=title.strip() or (url or getattr(file, "name", "")),
        url=url,
        event_date=event_date,
        created_at=timezone.now(),
        created_by=acting_user,
    )
    if file is not None:
        evidence.file.save(file.name, file, save=False)
    evidence.full_clean()
    evidence.save()
    record(
        actor=acting_user,
        action="reporting.evidence.add",
        obj=evidence,
        member_state=report.member_state.code,
        after={
            "entry": entry.activity.code,
            "kind": kind,
            "title": evidence.title,
            "url": url,
            "file": evidence.file.name if evidence.file else "",
        },
    )
    return evidence


@transaction.atomic
def remove_evidence(*, acting_user: Actor, evidence: Evidence) -> None:
    report = _locked_report(evidence.entry.report_id)
    if not permissions.can_edit_report(acting_user, report):
        raise PermissionDenied("You may not remove evidence from this report")
    record(
        actor=acting_user,
        action="reporting.evidence.remove",
        obj=evidence,
        member_state=report.member_state.code,
        before={
            "entry": evidence.entry.activity.code,
            "kind": evidence.kind,
            "title": evidence.title,
        },
    )
    evidence.delete()


# --- Cooperation as evidence (issue 22) -------------------------------------------------------


def _linked_ids(entry: ActivityStatus) -> dict[str, list[int]]:
    return {
        "events": sorted(entry.events.values_list("pk", flat=True)),
        "projects": sorted(entry.projects.values_list("pk", flat=True)),
    }


@transaction.atomic
def link_cooperation_evidence(
    *,
    acting_user: User,
    entry: ActivityStatus,
    events: list[int] | tuple[int, ...] = (),
    projects: list[int] | tuple[int, ...] = (),
    unlink: bool = False,
) -> ActivityStatus:
    """Link (or with `unlink`, unlink) events and funded projects to an entry as the evidence
    behind its status. Only the country's focal points and approvers, while the report is a
    draft, and only events and projects they may see (`restrict`); an id they may not see is
    refused like one that does not exist, and nothing is changed."""
    report = _locked_report(entry.report_id)
    if not permissions.is_national_reporter(acting_user, report):
        raise PermissionDenied("Only the country's focal points and approver link evidence")
    if not report.is_editable:
        raise ReportLocked(
            f"{report} is {report.get_status_display().lower()}: its evidence is read-only"
        )
    if not events and not projects:
        raise ValueError("events, projects: name at least one event or funded project")
    found_events = list(Event.objects.restrict(acting_user).filter(pk__in=set(events)))
    found_projects = list(FundingProject.objects.restrict(acting_user).filter(pk__in=set(projects)))
    problems = []
    missing = sorted(set(events) - {e.pk for e in found_events})
    if missing:
        problems.append(f"events: no such event you may see: {', '.join(map(str, missing))}")
    missing = sorted(set(projects) - {p.pk for p in found_projects})
    if missing:
        problems.append(f"projects: no such project you may see: {', '.join(map(str, missing))}")
    if problems:
        raise ValueError("; ".join(problems))
    before = _linked_ids(entry)
    if unlink:
        entry.events.remove(*found_events)
        entry.projects.remove(*found_projects)
    else:
        entry.events.add(*found_events)
        entry.projects.add(*found_projects)
    after = _linked_ids(entry)
    if after != before:
        record(
            actor=acting_user,
            action="reporting.entry.cooperation." + ("unlink" if unlink else "link"),
            obj=entry,
            member_state=report.member_state.code,
            before={"activity": entry.activity.code, **before},
            after={"activity": entry.activity.code, **after},
        )
    return entry
