from django.urls import path

from . import views

app_name = "statistics_metadata"
urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/<str:indicator>/", views.indicator_edit, name="indicator"),
    path("codelists/<str:codelist>/", views.codelist_detail, name="codelist"),
    path("codelists/<str:codelist>/codes/<str:code>/", views.code_edit, name="code"),
    path(
        "codelists/<str:codelist>/codes/<str:code>/delete/",
        views.code_delete,
        name="code-delete",
    ),
    path("units/<str:unit>/", views.unit_edit, name="unit"),
    path("structure.xml", views.structure_export, name="structure-export"),
    path("structure/import/", views.structure_import, name="structure-import"),
]
