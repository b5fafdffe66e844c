from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.programme_new, name="programme-new"),
    path("<int:pk>/", views.programme, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<int:pk>/transition/", views.programme_transition, name="programme-transition"),
    path("services/new/", views.service_new, name="service-new"),
    path("services/<int:pk>/", views.service, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
    path("services/<int:pk>/transition/", views.service_transition, name="service-transition"),
]
