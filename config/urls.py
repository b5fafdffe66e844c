from django.contrib import admin
from django.urls import include, path

from pantau.site import views as site_views
from pantau.site.api import api

urlpatterns = [
    # First: the API answers the most requests, and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", site_views.home, name="home"),
    path("healthz", site_views.healthz, name="healthz"),
    path("workplan/", include("pantau.reporting.urls_workplan")),
    path("members/", include("pantau.members.urls")),
    path("reporting/", include("pantau.reporting.urls")),
    path("accounts/", include("pantau.accounts.urls")),
    path("audit/", include("pantau.audit.urls")),
    path("narco/", include("pantau.narco.urls")),
    path("clearinghouse/", include("pantau.clearinghouse.urls")),
    path("statistics/findings/", include("pantau.statistics.checks.urls")),
    path("statistics/metadata/", include("pantau.statistics.metadata.urls")),
    path("statistics/", include("pantau.statistics.ingest.urls")),
    path("admin/", admin.site.urls),
]
