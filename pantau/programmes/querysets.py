"""Reads of programmes and services, always from the restricted querysets; an entry the user
may not see answers 404 like one that does not exist."""

from django.shortcuts import get_object_or_404

from .models import NationalProgramme, Service


def programmes_for(user):
    return (
        NationalProgramme.objects.restrict(user)
        .select_related("member_state")
        .prefetch_related("groups")
    )


def services_for(user):
    return (
        Service.objects.restrict(user)
        .select_related("member_state", "programme")
        .prefetch_related("groups")
    )


def filtered(queryset, *, ref_area: str = "", group: str = "", status: str = "", kind: str = ""):
    if ref_area:
        code = ref_area.upper()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            return queryset.none()
        queryset = queryset.filter(member_state__code=code)
    if group:
        queryset = queryset.filter(groups__code=group)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def get_programme_or_404(user, pk: int) -> NationalProgramme:
    return get_object_or_404(programmes_for(user), pk=pk)


def get_service_or_404(user, pk: int) -> Service:
    return get_object_or_404(services_for(user), pk=pk)
