from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("entry/", views.entry_index, name="entry-index"),
    path("entry/<str:ref_area>/<int:year>/<str:group>/", views.entry_form, name="entry"),
]
