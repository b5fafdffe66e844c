"""The statistics people read, under /statistics/ (the entry and import pages share the
prefix: pantau.statistics.ingest.urls)."""

from django.urls import path

from . import views

app_name = "statistics_read"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("areas/<str:ref_area>/<int:year>/", views.area_year, name="area-year"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
]
