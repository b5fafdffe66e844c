from django.urls import path

from . import views as views_findings

app_name = "statistics_findings"
urlpatterns = [
    path("", views_findings.finding_list, name="list"),
]
