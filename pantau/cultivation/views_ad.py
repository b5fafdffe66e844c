"""The alternative-development pages: programmes, their rounds and the baseline compared with
the latest round, the XLSForm questionnaire and the import of its submissions."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import PermissionDenied

from . import ad, permissions
from .forms import ProgrammeForm
from .models import ADProgramme
from .xlsform import FORM_ID, build_xlsform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def programmes(request):
    states = permissions.programme_states(request.user)
    form = None
    if states is None or states:
        form = ProgrammeForm(request.POST or None, states=states)
        if request.method == "POST" and form.is_valid():
            try:
                programme = ad.create_programme(
                    acting_user=request.user,
                    member_state=form.cleaned_data["member_state"],
                    name=form.cleaned_data["name"],
                    **form.service_fields(),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("cultivation:programme", pk=programme.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not manage alternative-development programmes"))
    listed = ADProgramme.objects.select_related("member_state").prefetch_related("rounds")
    return render(request, "cultivation/programmes.html", {"programmes": listed, "form": form})


def _programme(pk: int) -> ADProgramme:
    programme = ADProgramme.objects.select_related("member_state").filter(pk=pk).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


@login_required
def programme_detail(request, pk: int):
    programme = _programme(pk)
    rounds = list(programme.rounds.all())
    tables = {r.number: ad.tabulate(r) for r in rounds}
    baseline = rounds[0] if rounds else None
    latest = rounds[-1] if len(rounds) > 1 else None
    comparison = [
        {
            "label": label,
            "baseline": tables[baseline.number][name] if baseline else None,
            "latest": tables[latest.number][name] if latest else None,
        }
        for name, label, _how in ad.INDICATORS
    ]
    may_manage = permissions.can_manage_programmes(request.user, programme.member_state.code)
    uploads = []
    if may_manage:
        uploads = [u for r in rounds for u in r.uploads.all()[:10]]
    return render(
        request,
        "cultivation/programme.html",
        {
            "programme": programme,
            "rounds": rounds,
            "baseline": baseline,
            "latest": latest,
            "comparison": comparison,
            "may_manage": may_manage,
            "uploads": uploads,
        },
    )


@login_required
@require_POST
def programme_action(request, pk: int, action: str):
    programme = _programme(pk)
    if not permissions.can_manage_programmes(request.user, programme.member_state.code):
        raise PermissionDenied(_("You may not manage alternative-development programmes"))
    try:
        if action == "round":
            ad.add_round(
                acting_user=request.user,
                programme=programme,
                started_on=datetime.date.fromisoformat(request.POST.get("started_on", "")),
                notes=request.POST.get("notes", ""),
            )
        elif action == "start":
            ad.start_programme(acting_user=request.user, programme=programme)
        elif action == "submissions":
            survey_round = programme.rounds.filter(pk=request.POST.get("round") or 0).first()
            upload = request.FILES.get("file")
            if survey_round is None or upload is None:
                raise ValidationError(_("Choose a round and a file"))
            ad.register_submissions_file(
                acting_user=request.user, survey_round=survey_round, uploaded_file=upload
            )
            messages.success(request, _("The file is kept; the background worker imports it."))
        else:
            raise Http404("No such action")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except ValueError:  # a date that is not one
        messages.error(request, _("Give the round's start as a date"))
    return redirect("cultivation:programme", pk=programme.pk)


@login_required
def questionnaire(request):
    response = HttpResponse(build_xlsform(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{FORM_ID}.xlsx"'
    return response
