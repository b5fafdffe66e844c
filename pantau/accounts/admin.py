from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.core.admin_mixins import ReadOnlyAdmin

from . import services, views
from .models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Accounts are created with `pantau` commands and services so that each is audited."""

    list_display = ["username", "display_name", "email", "is_active", "is_demo", "last_login"]
    list_filter = ["is_active", "is_demo", "role_assignments__role"]
    search_fields = ["username", "display_name", "email"]
    exclude = ["password"]
    inlines = [RoleAssignmentInline]
    actions = ["remove_two_factor"]

    @admin.action(description="Remove two-factor devices (a lost phone: they set up a new one)")
    def remove_two_factor(self, request, queryset):
        removed = sum(
            services.remove_totp_devices(acting_user=request.user, user=user) for user in queryset
        )
        self.message_user(request, f"{removed} device(s) removed.")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["key_hash"]


# The admin signs in through Pantau's login page (lockout, then the second factor), not its
# own form, which would sign a device holder in with the password alone.
admin.site.login = views.admin_login  # type: ignore[method-assign]

# django-otp's own admin edits devices and shows their secret keys: replace it with a list
# that shows neither (devices are added by their owner and removed through services).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count"]
