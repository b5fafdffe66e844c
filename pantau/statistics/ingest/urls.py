from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/guide/", views.import_guide, name="import-guide"),
    path("import/codes/", views.import_codes, name="import-codes"),
    path("import/template.<str:fmt>", views.import_template, name="import-template"),
    path("entry/", views.entry_index, name="entry-index"),
    path("entry/<str:ref_area>/<int:year>/<str:group>/", views.entry_form, name="entry"),
]
