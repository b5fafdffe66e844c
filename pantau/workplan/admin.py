from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

from .models import Activity, Component, ReviewMilestone, Section, WorkingGroup, WorkPlan


@admin.register(WorkPlan)
class WorkPlanAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "period_start", "period_end", "predecessor"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "numeral", "title", "working_group"]
    list_filter = ["plan"]


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "section", "text"]
    list_filter = ["plan", "section__working_group"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["plan", "code", "heading", "text", "is_reportable"]
    list_filter = ["plan", "is_reportable"]
    search_fields = ["code", "text"]


@admin.register(ReviewMilestone)
class ReviewMilestoneAdmin(ReadOnlyAdmin):
    list_display = ["plan", "year", "kind", "conducted_by", "assisted_by"]
