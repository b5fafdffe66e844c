"""The cultivation pages (/cultivation/, signed-in users): the surveys, the boundary files of
sub-national areas with their maps and tables, and the upload of a boundary file (parsed by
the background worker). Objects a user may not see answer 404, like missing ones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from . import permissions, querysets
from .boundaries import BoundaryFileRefused, register_boundary_file
from .choices import UploadStatus
from .forms import BoundaryUploadForm
from .maps import area_map
from .models import AdminArea, BoundaryVersion

LIST_LIMIT = 100


@login_required
def home(request):
    return render(request, "cultivation/home.html", _home_context(request))


def _home_context(request) -> dict:
    current = BoundaryVersion.objects.current().select_related("member_state")
    return {"current_boundaries": current, "surveys": []}


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
