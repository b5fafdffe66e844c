"""E-mail reminders of the reporting calendar's country deadlines: a week before, on the day
and once overdue, to the focal points and approvers of each Member State that has not
submitted its report. `pantau reminders send` (run daily by the worker) calls `send_due`.

Each reminder is sent at most once: its `ReminderSent` row is inserted, in the reminder's
own transaction, before the e-mail goes; a second run, or a second worker at the same time,
fails on the unique constraint (the database makes the second insert wait for the first
transaction) and sends nothing."""

import datetime
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import SystemActor

from .choices import COUNTRY_DEADLINES, ReminderKind, ReportStatus
from .models import CountryReport, Deadline, ReminderSent
from .permissions import NATIONAL_REPORTERS

REMINDERS = SystemActor("pantau reminders")
WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    deadline: Deadline
    report: CountryReport
    kind: str
    recipient: User

    def __str__(self) -> str:
        return f"{self.recipient.email}, {self.report}, {self.kind}"


def reminder_kind(deadline_date: datetime.date, today: datetime.date) -> str | None:
    if today == deadline_date - WEEK:
        return ReminderKind.WEEK_BEFORE
    if today == deadline_date:
        return ReminderKind.ON_THE_DAY
    if today > deadline_date:
        return ReminderKind.OVERDUE
    return None


def due_reminders(today: datetime.date) -> list[Reminder]:
    """The reminders due `today`, sent or not: one per recipient and late report."""
    due: list[Reminder] = []
    deadlines = Deadline.objects.filter(
        kind__in=COUNTRY_DEADLINES, date__lte=today + WEEK
    ).select_related("cycle")
    for deadline in deadlines:
        kind = reminder_kind(deadline.date, today)
        if kind is None:
            continue
        # Not submitted: the newest version is a draft (never submitted, or returned). A
        # correction in draft is not late: its country had submitted the cycle's report.
        late = (
            CountryReport.objects.filter(cycle=deadline.cycle, status=ReportStatus.DRAFT, version=1)
            .newest_versions()
            .select_related("member_state", "cycle")
            .order_by("member_state__code")
        )
        for report in late:
            people = (
                User.objects.filter(
                    is_active=True,
                    role_assignments__role__in=NATIONAL_REPORTERS,
                    role_assignments__member_state=report.member_state,
                )
                .exclude(email="")
                .distinct()
                .order_by("username")
            )
            due.extend(Reminder(deadline, report, kind, person) for person in people)
    return due


def send_due(today: datetime.date | None = None) -> list[Reminder]:
    """Send the reminders due `today` that were not sent yet; return those sent."""
    today = today or timezone.localdate()
    sent = []
    for reminder in due_reminders(today):
        if _send_once(reminder):
            sent.append(reminder)
    return sent


def _send_once(reminder: Reminder) -> bool:
    try:
        with transaction.atomic():
            row = ReminderSent.objects.create(
                deadline=reminder.deadline,
                member_state=reminder.report.member_state,
                kind=reminder.kind,
                recipient=reminder.recipient,
                sent_at=timezone.now(),
            )
            record(
                actor=REMINDERS,
                action="reporting.reminder.send",
                obj=row,
                member_state=reminder.report.member_state.code,
                after={
                    "deadline": reminder.deadline.date,
                    "kind": reminder.kind,
                    "recipient": reminder.recipient.username,
                },
            )
            # Inside the transaction: if the mail server refuses it, the row goes too and
            # the next run tries again.
            send_mail(
                *_message(reminder), from_email=None, recipient_list=[reminder.recipient.email]
            )
    except IntegrityError:
        return False
    return True


def _message(reminder: Reminder) -> tuple[str, str]:
    deadline, report = reminder.deadline, reminder.report
    params = {
        "report": str(report),
        "kind": deadline.get_kind_display(),
        "date": deadline.date.isoformat(),
    }
    if reminder.kind == ReminderKind.WEEK_BEFORE:
        subject = _("Reminder: %(report)s is due in a week (%(date)s)") % params
    elif reminder.kind == ReminderKind.ON_THE_DAY:
        subject = _("Reminder: %(report)s is due today (%(date)s)") % params
    else:
        subject = _("Overdue: %(report)s was due on %(date)s") % params
    body = (
        _(
            "%(kind)s: %(date)s.\n\nThe country report %(report)s has not been submitted yet. "
            "Please complete it and ask your national approver to submit it in Pantau.\n"
        )
        % params
    )
    return subject, body
