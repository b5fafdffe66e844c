"""The reporting API: country reports and their entries (optimistic concurrency with
If-Match/ETag), the workflow, and the filled Work Plan's regional status per activity.

Reads are public and start from `CountryReport.objects.restrict(user)`; a report the caller
may not see answers 404 exactly like a report that does not exist. Writes go through
`services`, which enforce who may do what (403) and when (409)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import field_validator

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.exceptions import ConflictError
from pantau.core.schemas import Error
from pantau.members.api import etag, parse_if_match
from pantau.workplan.models import Activity, WorkPlan

from . import permissions, services
from .calendar import (
    active_calendar_token,
    calendar_deadlines,
    calendar_url,
    issue_calendar_token,
    late_reports,
    revoke_calendar_token,
    set_deadline,
)
from .choices import ImplementationStatus
from .cooperation_evidence import EvidenceCount, linked, linked_by_entry
from .models import ActivityStatus, CountryReport, ReportingCycle
from .querysets import STATUS_ORDER, get_report_or_404, regional_status

router = Router(tags=["Country reports"])
# Mounted at /workplans/ next to the catalogue: GET /workplans/{code}/status?year=YEAR.
workplan_status_router = Router(tags=["Filled Work Plan"])

# The API's status values; "" (or null) clears an entry's status. Kept in step with
# ImplementationStatus by a test.
StatusValue = Literal[
    "not_started", "planned", "in_progress", "completed", "ongoing", "not_applicable", ""
]
ActionValue = Literal[
    "submit",
    "return",
    "validate",
    "return_to_secretariat",
    "return_to_country",
    "approve",
    "publish",
]


# --- Schemas ----------------------------------------------------------------------------------


class EvidenceEventOut(Schema):
    id: int
    kind: str
    title: str
    start_date: date
    end_date: date
    organiser: str | None = Field(description="A Member State's code; null: the Secretariat")
    participants: int = Field(description="People who took part, all Member States")
    url: str


class EvidenceProjectOut(Schema):
    id: int
    title: str
    mechanism: str
    amount: Decimal | None
    currency: str
    status: str


class CooperationEvidenceOut(Schema):
    events: list[EvidenceEventOut]
    projects: list[EvidenceProjectOut]
    summary: str = Field(
        description='e.g. "3 trainings, 214 participants, 2 funded projects"; of the linked '
        "events and projects the caller may see"
    )


class EvidenceLinkIn(Schema):
    events: list[int] = Field(default=[], description="Ids of events (GET /api/v1/events/)")
    projects: list[int] = Field(
        default=[], description="Ids of funded projects (GET /api/v1/funding/projects/)"
    )
    unlink: bool = Field(default=False, description="true: remove these links instead")


class EntryOut(Schema):
    activity: str
    status: str = Field(description="One of the ImplementationStatus values, or '' when empty")
    status_label: str
    narrative: str
    lead_agency: str
    partners: str
    period_start: date | None
    period_end: date | None
    version: int = Field(description="The entry's ETag: send it back as If-Match to save")
    updated_at: datetime | None
    url: str
    evidence: CooperationEvidenceOut = Field(
        description="The events and funded projects linked to the entry as its evidence"
    )


class EntryIn(Schema):
    """The fields to save; fields left out keep their value, null or "" clears one."""

    status: StatusValue | None = None
    narrative: str | None = None
    lead_agency: str | None = Field(default=None, max_length=300)
    partners: str | None = None
    period_start: date | None = None
    period_end: date | None = None

    @field_validator("narrative", "lead_agency", "partners")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        # PostgreSQL refuses NUL in text; refuse it here (422) rather than fail on save.
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class EntryConflictOut(Schema):
    detail: str
    current: EntryOut = Field(description="The entry as somebody else saved it")


class ReportSummaryOut(Schema):
    ref_area: str
    member_state: str
    year: int
    plan: str
    version: int
    status: str
    deadline: date
    filled: int = Field(description="Entries with a status")
    total: int = Field(description="Reportable activities")
    is_demo: bool
    url: str


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    comment: str
    empty_reason: str = Field(description="Why activities were left empty (a submit)")
    at: datetime


class ReportOut(ReportSummaryOut):
    lock_version: int = Field(description="The report's ETag; every transition bumps it")
    returned_count: int
    submitted_at: datetime | None
    validated_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    allowed_transitions: list[str] = Field(description="What the caller may do now")
    transitions: list[TransitionOut]
    entries: list[EntryOut]


class TransitionIn(Schema):
    action: ActionValue
    comment: str = Field(
        default="",
        description="Why: required for return, return_to_secretariat and return_to_country",
    )
    empty_reason: str = Field(
        default="",
        description="Why activities are left empty: required to submit a report with empty "
        "activities (mark them not_applicable otherwise)",
    )


class TransitionConflictOut(Schema):
    detail: str
    empty_activities: list[str] = Field(
        default_factory=list,
        description="The empty activities' codes, when a submit is refused because of them",
    )


class ReportFilter(Schema):
    year: int | None = None
    state: str | None = Field(default=None, description="A Member State's code (REF_AREA)")
    status: str | None = Field(default=None, description="A report status, e.g. approved")


class ActivityRegionalStatusOut(Schema):
    code: str
    counts: dict[str, int] = Field(description="Member States per status (every status listed)")
    reported: int = Field(description="Approved reports giving this activity a status")
    summary: str


class WorkPlanStatusOut(Schema):
    plan: str
    year: int
    members: int = Field(description="Member States in the year")
    approved: int = Field(description="Of them, with an approved (or published) report")
    is_demo: bool
    note: str
    activities: list[ActivityRegionalStatusOut]


REPORT_VERSION = Query(
    None, description="The report's version; by default the newest one you may see"
)


# --- Helpers ----------------------------------------------------------------------------------


def _report_url(report: CountryReport) -> str:
    url = reverse(
        "api-v1:report", kwargs={"ref_area": report.member_state.code, "year": report.cycle.year}
    )
    return f"{url}?version={report.version}"


def _evidence_out(events: list, projects: list) -> dict:
    count = EvidenceCount(projects=len(projects))
    for e in events:
        count.events_by_kind[e.kind] = count.events_by_kind.get(e.kind, 0) + 1
        count.participants += e.n_participants or 0
    return {
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "title": e.title,
                "start_date": e.start_date,
                "end_date": e.end_date,
                "organiser": e.organiser.code if e.organiser else None,
                "participants": e.n_participants or 0,
                "url": reverse("api-v1:event", kwargs={"event_id": e.pk}),
            }
            for e in events
        ],
        "projects": [
            {
                "id": p.pk,
                "title": p.title,
                "mechanism": p.mechanism.code,
                "amount": p.amount,
                "currency": p.currency,
                "status": p.status,
            }
            for p in projects
        ],
        "summary": str(count),
    }


def _entry_out(
    report: CountryReport, entry: ActivityStatus, evidence: tuple[list, list] | None = None
) -> dict:
    code = entry.activity.code
    events, projects = evidence if evidence is not None else ([], [])
    return {
        "evidence": _evidence_out(events, projects),
        "activity": code,
        "status": entry.status,
        "status_label": str(ImplementationStatus(entry.status).label) if entry.status else "",
        "narrative": entry.narrative,
        "lead_agency": entry.lead_agency,
        "partners": entry.partners,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "version": entry.version,
        "updated_at": entry.updated_at,
        "url": reverse(
            "api-v1:report-entry",
            kwargs={
                "ref_area": report.member_state.code,
                "year": report.cycle.year,
                "activity_code": code,
            },
        )
        + f"?version={report.version}",
    }


def _summary_out(report: CountryReport, filled: int, total: int) -> dict:
    return {
        "ref_area": report.member_state.code,
        "member_state": report.member_state.name,
        "year": report.cycle.year,
        "plan": report.cycle.plan.code,
        "version": report.version,
        "status": report.status,
        "deadline": report.cycle.deadline,
        "filled": filled,
        "total": total,
        "is_demo": report.is_demo,
        "url": _report_url(report),
    }


def _report_out(request: HttpRequest, report: CountryReport) -> dict:
    entries = list(report.entries.select_related("activity"))
    events, projects = linked_by_entry(request.user, [e.pk for e in entries])
    return {
        **_summary_out(report, sum(1 for e in entries if e.status), len(entries)),
        "lock_version": report.lock_version,
        "returned_count": report.returned_count,
        "submitted_at": report.submitted_at,
        "validated_at": report.validated_at,
        "approved_at": report.approved_at,
        "published_at": report.published_at,
        "allowed_transitions": permissions.allowed_transitions(request.user, report),
        "transitions": [
            {
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": t.actor_label,
                "comment": t.comment,
                "empty_reason": t.empty_reason,
                "at": t.at,
            }
            for t in report.transitions.all()
        ],
        "entries": [
            _entry_out(report, e, (events.get(e.pk, []), projects.get(e.pk, []))) for e in entries
        ],
    }


def _entry_or_404(report: CountryReport, activity_code: str) -> ActivityStatus:
    return get_object_or_404(
        ActivityStatus.objects.select_related("activity"),
        report=report,
        activity__code=activity_code,
    )


# --- Reports ----------------------------------------------------------------------------------


@router.get(
    "",
    response=list[ReportSummaryOut],
    auth=public,
    summary="List the country reports the caller may see",
    description="Every version the caller may see, newest year first. Anonymous callers see "
    "published reports; focal points and approvers their own country's in any status; "
    "working-group members approved ones; the Secretariat and ASOD reviewers all.",
)
def list_reports(request, filters: Query[ReportFilter]):
    reports = (
        CountryReport.objects.restrict(request.user)
        .select_related("member_state", "cycle__plan")
        .annotate(
            n_filled=Count("entries", filter=~Q(entries__status="")), n_total=Count("entries")
        )
        .order_by("-cycle__year", "member_state__code", "version")
    )
    if filters.year is not None:
        reports = reports.filter(cycle__year=filters.year)
    if filters.state:
        reports = reports.filter(member_state__code=filters.state.upper())
    if filters.status:
        reports = reports.filter(status=filters.status)
    return [_summary_out(r, r.n_filled, r.n_total) for r in reports]


@router.get(
    "{ref_area}/{year}",
    response={200: ReportOut, 404: Error},
    auth=public,
    url_name="report",
    summary="One country report with its entries",
    description="The newest version the caller may see; `?version=` for another. The `ETag` "
    "header is the report's lock version.",
)
def get_report(
    request, response: HttpResponse, ref_area: str, year: int, version: int | None = REPORT_VERSION
):
    report = get_report_or_404(request.user, ref_area, year, version)
    response.headers["ETag"] = etag(report.lock_version)
    return _report_out(request, report)


@router.get(
    "{ref_area}/{year}/entries/{activity_code}",
    response={200: EntryOut, 404: Error},
    auth=public,
    url_name="report-entry",
    summary="One entry of a country report, with its ETag",
)
def get_entry(
    request,
    response: HttpResponse,
    ref_area: str,
    year: int,
    activity_code: str,
    version: int | None = REPORT_VERSION,
):
    report = get_report_or_404(request.user, ref_area, year, version)
    entry = _entry_or_404(report, activity_code)
    response.headers["ETag"] = etag(entry.version)
    return _entry_out(report, entry, linked(request.user, entry))


@router.post(
    "{ref_area}/{year}/entries/{activity_code}/evidence",
    response={200: EntryOut, 400: Error, 403: Error, 404: Error, 409: Error},
    auth=authenticated,
    summary="Link (or unlink) events and funded projects as an entry's evidence",
    description="The country's focal points and approver, while the report is a draft. Ids "
    "of events or projects you may not see are refused like unknown ones (400, nothing "
    "linked); 403 when you may see the report but not fill it; 409 when the report is no "
    "longer a draft; 404 for reports you may not see.",
)
def post_entry_evidence(
    request: HttpRequest,
    ref_area: str,
    year: int,
    activity_code: str,
    payload: EvidenceLinkIn,
    version: int | None = REPORT_VERSION,
):
    report = get_report_or_404(request.user, ref_area, year, version)
    entry = _entry_or_404(report, activity_code)
    try:
        services.link_cooperation_evidence(
            acting_user=caller(request),
            entry=entry,
            events=payload.events,
            projects=payload.projects,
            unlink=payload.unlink,
        )
    except services.ReportLocked as exc:
        return Status(409, {"detail": str(exc)})
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(200, _entry_out(report, entry, linked(request.user, entry)))


@router.put(
    "{ref_area}/{year}/entries/{activity_code}",
    response={
        200: EntryOut,
        400: Error,
        403: Error,
        404: Error,
        409: Error,
        412: EntryConflictOut,
        428: Error,
    },
    auth=authenticated,
    summary="Save an entry (optimistic concurrency with If-Match)",
    description="Send the entry's `ETag` as `If-Match`. 412 when somebody saved in between: "
    "nothing is overwritten and the body carries their entry; 428 without `If-Match`; 409 "
    "when the report is no longer a draft; 403 when you may see the report but not fill it; "
    "404 for reports you may not see.",
)
def put_entry(
    request: HttpRequest,
    response: HttpResponse,
    ref_area: str,
    year: int,
    activity_code: str,
    payload: EntryIn,
    version: int | None = REPORT_VERSION,
    if_match: str = Header(default="", alias="If-Match"),
):
    report = get_report_or_404(request.user, ref_area, year, version)
    entry = _entry_or_404(report, activity_code)
    if not if_match:
        return Status(428, {"detail": "Send If-Match with the ETag of the entry you edited"})
    edited = parse_if_match(if_match)
    if edited is None:
        return Status(400, {"detail": f"If-Match is not an ETag of this entry: {if_match}"})
    try:
        entry = services.save_entry(
            acting_user=caller(request),
            entry=entry,
            version=edited,
            **payload.dict(exclude_unset=True),
        )
    except ConflictError as exc:
        response.headers["ETag"] = etag(exc.current.version)
        return Status(
            412,
            {
                "detail": str(exc),
                "current": _entry_out(report, exc.current, linked(request.user, exc.current)),
            },
        )
    except services.ReportLocked as exc:
        return Status(409, {"detail": str(exc)})
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    response.headers["ETag"] = etag(entry.version)
    return Status(200, _entry_out(report, entry, linked(request.user, entry)))


@router.post(
    "{ref_area}/{year}/transitions",
    response={
        200: ReportOut,
        400: Error,
        403: Error,
        404: Error,
        409: TransitionConflictOut,
        412: Error,
    },
    auth=authenticated,
    summary="Move a report along the workflow (submit, return, validate, approve, publish)",
    description="The approver submits their country's draft; the Secretariat returns (with a "
    "comment), validates and publishes; an ASOD reviewer approves a validated report or "
    "returns it (with a comment) to the Secretariat (`return_to_secretariat`) or to the "
    "country (`return_to_country`). Send the report's `ETag` "
    "(its `lock_version`) as `If-Match` to act only on the report as you saw it: 412 when it "
    "moved since (returned and resubmitted meanwhile), and nothing changes. 403 when the "
    "action is not yours; 409 when it does not apply to the report's status, and 409 with "
    "`empty_activities` when a submit is refused because activities are empty and no "
    "`empty_reason` is given; 400 for a return without a comment. Nothing changes on any "
    "refusal.",
)
def post_transition(
    request,
    response: HttpResponse,
    ref_area: str,
    year: int,
    payload: TransitionIn,
    version: int | None = REPORT_VERSION,
    if_match: str = Header(default="", alias="If-Match"),
):
    report = get_report_or_404(request.user, ref_area, year, version)
    seen = None
    if if_match:
        seen = parse_if_match(if_match)
        if seen is None:
            return Status(400, {"detail": f"If-Match is not an ETag of this report: {if_match}"})
    try:
        report = services.transition(
            acting_user=request.user,
            report=report,
            action=payload.action,
            comment=payload.comment,
            seen_version=seen,
            empty_reason=payload.empty_reason,
        )
    except services.StaleReport as exc:
        return Status(412, {"detail": str(exc)})
    except services.IncompleteReport as exc:
        return Status(409, {"detail": str(exc), "empty_activities": exc.empty})
    except services.InvalidTransition as exc:
        return Status(409, {"detail": str(exc)})
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    response.headers["ETag"] = etag(report.lock_version)
    return Status(200, _report_out(request, report))


# --- The filled Work Plan ---------------------------------------------------------------------


@workplan_status_router.get(
    "{code}/status",
    response={200: WorkPlanStatusOut, 404: Error},
    auth=public,
    summary="Regional implementation status of each reportable activity in a year",
    description="For each reportable activity, how many Member States report each status, "
    "counted from approved (and published) country reports only. 404 for a year without "
    "a reporting cycle.",
)
def workplan_status(request, code: str, year: int):
    plan = get_object_or_404(WorkPlan, code=code)
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    if cycle is None:
        raise Http404(f"No reporting cycle for {year}")
    codes = list(
        Activity.objects.filter(plan=plan)
        .reportable()
        .order_by("order")
        .values_list("code", flat=True)
    )
    statuses = regional_status(request.user, plan, year)
    items = [statuses[c] for c in codes]
    head = items[0] if items else None
    return {
        "plan": plan.code,
        "year": year,
        "members": head.members if head else 0,
        "approved": head.approved if head else 0,
        "is_demo": cycle.is_demo,
        "note": "Counted from approved country reports only"
        + ("; illustrative demo data" if cycle.is_demo else ""),
        "activities": [
            {
                "code": c,
                "counts": {s: item.counts.get(s, 0) for s in STATUS_ORDER},
                "reported": sum(item.counts.values()),
                "summary": item.summary,
            }
            for c, item in zip(codes, items, strict=True)
        ],
    }


# --- The reporting calendar's feed address ----------------------------------------------------

# Mounted at /calendar: the caller's secret iCalendar address. (GET /me cannot carry it:
# accounts sits below reporting and must not import it.)
calendar_router = Router(tags=["Reporting calendar"], auth=authenticated)


class CalendarOut(Schema):
    calendar_url: str | None = Field(
        description="The caller's iCalendar feed (RFC 5545): a secret address, no sign-in; "
        "null until one is issued with POST"
    )


@calendar_router.get("", response=CalendarOut, summary="The caller's iCalendar feed address")
def get_calendar(request):
    return {"calendar_url": calendar_url(request, active_calendar_token(request.user))}


@calendar_router.post(
    "",
    response=CalendarOut,
    summary="Issue a new iCalendar feed address (the previous one stops working)",
)
def issue_calendar(request):
    user = caller(request)
    token = issue_calendar_token(acting_user=user, user=user)
    return {"calendar_url": calendar_url(request, token)}


@calendar_router.delete(
    "", response=CalendarOut, summary="Revoke the caller's iCalendar feed address (then 404)"
)
def revoke_calendar(request):
    user = caller(request)
    revoke_calendar_token(acting_user=user, user=user)
    return {"calendar_url": None}


# --- The reporting calendar's deadlines and who is late (issue 22) --------------------------

deadlines_router = Router(tags=["Reporting calendar"], auth=authenticated)


class DeadlineOut(Schema):
    year: int
    kind: Literal[
        "template_opens", "submission_due", "validation_due", "asod_approval", "ammd_meeting"
    ]
    label: str
    date: date
    is_demo: bool


class DeadlineIn(Schema):
    date: date


class LateOut(Schema):
    ref_area: str
    year: int
    deadline: str = Field(description="The deadline's kind, e.g. submission_due")
    deadline_date: date
    status: str = Field(description="The report's status, still waiting")
    waiting_on: Literal["member_state", "secretariat", "asod"]
    days_late: int
    is_demo: bool


def _deadline_out(d) -> dict:
    return {
        "year": d.cycle.year,
        "kind": d.kind,
        "label": d.get_kind_display(),
        "date": d.date,
        "is_demo": d.cycle.is_demo,
    }


@deadlines_router.get(
    "",
    response={200: list[DeadlineOut], 401: Error},
    summary="The reporting calendar's deadlines in the caller's scope",
    description="Every cycle's for the Secretariat and ASOD; for focal points and approvers "
    "those of the cycles their country reports in; none for anybody else.",
)
def list_deadlines(request, year: int | None = None):
    found = calendar_deadlines(request.user)
    return [_deadline_out(d) for d in found if year is None or d.cycle.year == year]


@deadlines_router.get(
    "late",
    response={200: list[LateOut], 401: Error, 403: Error},
    summary="Who is late for what, and by how many days (the Secretariat, ASOD)",
    description="For every passed deadline that waits on somebody (country submission, "
    "Secretariat validation, ASOD approval), the reports still waiting, most overdue first. "
    "403 for anybody who does not follow every report.",
)
def list_late(request, year: int | None = None):
    if not permissions.can_view_dashboard(request.user):
        return Status(403, {"detail": "Only the Secretariat and ASOD follow who is late"})
    return [
        {
            "ref_area": r.report.member_state.code,
            "year": r.report.cycle.year,
            "deadline": r.deadline.kind,
            "deadline_date": r.deadline.date,
            "status": r.report.status,
            "waiting_on": r.waiting_on,
            "days_late": r.days_late,
            "is_demo": r.report.is_demo,
        }
        for r in late_reports(timezone.localdate(), year)
    ]


@deadlines_router.put(
    "{year}/{kind}",
    response={200: DeadlineOut, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Set (or move) one deadline of a cycle (the Secretariat)",
    description="404 for a year without a reporting cycle; 400 for an unknown kind; 403 for "
    "anybody but the Secretariat (nothing changed).",
)
def put_deadline(request, year: int, kind: str, payload: DeadlineIn):
    cycle = ReportingCycle.objects.filter(year=year).first()
    if cycle is None:
        return Status(404, {"detail": f"No reporting cycle for {year}"})
    try:
        deadline = set_deadline(
            acting_user=caller(request), cycle=cycle, kind=kind, date=payload.date
        )
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(200, _deadline_out(deadline))
