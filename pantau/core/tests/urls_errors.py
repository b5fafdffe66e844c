"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config import urls as site_urls


def boom(request):
    raise RuntimeError("secret detail that must not reach the client")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test/boom", boom),
    path("api/v1/test/boom", boom),
    path("test/forbidden", forbidden),
    *site_urls.urlpatterns,
]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
