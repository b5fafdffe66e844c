"""Statistics pages: uploading a file to import (run in the background, its progress and
report on the import's page) and the data-entry forms of a Member State's year.

Imports start from `DataImport.objects.restrict`: someone else's import answers 404, like one
that does not exist. The forms answer 403 to people whose role does not enter data, and 404
for another Member State's."""

import datetime
from pathlib import Path

import markdown
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from pantau.accounts.permissions import member_states_for
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from .. import permissions
from ..choices import ImportFormat, ImportStatus, IndicatorGroup
from ..models import DataImport
from ..snapshot import Structure
from . import entry, services, template
from .forms import MAX_IMPORT_BYTES, ImportUploadForm
from .tasks import read_progress

RECENT_IMPORTS = 20
# Values far outside their range named one by one after a save; the rest are marked in the grid.
MAX_WARNINGS = 10


@login_required
def import_upload(request):
    if not permissions.can_import(request.user):
        raise DjangoPermissionDenied("Only focal points, approvers and administrators import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_import = services.register_import(
                acting_user=request.user,
                uploaded_file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        return redirect("statistics:import-detail", pk=data_import.pk)
    recent = DataImport.objects.restrict(request.user).select_related("uploaded_by")[
        :RECENT_IMPORTS
    ]
    return render(
        request,
        "statistics/import.html",
        {"form": form, "recent": recent, "max_mb": MAX_IMPORT_BYTES // (1024 * 1024)},
    )


@never_cache
@login_required
def import_detail(request, pk: int):
    data_import = get_object_or_404(DataImport.objects.restrict(request.user), pk=pk)
    running = data_import.status == ImportStatus.RUNNING
    context = {
        "data_import": data_import,
        "unfinished": running or data_import.status == ImportStatus.PENDING,
        # {"phase": "check" | "apply", "done": n, "total": n}, from the worker (tasks.py)
        "progress": read_progress(data_import.pk) if running else None,
        "line_label": _("Observation") if data_import.format == ImportFormat.SDMX_ML else _("Line"),
        "more_problems": max(data_import.problem_count - len(data_import.problems), 0),
    }
    if request.headers.get("HX-Request"):
        return render(request, "statistics/_import_status.html", context)
    return render(request, "statistics/import_detail.html", context)


# --- data entry --------------------------------------------------------------------------------


def _entry_states(user) -> list[MemberState]:
    states = member_states_for(user, *permissions.NATIONAL_REPORTERS)
    if not states:
        raise DjangoPermissionDenied("Only national focal points and approvers enter data")
    return list(MemberState.objects.filter(code__in=states).order_by("name"))


@login_required
def entry_index(request):
    states = _entry_states(request.user)
    years = list(reversed(entry.entry_years()))
    groups = [IndicatorGroup(g) for g in entry.ENTRY_GROUPS]
    statuses = entry.form_statuses(request.user, [s.code for s in states], years)
    tables = [
        (
            state,
            [
                (year, [(group, statuses[(state.code, year, group.value)]) for group in groups])
                for year in years
                if state.is_member_on(datetime.date(year, 12, 31))
            ],
        )
        for state in states
    ]
    return render(
        request,
        "statistics/entry_index.html",
        {"tables": tables, "groups": groups},
    )


@never_cache
@login_required
def entry_form(request, ref_area: str, year: int, group: str):
    states = _entry_states(request.user)
    state = next((s for s in states if s.code == ref_area.upper()), None)
    structure = Structure.load()
    if (
        state is None
        or group not in entry.ENTRY_GROUPS
        or year not in entry.entry_years(structure)
        or not state.is_member_on(datetime.date(year, 12, 31))
    ):
        raise Http404("No such form")
    status = 200
    # SDMX codes only for people who ask for them: labels by default.
    show_codes = request.GET.get("codes") == "1"
    if request.method == "POST":
        try:
            result = entry.save_entry(
                acting_user=request.user,
                ref_area=state.code,
                year=year,
                group=group,
                data=request.POST,
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        if result.ok:
            if result.created or result.updated:
                messages.success(
                    request,
                    _("Saved: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
            else:
                messages.info(request, _("Nothing changed."))
            # Saved all the same, as DHIS2 does; the checks after the save record a finding.
            for warning in result.warnings[:MAX_WARNINGS]:
                messages.warning(request, warning)
            if len(result.warnings) > MAX_WARNINGS:
                messages.warning(
                    request,
                    _("%(n)s more values far outside their plausible range are marked below.")
                    % {"n": len(result.warnings) - MAX_WARNINGS},
                )
            return redirect(request.get_full_path())
        grids = result.grids
        status = 400
        messages.error(
            request,
            ngettext(
                "%(n)s problem: nothing was saved. Correct the cells marked below and save again.",
                "%(n)s problems: nothing was saved. Correct the cells marked below and save again.",
                result.problems,
            )
            % {"n": result.problems},
        )
    else:
        grids = entry.build_grids(state.code, year, group)
    return render(
        request,
        "statistics/entry.html",
        {
            "state": state,
            "year": year,
            "group": IndicatorGroup(group),
            "groups": [IndicatorGroup(g) for g in entry.ENTRY_GROUPS],
            "grids": grids,
            "years": [
                y
                for y in reversed(entry.entry_years(structure))
                if state.is_member_on(datetime.date(y, 12, 31))
            ],
            "has_published": any(c.readonly for g in grids for c in g.cells),
            "can_import": permissions.can_import(request.user),
            "form_url": reverse("statistics:entry", args=[state.code, year, group])
            + ("?codes=1" if show_codes else ""),
            "show_codes": show_codes,
            "codes_query": "" if show_codes else "?codes=1",
        },
        status=status,
    )


# --- helping people write a file -----------------------------------------------------------

IMPORT_GUIDE = Path(settings.BASE_DIR) / "docs" / "statistics-import.md"


def import_guide(request):
    """docs/statistics-import.md as a page of the site (the project's own document, not
    anything a user wrote: its HTML is trusted)."""
    try:
        text = IMPORT_GUIDE.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise Http404(_("The import guide is not installed")) from exc
    body = markdown.markdown(text, extensions=["fenced_code", "tables", "toc"])
    return render(
        request,
        "statistics/import_guide.html",
        {"body": mark_safe(body)},  # noqa: S308  # nosec B308 B703: the project's own file
    )


def import_codes(request):
    """The valid codes of every coded column (metadata, public like the API's)."""
    return render(request, "statistics/import_codes.html", {"lists": template.code_lists()})


@login_required
def import_template(request, fmt: str):
    """A template to fill in, with the Member State's code (`?ref_area=` for someone who
    reports for several) and the latest year of the Work Plans."""
    if not permissions.can_import(request.user):
        raise DjangoPermissionDenied("Only focal points, approvers and administrators import")
    writable = permissions.writable_ref_areas(request.user)
    choices = sorted(writable) if writable is not None else template.all_member_states()
    ref_area = (request.GET.get("ref_area") or choices[0]).upper()
    if ref_area not in choices or fmt not in ("csv", "xlsx"):
        raise Http404("No such template")
    year = min(datetime.date.today().year - 1, entry.entry_years().stop - 1)
    if fmt == "csv":
        content = template.csv_template(ref_area, year)
        content_type = "text/csv; charset=utf-8"
    else:
        content = template.xlsx_template(ref_area, year)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-template-{ref_area}-{year}.{fmt}"'
    )
    return response
