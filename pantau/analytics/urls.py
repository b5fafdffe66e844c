from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.explore_page, name="explore"),
    path("compare/", views.compare_page, name="compare"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:target_id>/", views.target_detail, name="target"),
]
