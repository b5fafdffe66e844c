from django.urls import path

from . import views

app_name = "clearinghouse"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("submit/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file", views.download, name="file"),
    path("<int:pk>/moderate/", views.moderate, name="moderate"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
]
