"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config import urls as site_urls
from pantau.core.exceptions import ConflictError
from pantau.core.exceptions import PermissionDenied as ServicePermissionDenied
from pantau.members.models import MemberState


def boom(request):
    raise RuntimeError("secret detail that must not reach the client")


def forbidden(request):
    raise PermissionDenied


def service_refuses(request):
    raise ServicePermissionDenied("Only the ASEAN Secretariat opens reporting cycles")


def service_conflict(request):
    state = MemberState.objects.get(code="TH")
    state.version = 3  # what "somebody else" saved
    raise ConflictError(current=state, submitted_version=2)


urlpatterns = [
    path("test/service-refuses", service_refuses),
    path("api/v1/test/service-refuses", service_refuses),
    path("test/conflict", service_conflict),
    path("api/v1/test/conflict", service_conflict),
    path("test/boom", boom),
    path("api/v1/test/boom", boom),
    path("test/forbidden", forbidden),
    *site_urls.urlpatterns,
]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
