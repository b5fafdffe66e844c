"""The reporting calendar's page: every cycle's deadlines (set by the Secretariat) and who is
late for what, by how many days (the Secretariat, ASOD and administrators)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.core.exceptions import PermissionDenied

from . import permissions
from .calendar import active_calendar_token, calendar_deadlines, late_reports, set_deadline
from .choices import DeadlineKind
from .models import ReportingCycle


@login_required
def deadlines(request):
    if not permissions.sees_reporting_calendar(request.user):
        raise PermissionDenied(_("The reporting calendar concerns reporters and reviewers"))
    can_set = permissions.can_set_deadlines(request.user)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied(_("Only the ASEAN Secretariat sets the reporting calendar"))
        year = request.POST.get("year", "")
        cycle = ReportingCycle.objects.filter(year=int(year) if year.isdigit() else 0).first()
        kind = request.POST.get("kind", "")
        try:
            date = datetime.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            messages.error(request, _("date: give a date as YYYY-MM-DD"))
            return redirect("reporting:deadlines")
        if cycle is None or kind not in DeadlineKind.values:
            messages.error(request, _("year, kind: choose a reporting cycle and a deadline"))
            return redirect("reporting:deadlines")
        set_deadline(acting_user=request.user, cycle=cycle, kind=kind, date=date)
        messages.success(request, _("Deadline saved."))
        return redirect("reporting:deadlines")
    today = timezone.localdate()
    return render(
        request,
        "reporting/deadlines.html",
        {
            "deadlines": calendar_deadlines(request.user),
            "late": late_reports(today) if permissions.can_view_dashboard(request.user) else None,
            "today": today,
            "can_set": can_set,
            "cycles": ReportingCycle.objects.order_by("-year"),
            "kinds": DeadlineKind.choices,
            "has_feed": active_calendar_token(request.user) is not None,
        },
    )
