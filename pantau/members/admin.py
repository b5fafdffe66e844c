from django.contrib import admin

from pantau.core.admin_mixins import ReadOnlyAdmin

from .models import Agency, MemberState, Partner, Region


@admin.register(MemberState)
class MemberStateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "joined_on", "left_on"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["member_state", "name", "acronym", "is_lead", "version"]
    list_filter = ["member_state"]


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
