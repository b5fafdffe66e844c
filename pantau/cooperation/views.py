"""Signed-in pages of cooperation: events (list, detail with documents, record, edit) and the
funding totals. Every page starts from the restricted querysets: an event the visitor may not
see is 404; one they see but may not edit is 403 on its edit page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Sum
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState

from . import permissions, services, totals
from .choices import EventKind
from .forms import DocumentForm, EventForm
from .models import Event


def _events(user):
    return (
        Event.objects.restrict(user)
        .select_related("organiser", "country")
        .annotate(n_participants=Sum(F("participants__female") + F("participants__male")))
    )


def _organisers(user) -> list[tuple[str, str]]:
    """Whom the user may record events for: their own states, and the Secretariat."""
    from pantau.accounts.choices import Role
    from pantau.accounts.permissions import has_role

    states = MemberState.objects.order_by("name")
    if has_role(user, Role.SECRETARIAT):
        return [("", _("ASEAN Secretariat"))] + [(s.code, s.name) for s in states]
    own = permissions.own_states(user)
    return [(s.code, s.name) for s in states if s.code in own]


@login_required
def event_list(request):
    events = _events(request.user).order_by("-start_date", "id")
    kind = request.GET.get("kind", "")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    year = request.GET.get("year", "")
    if year.isdigit():
        events = events.filter(start_date__year=int(year))
    return render(
        request,
        "cooperation/event_list.html",
        {
            "events": list(events),
            "kinds": EventKind.choices,
            "kind": kind,
            "year": year,
            "can_record": bool(_organisers(request.user)),
        },
    )


@login_required
def event_detail(request, pk: int):
    event = get_object_or_404(
        _events(request.user).prefetch_related(
            "partners", "activities", "participants__member_state", "documents"
        ),
        pk=pk,
    )
    editable = permissions.can_edit_event(request.user, event)
    return render(
        request,
        "cooperation/event_detail.html",
        {
            "event": event,
            "editable": editable,
            "document_form": DocumentForm() if editable else None,
            "participants": list(event.participants.all()),
            "documents": list(event.documents.all()),
        },
    )


def _form_page(request, form, event=None, status=200):
    return render(
        request, "cooperation/event_form.html", {"form": form, "event": event}, status=status
    )


@login_required
def event_create(request):
    organisers = _organisers(request.user)
    if not organisers:
        raise PermissionDenied(_("Only focal points, approvers and the Secretariat record events"))
    form = EventForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(acting_user=request.user, **form.values())
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Event recorded."))
            return redirect("cooperation:event", pk=event.pk)
    return _form_page(request, form, status=400 if form.errors else 200)


@login_required
def event_edit(request, pk: int):
    event = get_object_or_404(
        Event.objects.restrict(request.user).select_related("organiser"), pk=pk
    )
    if not permissions.can_edit_event(request.user, event):
        raise PermissionDenied(_("You may edit only your own Member State's events"))
    organiser = event.organiser.code if event.organiser else ""
    organisers = [(organiser, str(event.organiser or _("ASEAN Secretariat")))]
    if request.method == "POST":
        form = EventForm(request.POST, organisers=organisers)
        if form.is_valid():
            values = form.values()
            values.pop("organiser")
            version = request.POST.get("version", "")
            try:
                services.update_event(
                    acting_user=request.user,
                    event=event,
                    version=int(version) if version.isdigit() else 0,
                    **values,
                )
            except ConflictError:
                form.add_error(
                    None,
                    _("Somebody else saved this event while you were editing; reload it."),
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Event saved."))
                return redirect("cooperation:event", pk=event.pk)
        return _form_page(request, form, event, status=400)
    initial = {
        "kind": event.kind,
        "title": event.title,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "organiser": organiser,
        "country": event.country.code if event.country_id else "",
        "city": event.city,
        "online": event.online,
        "activities": ", ".join(event.activities.values_list("code", flat=True)),
        "partners": list(event.partners.values_list("code", flat=True)),
        "outcomes": event.outcomes,
        "is_public": event.is_public,
    }
    for p in event.participants.select_related("member_state"):
        initial[f"p_{p.member_state.code}_female"] = p.female
        initial[f"p_{p.member_state.code}_male"] = p.male
    return _form_page(request, EventForm(initial=initial, organisers=organisers), event)


@login_required
@require_POST
def document_add(request, pk: int):
    event = get_object_or_404(Event.objects.restrict(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_event_document(acting_user=request.user, event=event, **form.cleaned_data)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Document added."))
    else:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
    return redirect("cooperation:event", pk=event.pk)


def document_file(request, pk: int, doc: int):
    """A document is served only to those who may see its event (the public: public ones)."""
    event = get_object_or_404(Event.objects.restrict(request.user), pk=pk)
    document = get_object_or_404(event.documents, pk=doc)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=(document.file.name or "document").rsplit("/", 1)[-1],
    )


@login_required
def funding_totals(request):
    return render(
        request,
        "cooperation/funding.html",
        {
            "by_mechanism": totals.by_mechanism(request.user),
            "by_state": totals.by_member_state(request.user),
            "by_section": totals.by_section(request.user),
            "rates": totals.rates_used(request.user),
        },
    )
