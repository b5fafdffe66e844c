from django.urls import path, re_path

from . import views, views_events

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed.atom", views.feed, name="feed"),
    path("data/", views.catalogue, name="catalogue"),
    re_path(
        r"^data/(?P<code>[A-Za-z0-9_]+)\.(?P<suffix>csv|xlsx|sdmx\.xml|sdmx\.csv)$",
        views.download,
        name="download",
    ),
    path("statistics/<slug:code>/", views.indicator, name="indicator"),
    path("workplan/", views.workplan, name="workplan"),
    path("programmes/", views.programmes, name="programmes"),
    re_path(
        r"^programmes/(?P<kind>programmes|services)\.(?P<suffix>csv|xlsx)$",
        views.programmes_download,
        name="programmes-download",
    ),
    path("events/", views_events.events, name="events"),
    re_path(r"^(?P<code>[A-Z]{2})/$", views.country, name="country"),
]
