from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/texts", views.review_texts, name="texts"),
    path("<int:pk>/build", views.review_build, name="build"),
    path("<int:pk>/progress", views.review_progress, name="progress"),
    path("<int:pk>/transition", views.review_transition, name="transition"),
    path("<int:pk>/v<int:version>/<str:fmt>", views.review_file, name="file"),
]
