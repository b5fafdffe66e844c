from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .permissions import grants


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    assignments = request.user.role_assignments.select_related("member_state", "working_group")
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {"assignments": assignments, "tokens": tokens, "grants": grants(request.user)},
    )
