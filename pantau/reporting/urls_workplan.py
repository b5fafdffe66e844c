"""The Work Plan's pages, under /workplan/: the plan itself (workplan.views) and, filled from the
approved country reports, its implementation status, drill-down, heat map and exports. Owned by
reporting, so that workplan knows nothing of the reports."""

from django.urls import path

from pantau.workplan import views as workplan_views

from . import views_exports, views_workplan

app_name = "workplan"
urlpatterns = [
    path("", workplan_views.current_plan, name="current"),
    path("<slug:code>/", views_workplan.plan_detail, name="detail"),
    path(
        "<slug:code>/status/<int:year>/<str:activity>/",
        views_workplan.activity_status,
        name="activity-status",
    ),
    path("<slug:code>/heatmap/<int:year>/", views_workplan.heatmap, name="heatmap"),
    path("<slug:code>/status/<int:year>.xlsx", views_exports.status_xlsx, name="status-xlsx"),
    path("<slug:code>/status/<int:year>.pdf", views_exports.status_pdf, name="status-pdf"),
]
