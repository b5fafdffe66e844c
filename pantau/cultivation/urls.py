from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("", views.home, name="home"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/areas/", views.survey_areas, name="survey-areas"),
    path("surveys/<int:pk>/<str:action>/", views.survey_transition, name="survey-transition"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("boundaries/<int:pk>/", views.boundary_detail, name="boundary-detail"),
]
