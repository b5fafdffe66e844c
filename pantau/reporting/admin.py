from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

from .models import CountryReport, ReportingCycle, ReportTransition


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ReadOnlyAdmin):
    list_display = ["year", "plan", "deadline", "is_demo"]


@admin.register(CountryReport)
class CountryReportAdmin(ReadOnlyAdmin):
    """Read-only, and scoped like every other view: an administrator role does not open
    other countries' drafts here any more than on the report pages."""

    list_display = ["member_state", "cycle", "version", "status", "updated_at"]
    list_filter = ["status", "cycle__year"]

    def get_queryset(self, request):
        return CountryReport.objects.restrict(request.user).select_related("member_state", "cycle")


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "actor_label", "at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(report__in=CountryReport.objects.restrict(request.user))
        )
