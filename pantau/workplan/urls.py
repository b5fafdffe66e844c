from django.urls import path

from pantau.reporting import views_exports, views_workplan

from . import views

app_name = "workplan"
urlpatterns = [
    path("", views.current_plan, name="current"),
    path("<slug:code>/", views.plan_detail, name="detail"),
    # The filled Work Plan (reporting): drill-down per country and heat map.
    path(
        "<slug:code>/status/<int:year>/<str:activity>/",
        views_workplan.activity_status,
        name="activity-status",
    ),
    path("<slug:code>/heatmap/<int:year>/", views_workplan.heatmap, name="heatmap"),
    path("<slug:code>/status/<int:year>.xlsx", views_exports.status_xlsx, name="status-xlsx"),
    path("<slug:code>/status/<int:year>.pdf", views_exports.status_pdf, name="status-pdf"),
]
