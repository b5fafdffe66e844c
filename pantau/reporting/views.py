"""Pages of the ASOD Standardized Country Report: filling, workflow, comments, versions and
the Secretariat's dashboard. Every page starts from a restricted queryset."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.workplan.models import Activity, WorkPlan
from pantau.workplan.querysets import plan_outline

from . import cooperation_evidence, permissions, services
from .choices import RETURNS, SIGNING, WORKFLOW, ImplementationStatus, ReportStatus, Transition
from .forms import CommentForm, CycleForm, EntryForm, EvidenceForm, TransitionForm
from .models import ActivityStatus, CountryReport, ReportingCycle
from .querysets import completeness, get_report_or_404, report_checklist


def report_url(report: CountryReport, name: str = "reporting:report", **extra) -> str:
    return reverse(
        name, kwargs={"ref_area": report.member_state.code, "year": report.cycle.year, **extra}
    )


def _version(request) -> int | None:
    value = request.GET.get("version") or request.POST.get("report_version")
    return int(value) if value and value.isdigit() else None


def report_index(request):
    cycles = ReportingCycle.objects.select_related("plan").order_by("-year")
    reports = (
        CountryReport.objects.restrict(request.user)
        .newest_versions()
        .select_related("member_state", "cycle")
        .order_by("-cycle__year", "member_state__name")
    )
    if not request.user.is_authenticated:
        reports = reports.none()
    elif not permissions.sees_all_reports(request.user):
        # "Your reports" are your own country's: a working-group member reads approved reports
        # of every country through the filled Work Plan, not as its own.
        reports = reports.filter(
            member_state__code__in=permissions.member_states_for(
                request.user, *permissions.NATIONAL_REPORTERS
            )
        )
    else:
        newest = cycles.first()
        reports = reports.filter(cycle__year=newest.year) if newest else reports.none()
    return render(
        request,
        "reporting/index.html",
        {
            "cycles": cycles,
            "reports": reports[:200],
            "can_open_cycle": permissions.can_open_cycle(request.user),
            "can_dashboard": permissions.can_view_dashboard(request.user),
        },
    )


def report_detail(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    outline = plan_outline(report.cycle.plan.code)
    entries = {e.activity_id: e for e in report.entries.all()}
    sections = []
    for node in outline.sections if outline else []:
        leaves = [leaf for c in node.components for a in c.activities for leaf in a.reportable]
        filled = sum(1 for leaf in leaves if entries[leaf.pk].status)
        sections.append(
            {
                "section": node.section,
                "filled": filled,
                "total": len(leaves),
                "empty": len(leaves) - filled,
            }
        )
    versions = (
        CountryReport.objects.restrict(request.user)
        .filter(member_state=report.member_state, cycle=report.cycle)
        .order_by("version")
    )
    comments = (
        report.comments.filter(activity__isnull=True, parent__isnull=True)
        .select_related("author")
        .prefetch_related("replies__author")
    )
    status_counts = {s.value: 0 for s in ImplementationStatus}
    for e in entries.values():
        if e.status:
            status_counts[e.status] += 1
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "sections": sections,
            "versions": versions,
            "filled": sum(s["filled"] for s in sections),
            "total": len(entries),
            "status_counts": [(ImplementationStatus(k).label, v) for k, v in status_counts.items()],
            "transitions": report.transitions.all(),
            "allowed": permissions.allowed_transitions(request.user, report),
            "allowed_actions": [
                (a, Transition(a).label)
                for a in permissions.allowed_transitions(request.user, report)
            ],
            "returned": report.transitions.filter(to_status=ReportStatus.DRAFT).last(),
            "can_edit": permissions.can_edit_report(request.user, report),
            "can_correct": permissions.can_open_correction(request.user, report)
            and not CountryReport.objects.filter(previous=report).exists(),
            "can_comment": permissions.can_comment(request.user, report),
            "comments": comments,
            "comment_form": CommentForm(),
        },
    )


def _cooperation(request, report, entries: list[ActivityStatus], editable: bool) -> dict:
    """Per entry id: its linked events and projects and, for who may edit, the suggestions
    (events and projects recorded for that activity, country and year, not yet linked)."""
    events, projects = cooperation_evidence.linked_by_entry(request.user, [e.pk for e in entries])
    if editable:
        suggested_events, suggested_projects = cooperation_evidence.suggestions(
            request.user, report, [e.activity_id for e in entries]
        )
    else:
        suggested_events, suggested_projects = {}, {}
    out = {}
    for e in entries:
        linked_events, linked_projects = events.get(e.pk, []), projects.get(e.pk, [])
        event_ids = {x.pk for x in linked_events}
        project_ids = {x.pk for x in linked_projects}
        out[e.pk] = {
            "events": linked_events,
            "projects": linked_projects,
            "suggested_events": [
                x for x in suggested_events.get(e.activity_id, []) if x.pk not in event_ids
            ],
            "suggested_projects": [
                x for x in suggested_projects.get(e.activity_id, []) if x.pk not in project_ids
            ],
        }
    return out


def _entry_context(
    request, report, entry, form=None, conflict=None, saved=False, comments=None, coop=None
):
    editable = permissions.can_edit_report(request.user, report)
    if coop is None:
        coop = _cooperation(request, report, [entry], editable)[entry.pk]
    if form is None:
        form = EntryForm(instance=entry, prefix=f"e{entry.pk}", initial={"version": entry.version})
    return {
        "report": report,
        "entry": entry,
        "form": form,
        "editable": editable,
        "can_comment": permissions.can_comment(request.user, report),
        "conflict": conflict,
        "saved": saved,
        "evidence": list(entry.evidence.all()),
        "coop": coop,
        "comments": comments
        if comments is not None
        else list(report.comments.filter(activity=entry.activity_id).select_related("author")),
    }


def report_section(request, ref_area: str, year: int, numeral: str):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    outline = plan_outline(report.cycle.plan.code)
    node = next(
        (s for s in (outline.sections if outline else []) if s.section.numeral == numeral), None
    )
    if node is None:
        raise Http404("No such section")
    entries = {
        e.activity_id: e
        for e in report.entries.select_related("activity").prefetch_related("evidence")
    }
    report_comments = list(report.comments.filter(activity__isnull=False).select_related("author"))
    section_entries = [
        entries[leaf.pk]
        for component in node.components
        for anode in component.activities
        for leaf in anode.reportable
    ]
    coop = _cooperation(
        request, report, section_entries, permissions.can_edit_report(request.user, report)
    )
    rows = []
    for component in node.components:
        for anode in component.activities:
            for leaf in anode.reportable:
                entry = entries[leaf.pk]
                comments = [c for c in report_comments if c.activity_id == leaf.pk]
                ctx = _entry_context(request, report, entry, comments=comments, coop=coop[entry.pk])
                rows.append(
                    {
                        "component": component,
                        "parent": anode.activity if anode.children else None,
                        "activity": leaf,
                        **ctx,
                    }
                )
    numerals = [s.section.numeral for s in outline.sections] if outline else []
    index = numerals.index(numeral)
    return render(
        request,
        "reporting/report_section.html",
        {
            "report": report,
            "section": node.section,
            "rows": rows,
            "empty": sum(1 for r in rows if not r["entry"].status),
            "previous": numerals[index - 1] if index > 0 else None,
            "next": numerals[index + 1] if index + 1 < len(numerals) else None,
            "editable": permissions.can_edit_report(request.user, report),
            "can_comment": permissions.can_comment(request.user, report),
            "status_choices": ImplementationStatus.choices,
        },
    )


@login_required
@require_POST
def entry_save(request, ref_area: str, year: int, code: str):
    """Save one entry. htmx requests get the entry's fragment back; others are redirected."""
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    entry = get_object_or_404(
        ActivityStatus.objects.select_related("activity"), report=report, activity__code=code
    )
    if not permissions.is_national_reporter(request.user, report):
        # Who may not fill the report hears so before their form is looked at.
        raise PermissionDenied("Only the country's focal points and approver fill its report")
    form = EntryForm(
        request.POST, instance=ActivityStatus.objects.get(pk=entry.pk), prefix=f"e{entry.pk}"
    )
    conflict, saved, status = None, False, 200
    if form.is_valid():
        changes = {f: form.cleaned_data[f] for f in services.ENTRY_FIELDS}
        try:
            entry = services.save_entry(
                acting_user=request.user,
                entry=entry,
                version=form.cleaned_data["version"],
                **changes,
            )
            saved = True
            form = EntryForm(
                instance=entry, prefix=f"e{entry.pk}", initial={"version": entry.version}
            )
        except ConflictError as exc:
            # Keep what the user typed; show what the other person saved; let them re-save
            # on top of the new version deliberately.
            conflict = exc.current
            data = request.POST.copy()
            data[f"e{entry.pk}-version"] = str(conflict.version)
            # Validating a form writes its data into its instance: give it a copy, or the
            # "theirs" panel would show the user's own text.
            form = EntryForm(data, instance=copy.copy(conflict), prefix=f"e{entry.pk}")
            form.is_valid()
            status = 409
        except services.ReportLocked as exc:
            messages.error(request, str(exc))
            status = 409
    else:
        status = 400
    ctx = _entry_context(request, report, entry, form=form, conflict=conflict, saved=saved)
    ctx["activity"] = entry.activity
    if request.headers.get("HX-Request"):
        return render(request, "reporting/_entry.html", ctx, status=status)
    if saved:
        messages.success(request, _("Saved %(code)s.") % {"code": code})
        section = entry.activity.component.section.numeral
        return redirect(report_url(report, "reporting:section", numeral=section) + f"#entry-{code}")
    return render(request, "reporting/entry_page.html", ctx, status=status)


def _confirm_url(report: CountryReport, action: str) -> str:
    url = report_url(report, "reporting:transition-confirm", action=action)
    return url + (f"?version={report.version}" if report.version > 1 else "")


@login_required
def transition_confirm(request, ref_area: str, year: int, action: str):
    """The step before a transition: what is being signed (activities filled and empty, the
    country-year's statistics, open findings), a confirmation box, and the reasons asked for."""
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    if action not in Transition.values:
        raise Http404("No such action")
    if not permissions.can_transition(request.user, report, action):
        raise PermissionDenied(_("You may not do this with this report now"))
    checklist = report_checklist(request.user, report)
    return render(
        request,
        "reporting/transition_confirm.html",
        {
            "report": report,
            "action": action,
            "action_label": Transition(action).label,
            "checklist": checklist,
            "signing": action in SIGNING,
            "needs_comment": action in RETURNS,
            "needs_empty_reason": action == Transition.SUBMIT and bool(checklist.empty),
            "to_status": ReportStatus(WORKFLOW[action][1]).label,
        },
    )


@login_required
@require_POST
def report_transition(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    if not permissions.takes_part_in_workflow(request.user, report):
        raise PermissionDenied("Your roles take no part in this report's workflow")
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in Transition.values:
        return HttpResponse("Bad request", status=400)
    action = form.cleaned_data["action"]
    if action in SIGNING and not form.cleaned_data["confirm"]:
        if not permissions.can_transition(request.user, report, action):
            raise PermissionDenied(_("You may not do this with this report now"))
        messages.error(request, _("Tick the box to confirm what you sign, then try again."))
        return redirect(_confirm_url(report, action))
    try:
        report = services.transition(
            acting_user=request.user,
            report=report,
            action=action,
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["lock_version"],
            empty_reason=form.cleaned_data["empty_reason"],
        )
    except services.IncompleteReport as exc:
        messages.error(request, str(exc))
        return redirect(_confirm_url(report, action))
    except (services.InvalidTransition, ValueError) as exc:
        messages.error(request, str(exc))
        if action in RETURNS and report.can_transition(action):
            return redirect(_confirm_url(report, action))
    else:
        messages.success(
            request,
            _("%(report)s is now %(status)s.")
            % {"report": report, "status": report.get_status_display().lower()},
        )
    return redirect(report_url(report))


@login_required
@require_POST
def report_correct(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    try:
        new = services.open_correction(acting_user=request.user, report=report)
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
        return redirect(report_url(report))
    messages.success(
        request,
        _("Version %(new)s opened as a draft; version %(old)s stays as approved.")
        % {"new": new.version, "old": report.version},
    )
    return redirect(report_url(new))


@login_required
@require_POST
def comment_add(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    form = CommentForm(request.POST)
    if form.is_valid():
        activity = None
        if code := form.cleaned_data["activity"]:
            activity = get_object_or_404(Activity, plan=report.cycle.plan, code=code)
        parent = None
        if parent_id := form.cleaned_data["parent"]:
            parent = get_object_or_404(report.comments, pk=parent_id)
        try:
            services.add_comment(
                acting_user=request.user,
                report=report,
                body=form.cleaned_data["body"],
                activity=activity,
                parent=parent,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
        if activity is not None:
            return redirect(
                report_url(report, "reporting:section", numeral=activity.component.section.numeral)
                + f"#entry-{activity.code}"
            )
    else:
        messages.error(request, "A comment needs some text.")
    return redirect(report_url(report) + "#comments")


@login_required
@require_POST
def evidence_add(request, ref_area: str, year: int, code: str):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    entry = get_object_or_404(
        ActivityStatus.objects.select_related("activity__component__section"),
        report=report,
        activity__code=code,
    )
    if not permissions.is_national_reporter(request.user, report):
        raise PermissionDenied("Only the country's focal points and approver add evidence")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(
                acting_user=request.user,
                entry=entry,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                file=form.cleaned_data["file"],
                event_date=form.cleaned_data["event_date"],
            )
        except ValueError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
    numeral = entry.activity.component.section.numeral
    return redirect(report_url(report, "reporting:section", numeral=numeral) + f"#entry-{code}")


@login_required
@require_POST
def entry_cooperation(request, ref_area: str, year: int, code: str):
    """Link (or with `unlink`, unlink) one event or funded project to an entry."""
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    entry = get_object_or_404(
        ActivityStatus.objects.select_related("activity__component__section"),
        report=report,
        activity__code=code,
    )
    event, project = request.POST.get("event", ""), request.POST.get("project", "")
    try:
        services.link_cooperation_evidence(
            acting_user=request.user,
            entry=entry,
            events=[int(event)] if event.isdigit() else [],
            projects=[int(project)] if project.isdigit() else [],
            unlink=bool(request.POST.get("unlink")),
        )
    except (ValueError, services.ReportLocked) as exc:
        messages.error(request, str(exc))
    numeral = entry.activity.component.section.numeral
    return redirect(report_url(report, "reporting:section", numeral=numeral) + f"#entry-{code}")


@login_required
@require_POST
def evidence_remove(request, ref_area: str, year: int, code: str, pk: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    entry = get_object_or_404(
        ActivityStatus.objects.select_related("activity__component__section"),
        report=report,
        activity__code=code,
    )
    evidence = get_object_or_404(entry.evidence, pk=pk)
    services.remove_evidence(acting_user=request.user, evidence=evidence)
    numeral = entry.activity.component.section.numeral
    return redirect(report_url(report, "reporting:section", numeral=numeral) + f"#entry-{code}")


def evidence_file(request, ref_area: str, year: int, code: str, pk: int):
    """Uploaded evidence is served only to those who may see the report."""
    from django.http import FileResponse

    report = get_report_or_404(request.user, ref_area, year, _version(request))
    entry = get_object_or_404(ActivityStatus, report=report, activity__code=code)
    evidence = get_object_or_404(entry.evidence.exclude(file=""), pk=pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=(evidence.file.name or "evidence").rsplit("/", 1)[-1],
    )


def report_diff(request, ref_area: str, year: int, old: int, new: int):
    a = get_report_or_404(request.user, ref_area, year, old)
    b = get_report_or_404(request.user, ref_area, year, new)
    before = {e.activity_id: e for e in a.entries.select_related("activity")}
    rows = []
    for entry in b.entries.select_related("activity"):
        prev = before.get(entry.activity_id)
        changed = [
            f
            for f in services.ENTRY_FIELDS
            if prev is None or getattr(prev, f) != getattr(entry, f)
        ]
        if changed:
            rows.append({"activity": entry.activity, "old": prev, "new": entry, "fields": changed})
    return render(
        request,
        "reporting/report_diff.html",
        {"a": a, "b": b, "rows": rows, "fields": services.ENTRY_FIELDS},
    )


@login_required
def dashboard(request):
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied
    cycles = ReportingCycle.objects.order_by("-year")
    year = request.GET.get("year")
    cycle = cycles.filter(year=year).first() if year and year.isdigit() else cycles.first()
    rows = completeness(cycle, timezone.localdate()) if cycle else []
    submitted = sum(1 for r in rows if r.report.status != ReportStatus.DRAFT)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "rows": rows,
            "submitted": submitted,
            "overdue": sum(1 for r in rows if r.overdue),
        },
    )


@login_required
def cycle_open(request):
    if not permissions.can_open_cycle(request.user):
        raise PermissionDenied
    plan = WorkPlan.objects.filter(sections__isnull=False).order_by("-period_start").first()
    if plan is None:
        raise Http404("No Work Plan with activities is loaded")
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.open_cycle(
                acting_user=request.user,
                plan=plan,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(cycle)s opened: %(n)s country reports in draft.")
                % {"cycle": cycle, "n": cycle.reports.count()},
            )
            return redirect(reverse("reporting:dashboard") + f"?year={cycle.year}")
    return render(request, "reporting/cycle_open.html", {"form": form, "plan": plan})
