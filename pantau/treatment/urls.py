from django.urls import path

from . import views

app_name = "treatment"
urlpatterns = [
    path("", views.home, name="home"),
    path("episodes/<int:pk>/", views.episode, name="episode"),
    path("feed/", views.feed, name="feed"),
    path("import/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("export/", views.export, name="export"),
]
