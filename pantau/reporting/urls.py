from django.urls import include, path

from . import views, views_deadlines, views_whole

app_name = "reporting"

report = "<str:ref_area>/<int:year>/"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("deadlines/", views_deadlines.deadlines, name="deadlines"),
    path("cycles/open/", views.cycle_open, name="cycle-open"),
    path(report, views.report_detail, name="report"),
    path(report + "section/<str:numeral>/", views.report_section, name="section"),
    path(report + "whole/", views_whole.whole_report, name="whole"),
    path(report + "whole.pdf", views_whole.whole_report_pdf, name="whole-pdf"),
    path(report + "entries/<str:code>/", views.entry_save, name="entry-save"),
    path(report + "entries/<str:code>/evidence/", views.evidence_add, name="evidence-add"),
    path(
        report + "entries/<str:code>/evidence/<int:pk>/", views.evidence_file, name="evidence-file"
    ),
    path(
        report + "entries/<str:code>/evidence/<int:pk>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path(
        report + "entries/<str:code>/cooperation/",
        views.entry_cooperation,
        name="entry-cooperation",
    ),
    path(report + "transition/", views.report_transition, name="transition"),
    path(
        report + "transition/<str:action>/",
        views.transition_confirm,
        name="transition-confirm",
    ),
    path(report + "correct/", views.report_correct, name="correct"),
    path(report + "comments/", views.comment_add, name="comment-add"),
    path(report + "diff/<int:old>/<int:new>/", views.report_diff, name="diff"),
    # Spreadsheet round-trip (template download, upload, preview, apply).
    path("", include("pantau.reporting.urls_spreadsheet")),
]
