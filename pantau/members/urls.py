from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_state_list, name="list"),
    path("<str:code>/", views.member_state_detail, name="detail"),
    path("<str:code>/agencies/<int:pk>/edit/", views.agency_edit, name="agency-edit"),
]
