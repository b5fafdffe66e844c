from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from pantau.accounts.permissions import can_edit_agency
from pantau.core.exceptions import ConflictError

from .forms import AgencyForm
from .models import Agency, MemberState, Partner
from .querysets import agencies_editable_by
from .services import AGENCY_EDITABLE_FIELDS, update_agency


def member_state_list(request):
    states = MemberState.objects.prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.filter(is_lead=True), to_attr="lead_agencies")
    )
    partners = Partner.objects.all()
    return render(request, "members/list.html", {"states": states, "partners": partners})


def member_state_detail(request, code: str):
    state = get_object_or_404(MemberState, code=code.upper())
    agencies = [
        (a, can_edit_agency(request.user, a)) for a in state.agencies.select_related("member_state")
    ]
    return render(request, "members/detail.html", {"state": state, "agencies": agencies})


@login_required
def agency_edit(request, code: str, pk: int):
    # Agencies the user may not edit answer 404, like agencies that do not exist.
    agency = get_object_or_404(
        agencies_editable_by(request.user).select_related("member_state"),
        pk=pk,
        member_state__code=code.upper(),
    )
    conflict = None
    if request.method == "POST":
        form = AgencyForm(request.POST, instance=Agency.objects.get(pk=agency.pk))
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in AGENCY_EDITABLE_FIELDS}
            try:
                update_agency(
                    acting_user=request.user,
                    agency=agency,
                    version=form.cleaned_data["version"],
                    **changes,
                )
            except ConflictError as exc:
                conflict = exc.current
                messages.error(request, str(exc))
            else:
                messages.success(request, f"Saved {agency}.")
                return redirect("members:detail", code=agency.member_state.code)
    else:
        form = AgencyForm(instance=agency, initial={"version": agency.version})
    return render(
        request,
        "members/agency_form.html",
        {"form": form, "agency": agency, "conflict": conflict},
        status=409 if conflict else 200,
    )
