from django.urls import path

from . import views

app_name = "narco"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("hits/", views.hits, name="hits"),
    path("access/", views.access, name="access"),
    path("persons/", views.record_list, {"kind": "persons"}, name="person-list"),
    path("persons/new/", views.person_create, name="person-create"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/confirm/", views.confirm, {"kind": "persons"}, name="person-confirm"),
    path("persons/<int:pk>/watch/", views.watch_add, {"kind": "persons"}, name="person-watch"),
    path("syndicates/", views.record_list, {"kind": "syndicates"}, name="syndicate-list"),
    path("syndicates/new/", views.syndicate_create, name="syndicate-create"),
    path("syndicates/<int:pk>/", views.syndicate_detail, name="syndicate-detail"),
    path("syndicates/<int:pk>/edit/", views.syndicate_edit, name="syndicate-edit"),
    path(
        "syndicates/<int:pk>/confirm/",
        views.confirm,
        {"kind": "syndicates"},
        name="syndicate-confirm",
    ),
    path(
        "syndicates/<int:pk>/watch/",
        views.watch_add,
        {"kind": "syndicates"},
        name="syndicate-watch",
    ),
    path("watch/<int:pk>/confirm/", views.confirm, {"kind": "watch"}, name="watch-confirm"),
]
