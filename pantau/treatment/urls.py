from django.urls import path

from . import views

app_name = "treatment"
urlpatterns = [
    path("", views.home, name="home"),
    path("episodes/<int:pk>/", views.episode, name="episode"),
    path("feed/", views.feed, name="feed"),
]
