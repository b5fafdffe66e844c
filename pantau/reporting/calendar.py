"""The reporting calendar: the dates of a cycle set by the Secretariat (`Deadline`), and each
user's iCalendar feed behind a secret, revocable address (`CalendarToken`)."""

import datetime
import secrets
from dataclasses import dataclass
from datetime import UTC

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts.models import User
from pantau.accounts.permissions import member_states_for
from pantau.audit.services import record
from pantau.cooperation.models import Event
from pantau.cooperation.permissions import own_states, sees_all_cooperation
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied

from . import permissions
from .choices import DeadlineKind, ReportStatus
from .models import CalendarToken, CountryReport, Deadline, ReportingCycle

# --- Deadlines --------------------------------------------------------------------------------


@transaction.atomic
def set_deadline(
    *, acting_user: Actor, cycle: ReportingCycle, kind: str, date: datetime.date
) -> Deadline:
    """Set (or move) one date of a cycle. Setting `submission_due` also moves the cycle's
    deadline, which the report pages show."""
    if not permissions.can_set_deadlines(acting_user):
        raise PermissionDenied(_("Only the ASEAN Secretariat sets the reporting calendar"))
    if kind not in DeadlineKind.values:
        raise ValueError(f"{kind!r} is not one of {', '.join(DeadlineKind.values)}")
    current = Deadline.objects.select_for_update().filter(cycle=cycle, kind=kind).first()
    before = {"date": current.date} if current else None
    if current is None:
        current = Deadline.objects.create(
            cycle=cycle, kind=kind, date=date, updated_at=timezone.now()
        )
    else:
        current.date = date
        current.updated_at = timezone.now()
        current.save(update_fields=["date", "updated_at"])
    if kind == DeadlineKind.SUBMISSION_DUE and cycle.deadline != date:
        ReportingCycle.objects.filter(pk=cycle.pk).update(deadline=date)
        cycle.deadline = date
    record(
        actor=acting_user,
        action="reporting.deadline.set",
        obj=current,
        before=before,
        after={"cycle": cycle.year, "kind": kind, "date": date},
    )
    return current


# --- The feed's secret address ----------------------------------------------------------------


@transaction.atomic
def issue_calendar_token(*, acting_user: User, user: User) -> CalendarToken:
    """A new secret address for `user`'s feed; the previous one, if any, stops working."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("A calendar address is issued to its owner only"))
    _revoke(acting_user, user)
    token = CalendarToken.objects.create(
        user=user, token=secrets.token_urlsafe(32), created_at=timezone.now()
    )
    record(actor=acting_user, action="reporting.calendar_token.issue", obj=token)
    return token


@transaction.atomic
def revoke_calendar_token(*, acting_user: User, user: User) -> int:
    """Revoke `user`'s feed address: it answers 404 from now on."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("A calendar address is revoked by its owner only"))
    return _revoke(acting_user, user)


def _revoke(acting_user: User, user: User) -> int:
    live = list(CalendarToken.objects.select_for_update().filter(user=user, revoked_at=None))
    now = timezone.now()
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record(actor=acting_user, action="reporting.calendar_token.revoke", obj=token)
    return len(live)


def active_calendar_token(user) -> CalendarToken | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CalendarToken.objects.filter(user=user, revoked_at=None).first()


def calendar_url(request, token: CalendarToken | None) -> str | None:
    if token is None:
        return None
    return request.build_absolute_uri(reverse("calendar-feed", args=[token.token]))


# --- The feed ---------------------------------------------------------------------------------


def feed_user_or_404(token: str) -> User:
    """The owner of a live feed address; a revoked or unknown one is 404, and so is the
    address of a user who can no longer sign in."""
    row = get_object_or_404(
        CalendarToken.objects.select_related("user"),
        token=token,
        revoked_at=None,
        user__is_active=True,
    )
    return row.user


def calendar_deadlines(user) -> list[Deadline]:
    """The deadlines in `user`'s scope: every cycle's for the Secretariat and ASOD, and for
    national reporters those of the cycles in which their country reports; none otherwise."""
    if not permissions.sees_reporting_calendar(user):
        return []
    deadlines = Deadline.objects.select_related("cycle").order_by("date", "kind")
    if permissions.sees_all_reports(user):
        return list(deadlines)
    states = member_states_for(user, *permissions.NATIONAL_REPORTERS)
    cycles = CountryReport.objects.filter(member_state__code__in=states).values("cycle")
    return list(deadlines.filter(cycle__in=cycles))


def build_ics(user) -> bytes:
    """The user's calendar (RFC 5545): one all-day event per deadline in their scope."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Pantau//Reporting calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Pantau reporting calendar"))
    states = sorted(member_states_for(user, *permissions.NATIONAL_REPORTERS))
    pending = set(
        CountryReport.objects.filter(
            member_state__code__in=states, status=ReportStatus.DRAFT
        ).values_list("cycle_id", "member_state__code")
    )
    stamp = timezone.now().astimezone(UTC)
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "pantau"
    for deadline in calendar_deadlines(user):
        event = icalendar.Event()
        event.add("uid", f"deadline-{deadline.pk}@{host.lstrip('.') or 'pantau'}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + datetime.timedelta(days=1))
        event.add(
            "summary",
            _("%(kind)s: reporting year %(year)s")
            % {"kind": deadline.get_kind_display(), "year": deadline.cycle.year},
        )
        late = [s for s in states if (deadline.cycle_id, s) in pending]
        if late:
            event.add(
                "description",
                _("Not yet submitted: %(states)s") % {"states": ", ".join(late)},
            )
        cal.add_component(event)
    for item in calendar_events(user):
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{item.pk}@{host.lstrip('.') or 'pantau'}")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", item.start_date)
        vevent.add("dtend", item.end_date + datetime.timedelta(days=1))
        vevent.add("summary", f"{item.get_kind_display()}: {item.title}")
        place = (
            _("Online")
            if item.online
            else ", ".join(str(p) for p in (item.city, item.country) if p)
        )
        if place:
            vevent.add("location", place)
        if item.is_demo:
            vevent.add("description", _("Illustrative demo event"))
        vevent.add("categories", ["cooperation"])
        cal.add_component(vevent)
    return cal.to_ical()


def calendar_events(user) -> list[Event]:
    """The cooperation events that concern `user`: every event for the Secretariat and ASOD;
    for national focal points and approvers those their states organise, host or take part
    in (of the events they may see); none otherwise."""
    if sees_all_cooperation(user):
        return list(Event.objects.select_related("country").order_by("start_date", "id"))
    states = own_states(user)
    if not states:
        return []
    return list(
        Event.objects.restrict(user)
        .filter(
            Q(organiser__code__in=states)
            | Q(country__code__in=states)
            | Q(participants__member_state__code__in=states)
        )
        .select_related("country")
        .distinct()
        .order_by("start_date", "id")
    )


# --- Who is late ------------------------------------------------------------------------------

# For each deadline that waits on somebody: the report statuses still waiting after it, and who
# they wait on. (The template opening and the AMMD meeting wait on nobody.)
WAITING: dict[str, tuple[tuple[str, ...], str]] = {
    DeadlineKind.SUBMISSION_DUE: ((ReportStatus.DRAFT,), "member_state"),
    DeadlineKind.VALIDATION_DUE: ((ReportStatus.DRAFT, ReportStatus.SUBMITTED), "secretariat"),
    DeadlineKind.ASOD_APPROVAL: (
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.VALIDATED),
        "asod",
    ),
}


@dataclass
class LateRow:
    deadline: Deadline
    report: CountryReport
    days_late: int
    waiting_on: str


def late_reports(today: datetime.date, year: int | None = None) -> list[LateRow]:
    """Every passed deadline with the first versions of the reports still waiting on it (a
    correction is not late), the most overdue first. One query per passed deadline."""
    deadlines = Deadline.objects.filter(date__lt=today, kind__in=list(WAITING)).select_related(
        "cycle"
    )
    if year is not None:
        deadlines = deadlines.filter(cycle__year=year)
    rows = []
    for deadline in deadlines.order_by("date", "kind"):
        statuses, waiting_on = WAITING[deadline.kind]
        reports = (
            deadline.cycle.reports.newest_versions()
            .filter(previous__isnull=True, status__in=statuses)
            .select_related("member_state", "cycle")
            .order_by("member_state__name")
        )
        rows += [LateRow(deadline, r, (today - deadline.date).days, waiting_on) for r in reports]
    rows.sort(key=lambda r: (-r.days_late, r.report.member_state.name))
    return rows
