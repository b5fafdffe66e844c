"""Restricted reads: every page and API answer of the app starts here."""

from django.db.models import QuerySet
from django.http import Http404

from . import permissions
from .choices import UploadStatus
from .models import AdminArea, BoundaryVersion, CultivationSurvey


def surveys(user) -> QuerySet[CultivationSurvey]:
    qs = CultivationSurvey.objects.select_related("member_state", "boundary")
    visible = permissions.survey_filter(user)
    return qs if visible is None else qs.filter(visible)


def get_survey_or_404(user, pk: int) -> CultivationSurvey:
    survey = surveys(user).filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def boundary_uploads(user) -> QuerySet[BoundaryVersion]:
    qs = BoundaryVersion.objects.select_related("member_state")
    visible = permissions.boundary_upload_filter(user)
    return qs if visible is None else qs.filter(visible)


def get_boundary_upload_or_404(user, pk: int) -> BoundaryVersion:
    upload = boundary_uploads(user).filter(pk=pk).first()
    if upload is None:
        raise Http404("No such boundary file")
    return upload


def current_areas(user, member_state: str) -> QuerySet[AdminArea]:
    """The areas of the state's newest loaded boundary version (signed-in users)."""
    if not getattr(user, "is_authenticated", False):
        return AdminArea.objects.none()
    current = (
        BoundaryVersion.objects.current()
        .filter(member_state__code=member_state, status=UploadStatus.APPLIED)
        .first()
    )
    if current is None:
        return AdminArea.objects.none()
    return AdminArea.objects.filter(boundary=current)
