from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/documents/", views.document_add, name="document-add"),
    path("events/<int:pk>/documents/<int:doc>/", views.document_file, name="document"),
    path("funding/", views.funding_totals, name="funding"),
]
