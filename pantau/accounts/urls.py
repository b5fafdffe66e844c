from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("2fa/setup/", views.two_factor_setup, name="2fa-setup"),
    path("2fa/verify/", views.two_factor_verify, name="2fa-verify"),
    path("2fa/disable/", views.two_factor_disable, name="2fa-disable"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
