from django.urls import path

from . import views

app_name = "workplan"
urlpatterns = [
    path("", views.current_plan, name="current"),
    path("<slug:code>/", views.plan_detail, name="detail"),
]
