"""The portal's cooperation events: the events marked public, exactly what an anonymous
visitor may see (`Event.objects.restrict` of the anonymous user), whoever is signed in."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Sum
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pantau.cooperation.choices import EventKind
from pantau.cooperation.models import Event


@require_safe
def events(request):
    public = (
        Event.objects.restrict(AnonymousUser())
        .select_related("organiser", "country")
        .prefetch_related("activities")
        .annotate(n_participants=Sum(F("participants__female") + F("participants__male")))
        .order_by("-start_date", "id")
    )
    kind = request.GET.get("kind", "")
    if kind in EventKind.values:
        public = public.filter(kind=kind)
    return render(
        request,
        "portal/events.html",
        {"events": list(public), "kinds": EventKind.choices, "kind": kind},
    )
