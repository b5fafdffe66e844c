import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import otp, services
from .backends import address_failures, client_address
from .choices import TokenScope
from .models import time_zone_names
from .permissions import can_turn_off_two_factor, grants, requires_two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices)
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("a year"))],
        initial=90,
    )


# The Member States' zones first, then every zone tzdata knows.
ASEAN_TIME_ZONES = [
    ("Asia/Brunei", _("Brunei Darussalam")),
    ("Asia/Phnom_Penh", _("Cambodia")),
    ("Asia/Jakarta", _("Indonesia (western)")),
    ("Asia/Makassar", _("Indonesia (central)")),
    ("Asia/Jayapura", _("Indonesia (eastern)")),
    ("Asia/Vientiane", _("Lao PDR")),
    ("Asia/Kuala_Lumpur", _("Malaysia")),
    ("Asia/Yangon", _("Myanmar")),
    ("Asia/Manila", _("the Philippines")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Bangkok", _("Thailand")),
    ("Asia/Dili", _("Timor-Leste")),
    ("Asia/Ho_Chi_Minh", _("Viet Nam")),
]


def time_zone_choices() -> list:
    return [
        ("", _("The site's: %(zone)s") % {"zone": settings.TIME_ZONE}),
        (
            _("ASEAN Member States"),
            [(zone, f"{zone} ({name})") for zone, name in ASEAN_TIME_ZONES],
        ),
        (_("All time zones"), [(zone, zone) for zone in sorted(time_zone_names())]),
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, required=False)


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def admin_login(request, extra_context=None) -> HttpResponse:
    """The admin's sign-in page is Pantau's: one login, with its lockout and second step."""
    next_url = _safe_next(request, request.GET.get("next"), reverse("admin:index"))
    return redirect_to_login(next_url, login_url=reverse("accounts:login"))


class LoginView(auth_views.LoginView):
    """The password step. Whoever has a confirmed TOTP device is not signed in yet: the
    session only remembers the pending sign-in until the code is given (verify)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if otp.confirmed_device(user) is None:
            return super().form_valid(form)
        otp.start_pending(self.request, user, self.get_success_url())
        return redirect("accounts:2fa-verify")


@never_cache
def two_factor_verify(request) -> HttpResponse:
    """The second step: a code from the device, for a pending sign-in or for a signed-in
    session that must be verified (PANTAU_REQUIRE_2FA)."""
    default = reverse(settings.LOGIN_REDIRECT_URL)
    pending = None
    if request.user.is_authenticated:
        user = request.user
        next_url = _safe_next(request, request.GET.get("next"), default)
        if user.is_verified():
            return redirect(next_url)
    else:
        pending = otp.pending(request)
        if pending is None:
            messages.info(request, _("Sign in with your password first."))
            return redirect("accounts:login")
        user, backend, next_url = pending
        next_url = _safe_next(request, next_url, default)
    device = otp.confirmed_device(user)
    if device is None:
        otp.clear_pending(request)
        return redirect("accounts:2fa-setup" if request.user.is_authenticated else "accounts:login")

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = otp.throttled_until(device)
        if until is not None:
            form.add_error(
                "code",
                _("Too many wrong codes: wait until %(time)s, then try again.")
                % {"time": timezone.localtime(until).strftime("%H:%M:%S %Z")},
            )
        elif otp.verify(device, form.cleaned_data["code"]):
            if pending is not None:
                otp.clear_pending(request)
                auth_login(request, user, backend=backend or None)
            django_otp.login(request, device)
            return redirect(next_url)
        else:
            form.add_error("code", _("That code is wrong or has expired."))
    return render(
        request,
        "accounts/2fa_verify.html",
        {"form": form, "pending_user": user if pending else None},
    )


@never_cache
@login_required
def two_factor_setup(request) -> HttpResponse:
    """Show a new secret (otpauth URI and QR code) and turn it on when a first code matches.
    The secret stays in the session until then: nothing is stored before it is proven."""
    next_url = _safe_next(
        request, request.GET.get("next") or request.POST.get("next"), reverse("accounts:profile")
    )
    if otp.confirmed_device(request.user) is not None:
        messages.info(request, _("Two-factor authentication is already on for your account."))
        return redirect("accounts:profile")
    key = request.session.get(otp.SETUP_KEY)
    if not key:
        key = request.session[otp.SETUP_KEY] = otp.new_key()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = otp.check_first_code(key, form.cleaned_data["code"])
        if step is not None:
            device = services.add_totp_device(
                acting_user=request.user, user=request.user, key=key, last_t=step
            )
            del request.session[otp.SETUP_KEY]
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(next_url)
        form.add_error("code", _("That code does not match: check the time on your phone."))
    uri = otp.provisioning_uri(request.user, key)
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "uri": uri,
            "qr": otp.qr_svg(uri),
            "secret": otp.grouped(otp.base32_secret(key)),
            "required": requires_two_factor(request.user),
            "next": next_url,
        },
    )


@login_required
@require_POST
def two_factor_disable(request) -> HttpResponse:
    """Turn the second factor off (for whom it is optional), proving it with a code."""
    if not can_turn_off_two_factor(request.user):
        raise PermissionDenied("Your roles require two-factor authentication")
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect("accounts:profile")
    form = CodeForm(request.POST)
    if not (form.is_valid() and otp.verify(device, form.cleaned_data["code"])):
        messages.error(request, _("Two-factor authentication is still on: that code is wrong."))
        return redirect("accounts:profile")
    services.remove_totp_devices(acting_user=request.user, user=request.user)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:profile")


def _profile(request, *, token_form=None, new_key=None, new_token=None, time_zone_form=None):
    assignments = request.user.role_assignments.select_related("member_state", "working_group")
    tokens = request.user.api_tokens.order_by("-created_at")
    response = render(
        request,
        "accounts/profile.html",
        {
            "assignments": assignments,
            "tokens": tokens,
            "grants": grants(request.user),
            "token_form": token_form or TokenForm(),
            "new_key": new_key,
            "new_token": new_token,
            "two_factor_on": otp.confirmed_device(request.user) is not None,
            "two_factor_required": requires_two_factor(request.user),
            "code_form": CodeForm(),
            "time_zone_form": time_zone_form
            or TimeZoneForm(initial={"time_zone": request.user.time_zone}),
            "current_time_zone": timezone.get_current_timezone_name(),
        },
    )
    return response


@never_cache
@login_required
def profile(request) -> HttpResponse:
    return _profile(request)


@never_cache
@login_required
@require_POST
def token_create(request) -> HttpResponse:
    """Issue a token for oneself; its secret is in this one answer and never again."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, token_form=form)
    token, key = services.issue_token(
        acting_user=request.user,
        user=request.user,
        name=form.cleaned_data["name"] or "profile page",
        days=form.cleaned_data["days"],
        scope=form.cleaned_data["scope"],
    )
    return _profile(request, new_key=key, new_token=token)


@never_cache
@login_required
@require_POST
def time_zone(request) -> HttpResponse:
    """Choose the zone pages show one's times in (empty: the site's)."""
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return _profile(request, time_zone_form=form)
    services.set_time_zone(
        acting_user=request.user, user=request.user, time_zone=form.cleaned_data["time_zone"]
    )
    messages.success(
        request,
        _("Times are now shown in %(zone)s.")
        % {"zone": form.cleaned_data["time_zone"] or settings.TIME_ZONE},
    )
    return redirect(reverse("accounts:profile") + "#time-zone")


@login_required
@require_POST
def token_revoke(request, pk: int) -> HttpResponse:
    # Only one's own tokens: anybody else's answers 404, like a token that does not exist.
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_token(acting_user=request.user, token=token)
    messages.success(request, _("Token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("accounts:profile")


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer once a username and address, or an address whatever the
    usernames, have failed too often (429)."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    return render(
        request,
        "accounts/lockout.html",
        {
            "username": get_client_username(request, credentials) or "",
            "whole_address": address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT,
            "minutes": int(cool_off.total_seconds() // 60) if cool_off else 0,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- forgotten passwords -----------------------------------------------------------------------
# Django's views, in Pantau's layout. The request goes through a rate-limited service that
# sends the e-mail in the background; the answer never says whether an account has that
# address. The link only sets the password: the user then signs in as usual, second factor
# included, and every other session of theirs has ended.


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        try:
            services.request_password_reset(
                acting_user=self.request.user,
                email=form.cleaned_data["email"],
                client_address=client_address(self.request) or "",
                domain=self.request.get_host(),
                use_https=self.request.is_secure(),
            )
        except services.TooManyResetRequests:
            return render(
                self.request,
                "accounts/password_reset_limited.html",
                {"minutes": settings.PANTAU_PASSWORD_RESET_WINDOW // 60},
                status=429,
            )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class NewPasswordForm(SetPasswordForm):
    """Django's form (the password validators, the two fields), saving through the service."""

    def save(self, commit: bool = True):
        services.reset_password(
            acting_user=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False  # the user signs in, with the second factor if they have one


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
