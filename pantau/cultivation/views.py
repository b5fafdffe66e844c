"""The cultivation pages (/cultivation/, signed-in users): the surveys, the boundary files of
sub-national areas with their maps and tables, and the upload of a boundary file (parsed by
the background worker). Objects a user may not see answer 404, like missing ones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pantau.accounts.choices import Role
from pantau.accounts.permissions import is_administrator, member_states_for
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from . import permissions, querysets, services
from .boundaries import BoundaryFileRefused, register_boundary_file
from .choices import SurveyState, UploadStatus
from .forms import BoundaryUploadForm, SurveyForm
from .maps import area_map
from .models import AdminArea, BoundaryVersion, CultivationSurvey
from .survey_files import register_survey_areas_file

LIST_LIMIT = 100


def _edit_states(user) -> frozenset[str] | None:
    if is_administrator(user):
        return None
    return member_states_for(user, Role.FOCAL_POINT, Role.APPROVER)


@login_required
def home(request):
    states = _edit_states(request.user)
    form = None
    if states is None or states:
        form = SurveyForm(request.POST or None, states=states)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                survey = services.create_survey(
                    acting_user=request.user,
                    member_state=data["member_state"],
                    year=data["year"],
                    crop=data["crop"],
                    method=data["method"],
                    sampling_notes=data["sampling_notes"],
                    price_currency=data["price_currency"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Survey drafted: enter its areas' figures."))
                return redirect("cultivation:survey", pk=survey.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not draft surveys"))
    surveys = querysets.surveys(request.user)[:LIST_LIMIT]
    current = BoundaryVersion.objects.current().select_related("member_state")
    return render(
        request,
        "cultivation/home.html",
        {"current_boundaries": current, "surveys": surveys, "form": form},
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _previous(survey: CultivationSurvey, user) -> CultivationSurvey | None:
    """The same state's and crop's latest approved survey before this one's year."""
    return (
        querysets.surveys(user)
        .filter(
            member_state=survey.member_state,
            crop=survey.crop,
            year__lt=survey.year,
            state=SurveyState.APPROVED,
        )
        .order_by("-year")
        .first()
    )


@login_required
def survey_detail(request, pk: int):
    survey = querysets.get_survey_or_404(request.user, pk)
    areas = list(survey.areas.all())
    totals = services.survey_totals(survey)
    previous = _previous(survey, request.user)
    before = {a.area_code: a.area_ha for a in previous.areas.all()} if previous else {}
    rows = [
        {"area": a, "change": (a.area_ha - before[a.area_code]) if a.area_code in before else None}
        for a in areas
    ]
    boundary_areas = (
        list(AdminArea.objects.filter(boundary=survey.boundary)) if survey.boundary else []
    )
    spec = None
    if boundary_areas:
        spec = area_map(
            boundary_areas,
            {a.area_code: float(a.area_ha) for a in areas},
            title=_("%(state)s %(year)s: %(crop)s cultivation by area (hectares)")
            % {
                "state": survey.member_state.name,
                "year": survey.year,
                "crop": survey.get_crop_display(),
            },
            legend=_("Hectares"),
        )
    may_edit = survey.state == SurveyState.DRAFT and permissions.can_edit_survey(
        request.user, survey.member_state.code
    )
    entry = []
    if may_edit:
        entered = {a.area_code: a for a in areas}
        codes = [(b.code, b.name) for b in boundary_areas] or [
            (a.area_code, a.area_name) for a in areas
        ]
        entry = [
            {
                "code": c,
                "name": n,
                "cells": [
                    (f, getattr(entered[c], f) if c in entered else None) for f in ENTRY_FIELDS
                ],
            }
            for c, n in codes
        ]
    return render(
        request,
        "cultivation/survey.html",
        {
            "survey": survey,
            "rows": rows,
            "totals": totals,
            "previous": previous,
            "spec": spec,
            "may_edit": may_edit,
            "entry": entry,
            "entry_labels": [ENTRY_LABELS[f] for f in ENTRY_FIELDS],
            "may_approve": survey.state == SurveyState.DRAFT
            and bool(areas)
            and permissions.can_approve_survey(request.user, survey.member_state.code),
            "may_reopen": survey.state == SurveyState.APPROVED
            and permissions.can_approve_survey(request.user, survey.member_state.code),
            "production_method": services.PRODUCTION_METHOD,
            "area_uploads": survey.area_uploads.all()[:5] if may_edit else [],
        },
    )


ENTRY_FIELDS = [f for f in services.AREA_FIELDS if f != "area_code"]
ENTRY_LABELS = {
    "area_ha": gettext_lazy("Cultivated (ha)"),
    "area_ha_low": gettext_lazy("lower bound (ha)"),
    "area_ha_high": gettext_lazy("upper bound (ha)"),
    "eradicated_ha": gettext_lazy("Eradicated (ha)"),
    "yield_kg_ha": gettext_lazy("Yield (kg/ha)"),
    "yield_kg_ha_low": gettext_lazy("lower bound (kg/ha)"),
    "yield_kg_ha_high": gettext_lazy("upper bound (kg/ha)"),
    "villages": gettext_lazy("Villages"),
    "households": gettext_lazy("Households"),
    "farm_gate_price": gettext_lazy("Farm-gate price per kg"),
}


@login_required
@require_POST
def survey_areas(request, pk: int):
    survey = querysets.get_survey_or_404(request.user, pk)
    rows = []
    codes = request.POST.getlist("code")
    for code in codes[:5000]:
        row = {"area_code": code}
        for name in ENTRY_FIELDS:
            row[name] = request.POST.get(f"{code}__{name}", "").strip()
        if any(row[name] for name in ENTRY_FIELDS):
            rows.append(row)
    try:
        services.set_survey_areas(
            acting_user=request.user,
            survey=survey,
            rows=rows,
            version=_version(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The areas' figures are saved."))
    return redirect("cultivation:survey", pk=survey.pk)


@login_required
@require_POST
def survey_file(request, pk: int):
    survey = querysets.get_survey_or_404(request.user, pk)
    if not permissions.can_edit_survey(request.user, survey.member_state.code):
        raise PermissionDenied(_("You may not edit this survey"))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose a CSV or XLSX file"))
        register_survey_areas_file(acting_user=request.user, survey=survey, uploaded_file=upload)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The file is kept; the background worker imports its rows."))
    return redirect("cultivation:survey", pk=survey.pk)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def survey_transition(request, pk: int, action: str):
    survey = querysets.get_survey_or_404(request.user, pk)
    try:
        if action == "approve":
            services.approve_survey(
                acting_user=request.user, survey=survey, version=_version(request)
            )
            messages.success(
                request, _("Survey approved: its national totals are in the statistics.")
            )
        elif action == "reopen":
            services.reopen_survey(
                acting_user=request.user,
                survey=survey,
                version=_version(request),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Survey reopened for a correction."))
        else:
            raise Http404("No such action")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("cultivation:survey", pk=survey.pk)


@login_required
def boundaries(request):
    states = permissions.boundary_upload_states(request.user)
    may_upload = states is None or bool(states)
    form = None
    if may_upload:
        form = BoundaryUploadForm(request.POST or None, request.FILES or None, states=states)
        if request.method == "POST" and form.is_valid():
            try:
                boundary = register_boundary_file(
                    acting_user=request.user,
                    member_state=form.cleaned_data["member_state"],
                    uploaded_file=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except BoundaryFileRefused as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("The file is kept; the background worker checks and loads it."),
                )
                return redirect("cultivation:boundary-detail", pk=boundary.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not load boundaries"))
    uploads = querysets.boundary_uploads(request.user)[:LIST_LIMIT]
    current = BoundaryVersion.objects.current().select_related("member_state")
    return render(
        request,
        "cultivation/boundaries.html",
        {"form": form, "uploads": uploads, "current": current},
    )


@login_required
def boundary_detail(request, pk: int):
    boundary = BoundaryVersion.objects.select_related("member_state").filter(pk=pk).first()
    # A loaded version is seen by every signed-in user; an upload (its problems) only by the
    # state's national roles and the regional ones.
    if boundary is None or (
        boundary.status != UploadStatus.APPLIED
        and not querysets.boundary_uploads(request.user).filter(pk=pk).exists()
    ):
        boundary = get_object_or_404(BoundaryVersion.objects.none())
    areas = list(AdminArea.objects.filter(boundary=boundary))
    spec = None
    if areas:
        spec = area_map(
            areas,
            title=_("%(state)s: sub-national areas, boundary version %(version)s")
            % {"state": boundary.member_state.name, "version": boundary.version},
        )
    return render(
        request,
        "cultivation/boundary_detail.html",
        {
            "boundary": boundary,
            "areas": areas,
            "spec": spec,
            "running": boundary.status in (UploadStatus.PENDING, UploadStatus.RUNNING),
            "state": MemberState.objects.get(pk=boundary.member_state_id),
        },
    )
