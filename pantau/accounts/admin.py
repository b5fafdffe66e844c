from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["key_hash"]
