"""Illustrative country reports for the demo: cycles 2016-2023 published for every Member
State, 2024 approved and not yet published, 2025 open with every report in draft. Statuses
are made up (deterministic, so every demo looks the same) and every report, cycle and
narrative says it is illustrative."""

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import DEMO
from pantau.members.models import Agency
from pantau.reporting.choices import ImplementationStatus, ReportStatus, Transition
from pantau.reporting.models import ActivityStatus, CountryReport, ReportingCycle, ReportTransition
from pantau.reporting.services import open_cycle
from pantau.workplan.models import WorkPlan

ACTOR = DEMO
FIRST_YEAR, APPROVED_UNTIL, OPEN_YEAR = 2016, 2024, 2025
# Reports up to this year are published too; the last approved year waits for publication.
PUBLISHED_UNTIL = 2023


def _draw(*parts) -> float:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4]) / 2**32


def illustrative_status(state: str, code: str, year: int) -> str:
    """Later years lean towards completed/ongoing, as a plan's implementation would."""
    progress = (year - FIRST_YEAR) / (APPROVED_UNTIL - FIRST_YEAR)
    x = _draw(state, code, year)
    if x < 0.05:
        return ImplementationStatus.NOT_APPLICABLE
    x = (x - 0.05) / 0.95
    thresholds = [
        (0.25 * (1 - progress), ImplementationStatus.NOT_STARTED),
        (0.40 * (1 - progress) + 0.02, ImplementationStatus.PLANNED),
        (0.70 - 0.2 * progress, ImplementationStatus.IN_PROGRESS),
        (0.85, ImplementationStatus.ONGOING),
    ]
    for limit, status in thresholds:
        if x < limit:
            return status
    return ImplementationStatus.COMPLETED


@transaction.atomic
def load_reporting_demo() -> int:
    """Create the demo cycles that do not exist yet; returns how many were created."""
    plan = WorkPlan.objects.get(code="2016-2025")
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    lead = dict(Agency.objects.filter(is_lead=True).values_list("member_state__code", "acronym"))
    created = 0
    for year in range(FIRST_YEAR, OPEN_YEAR + 1):
        if ReportingCycle.objects.filter(plan=plan, year=year).exists():
            continue
        cycle = open_cycle(
            acting_user=ACTOR,
            plan=plan,
            year=year,
            # Closed years had their deadline the next March; the open cycle's lies ahead, so
            # the dashboard shows days to go.
            deadline=datetime.date(year + 1, 3, 31)
            if year <= APPROVED_UNTIL
            else max(
                datetime.date(year + 1, 3, 31), timezone.localdate() + datetime.timedelta(days=45)
            ),
            is_demo=True,
            system=True,
        )
        created += 1
        if year > APPROVED_UNTIL:
            continue
        at = timezone.make_aware(datetime.datetime(year + 1, 3, 15, 9, 0))
        entries = list(
            ActivityStatus.objects.filter(report__cycle=cycle).select_related(
                "report__member_state", "activity"
            )
        )
        for e in entries:
            state = e.report.member_state
            e.status = illustrative_status(state.code, e.activity.code, year)
            e.narrative = (
                f"Illustrative demo entry: {state.name} reports this activity as "
                f"{ImplementationStatus(e.status).label.lower()} in {year}."
            )
            e.lead_agency = lead.get(state.code, "") if e.status != "not_applicable" else ""
            e.updated_at = at
        ActivityStatus.objects.bulk_update(
            entries, ["status", "narrative", "lead_agency", "updated_at"]
        )
        transitions = []
        for report in cycle.reports.select_related("member_state"):
            cc = report.member_state.code.lower()
            steps = [
                (
                    Transition.SUBMIT,
                    ReportStatus.DRAFT,
                    ReportStatus.SUBMITTED,
                    users.get(f"{cc}.approver"),
                    at,
                ),
                (
                    Transition.VALIDATE,
                    ReportStatus.SUBMITTED,
                    ReportStatus.VALIDATED,
                    users.get("secretariat"),
                    at + datetime.timedelta(days=20),
                ),
                (
                    Transition.APPROVE,
                    ReportStatus.VALIDATED,
                    ReportStatus.APPROVED,
                    users.get("asod"),
                    at + datetime.timedelta(days=45),
                ),
            ]
            if year <= PUBLISHED_UNTIL:
                steps.append(
                    (
                        Transition.PUBLISH,
                        ReportStatus.APPROVED,
                        ReportStatus.PUBLISHED,
                        users.get("secretariat"),
                        at + datetime.timedelta(days=60),
                    )
                )
            for action, src, dst, actor, when in steps:
                transitions.append(
                    ReportTransition(
                        report=report,
                        action=action,
                        from_status=src,
                        to_status=dst,
                        actor=actor,
                        actor_label=actor.username if actor else ACTOR.name,
                        at=when,
                        comment="Illustrative demo workflow.",
                    )
                )
            record(
                actor=ACTOR,
                action="reporting.report.demo_approve",
                obj=report,
                member_state=report.member_state.code,
                before={"status": ReportStatus.DRAFT},
                after={"status": steps[-1][2]},
            )
        ReportTransition.objects.bulk_create(transitions)
        published = year <= PUBLISHED_UNTIL
        CountryReport.objects.filter(cycle=cycle).update(
            status=ReportStatus.PUBLISHED if published else ReportStatus.APPROVED,
            submitted_at=at,
            validated_at=at + datetime.timedelta(days=20),
            approved_at=at + datetime.timedelta(days=45),
            published_at=at + datetime.timedelta(days=60) if published else None,
            updated_at=at + datetime.timedelta(days=60 if published else 45),
        )
    return created
