from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("", views.home, name="home"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("boundaries/<int:pk>/", views.boundary_detail, name="boundary-detail"),
]
