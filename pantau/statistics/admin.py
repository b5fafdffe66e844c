from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

from .models import Code, Codelist, DataImport, Indicator, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "factor", "is_canonical"]
    list_filter = ["kind"]


class CodeInline(admin.TabularInline):
    model = Code
    fk_name = "codelist"
    fields = ["code", "name", "parent", "order"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Codelist)
class CodelistAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    inlines = [CodeInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "group", "unit_kinds", "aggregation"]
    list_filter = ["group"]


@admin.register(DataImport)
class DataImportAdmin(ReadOnlyAdmin):
    """Imports of every Member State: administrators only (the admin is theirs)."""

    list_display = ["file_name", "uploaded_by_label", "created_at", "status", "dry_run"]
    list_filter = ["status", "dry_run", "publish"]
