"""Spreadsheet round-trip URLs: XLSX template download, upload with preview, apply."""

from django.urls import path

from . import views_spreadsheet

report = "<str:ref_area>/<int:year>/"
urlpatterns = [
    path(report + "xlsx/", views_spreadsheet.download_template, name="xlsx-template"),
    path(report + "upload/", views_spreadsheet.upload, name="xlsx-upload"),
    path(report + "upload/<int:pk>/", views_spreadsheet.upload_preview, name="xlsx-preview"),
    path(report + "upload/<int:pk>/apply/", views_spreadsheet.upload_apply, name="xlsx-apply"),
]
