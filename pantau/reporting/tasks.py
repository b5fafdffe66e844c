"""Background work of the reporting app: notifications after a transition is committed."""

import datetime

from django.core.mail import send_mail
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pantau.accounts.choices import Role
from pantau.accounts.models import User

from . import reminders
from .choices import Transition
from .models import CountryReport

SUBJECTS = {
    Transition.SUBMIT: "{report} was submitted for validation",
    Transition.RETURN: "{report} was returned with comments",
    Transition.VALIDATE: "{report} was validated and awaits ASOD approval",
    Transition.RETURN_TO_SECRETARIAT: "{report} was returned by ASOD to the Secretariat",
    Transition.RETURN_TO_COUNTRY: "{report} was returned by ASOD to the country",
    Transition.APPROVE: "{report} was approved by ASOD",
    Transition.PUBLISH: "{report} was published",
}


def recipients(report: CountryReport, action: str) -> list[str]:
    """The people concerned by a transition: the next actor, and the country's reporters."""
    national = User.objects.filter(
        role_assignments__member_state=report.member_state,
        role_assignments__role__in=[Role.FOCAL_POINT, Role.APPROVER],
    )
    next_roles: list[Role] = {
        Transition.SUBMIT: [Role.SECRETARIAT],
        Transition.VALIDATE: [Role.ASOD_REVIEWER],
        Transition.APPROVE: [Role.SECRETARIAT],
        Transition.RETURN_TO_SECRETARIAT: [Role.SECRETARIAT],
        Transition.RETURN_TO_COUNTRY: [Role.SECRETARIAT],
    }.get(Transition(action), [])
    regional = User.objects.filter(role_assignments__role__in=next_roles)
    users = (national | regional).filter(is_active=True).exclude(email="").distinct()
    return sorted(set(users.values_list("email", flat=True)))


@task
def send_report_notification(report_id: int, action: str, actor: str, comment: str) -> int:
    """E-mail the people concerned; idempotent enough to retry (a repeated e-mail is harmless)."""
    report = CountryReport.objects.select_related("member_state", "cycle").get(pk=report_id)
    to = recipients(report, action)
    if not to:
        return 0
    subject = "[Pantau] " + SUBJECTS[Transition(action)].format(report=report)
    body = f"{subject} by {actor}.\n"
    if comment:
        body += f"\nComment:\n{comment}\n"
    body += f"\nOpen the report: /reporting/{report.member_state.code}/{report.cycle.year}/\n"
    return send_mail(subject, body, None, to)


# --- The daily reminders (reminders.py) -------------------------------------------------------

REMINDERS_AT = datetime.time(6, 0)


@task
def reminders_task() -> dict:
    """Send the day's reminders, after queueing tomorrow's run (the same self-rescheduling
    as the audit checkpoint: a failed run does not stop the schedule). Running twice a day
    sends nothing twice (ReminderSent)."""
    schedule_next_reminders()
    sent = reminders.send_due(timezone.localdate())
    return {"sent": len(sent)}


def schedule_next_reminders(*, now: bool = False) -> bool:
    """Queue the next run (tomorrow at REMINDERS_AT site time, or `now`: when the worker
    starts) unless one is waiting.
    Does nothing on a backend that cannot defer (tests' immediate backend would recurse)."""
    if not reminders_task.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=reminders_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    run_after = (
        timezone.now()
        if now
        else datetime.datetime.combine(
            tomorrow, REMINDERS_AT, tzinfo=timezone.get_current_timezone()
        )
    )
    reminders_task.using(run_after=run_after).enqueue()
    return True
