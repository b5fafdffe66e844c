"""Reminders of the reporting calendar: exactly the due ones, each once, to the focal points
and approvers of the Member States that have not submitted."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.reporting import reminders
from pantau.reporting.calendar import set_deadline
from pantau.reporting.models import Deadline, ReminderSent

from . import factories

pytestmark = pytest.mark.django_db
BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
DUE = datetime.date(2025, 3, 31)


def at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(7), BANGKOK), tick=False
    )


@pytest.fixture
def calendar(people, cycle2024):
    """The 2024 cycle with its submission due on 31 March 2025; Thailand has submitted."""
    set_deadline(acting_user=people.secretariat, cycle=cycle2024, kind="submission_due", date=DUE)
    factories.submitted_report("TH", 2024)
    return cycle2024


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def test_a_week_before_reaches_the_late_country_only(calendar, people):
    with at(DUE - datetime.timedelta(days=7)):
        sent = reminders.send_due()
    assert recipients() == ["my_approver@example.org", "my_focal@example.org"]
    assert {r.kind for r in sent} == {"week_before"}
    assert "Malaysia 2024" in mail.outbox[0].subject
    assert ReminderSent.objects.count() == 2
    assert AuditEvent.objects.filter(action="reporting.reminder.send").count() == 2


@pytest.mark.parametrize("days_before", [8, 6, 1])
def test_nothing_is_due_on_other_days(calendar, days_before):
    with at(DUE - datetime.timedelta(days=days_before)):
        assert reminders.send_due() == []
    assert mail.outbox == []


def test_each_reminder_goes_once_even_when_run_twice(calendar):
    schedule = [DUE - datetime.timedelta(days=7), DUE, DUE + datetime.timedelta(days=1)]
    for day in schedule:
        with at(day):
            first = reminders.send_due()
            second = reminders.send_due()
        assert len(first) == 2 and second == []
    # Overdue goes once, not every day after.
    with at(DUE + datetime.timedelta(days=5)):
        assert reminders.send_due() == []
    kinds = sorted(m.subject.split(":")[0] for m in mail.outbox)
    assert kinds == ["Overdue"] * 2 + ["Reminder"] * 4
    assert len(mail.outbox) == 6


def test_a_reminder_another_worker_sent_is_not_sent_again(calendar, people):
    """Two workers at once: the one whose insert loses the unique constraint sends nothing."""
    with at(DUE):
        due = reminders.due_reminders(DUE)
        assert reminders._send_once(due[0]) is True
        assert reminders._send_once(due[0]) is False
        sent = reminders.send_due()
    assert len(sent) == len(due) - 1
    assert len(mail.outbox) == len(due)


def test_no_reminder_once_the_country_submitted(calendar):
    factories.submitted_report("MY", 2024)
    with at(DUE):
        assert reminders.send_due() == []
    assert mail.outbox == []


def test_the_command_prints_each_reminder_and_the_total(calendar):
    out = io.StringIO()
    call_command("reminders", "send", "--today", DUE.isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "my_approver@example.org, Malaysia 2024, on_the_day",
        "my_focal@example.org, Malaysia 2024, on_the_day",
        "2 reminder(s) sent.",
    ]
    again = io.StringIO()
    call_command("reminders", "send", "--today", DUE.isoformat(), stdout=again)
    assert again.getvalue().splitlines() == ["0 reminder(s) sent."]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("who", ["th_focal", "th_approver", "asod", "wg"])
def test_only_the_secretariat_sets_deadlines(people, cycle2024, who):
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        set_deadline(
            acting_user=getattr(people, who), cycle=cycle2024, kind="submission_due", date=DUE
        )
    assert not Deadline.objects.exists()
    assert AuditEvent.objects.count() == events


def test_moving_the_submission_deadline_moves_the_cycle_and_is_audited(people, cycle2024):
    set_deadline(acting_user=people.secretariat, cycle=cycle2024, kind="submission_due", date=DUE)
    later = DUE + datetime.timedelta(days=14)
    set_deadline(acting_user=people.secretariat, cycle=cycle2024, kind="submission_due", date=later)
    cycle2024.refresh_from_db()
    assert cycle2024.deadline == later
    assert Deadline.objects.get().date == later
    event = AuditEvent.objects.filter(action="reporting.deadline.set").latest("id")
    assert event.before == {"date": DUE.isoformat()}
