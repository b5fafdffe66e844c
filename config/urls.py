from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from pantau.core import views as core_views
from pantau.site import views as site_views
from pantau.site.api import api

urlpatterns = [
    # First: the API and the public portal answer the most requests, and Django tries the
    # patterns in order (each include it passes raises and catches a Resolver404: the portal,
    # last, took ~30 us a request to reach).
    path("api/v1/", api.urls),
    # The public portal in every language: /portal/ in English, /id/portal/ in Bahasa Indonesia.
    *i18n_patterns(path("portal/", include("pantau.portal.urls")), prefix_default_language=False),
    path("", site_views.home, name="home"),
    path("start/", site_views.start, name="start"),
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
    path("analytics/", include("pantau.analytics.urls")),
    path("statistics/", include("pantau.statistics.read.urls")),
    path("reviews/", include("pantau.reviews.urls")),
    path("calendar/", include("pantau.reporting.urls_calendar")),
    path("treatment/", include("pantau.treatment.urls")),
    path("programmes/", include("pantau.programmes.urls")),
    path("cooperation/", include("pantau.cooperation.urls")),
    path("cultivation/", include("pantau.cultivation.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switcher
]


# Pages get the site's 403/404/500 pages, the API JSON (pantau.core.views).
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
