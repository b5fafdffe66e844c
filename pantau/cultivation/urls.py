from django.urls import path

from . import views, views_ad

app_name = "cultivation"
urlpatterns = [
    path("", views.home, name="home"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/areas/", views.survey_areas, name="survey-areas"),
    path("surveys/<int:pk>/file/", views.survey_file, name="survey-file"),
    path("surveys/<int:pk>/<str:action>/", views.survey_transition, name="survey-transition"),
    path("programmes/", views_ad.programmes, name="programmes"),
    path("programmes/<int:pk>/", views_ad.programme_detail, name="programme"),
    path(
        "programmes/<int:pk>/<str:action>/",
        views_ad.programme_action,
        name="programme-action",
    ),
    path("questionnaire.xlsx", views_ad.questionnaire, name="questionnaire"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("boundaries/<int:pk>/", views.boundary_detail, name="boundary-detail"),
]
