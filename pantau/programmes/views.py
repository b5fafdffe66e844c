"""The pages where a Member State's focal points write its programmes and services and its
approver publishes them. Every read starts from the restricted querysets (an entry the user
may not see is a 404); every write goes through `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import ConflictError

from . import permissions, querysets, services
from .choices import PublicationStatus
from .forms import ProgrammeForm, ServiceForm
from .models import NationalProgramme, Service

KINDS = {
    "programme": (
        NationalProgramme,
        ProgrammeForm,
        services.PROGRAMME_FIELDS,
        querysets.get_programme_or_404,
    ),
    "service": (Service, ServiceForm, services.SERVICE_FIELDS, querysets.get_service_or_404),
}


@login_required
def index(request):
    """The user's own Member States' programmes and services, every status (the Secretariat:
    every Member State's)."""
    states = permissions.editable_states(request.user)
    programmes = querysets.programmes_for(request.user)
    offered = querysets.services_for(request.user)
    if states:
        programmes = programmes.filter(member_state__code__in=states)
        offered = offered.filter(member_state__code__in=states)
    elif not permissions.sees_all(request.user):
        programmes, offered = programmes.none(), offered.none()
    status = request.GET.get("status", "")
    if status in PublicationStatus.values:
        programmes, offered = programmes.filter(status=status), offered.filter(status=status)
    return render(
        request,
        "programmes/index.html",
        {
            "programmes": programmes,
            "services": offered,
            "states": sorted(states),
            "can_write": bool(states),
            "statuses": PublicationStatus.choices,
            "status": status,
        },
    )


def _detail(request, kind: str, pk: int):
    get = KINDS[kind][3]
    entry = get(request.user, pk)
    return render(
        request,
        "programmes/detail.html",
        {
            "kind": kind,
            "entry": entry,
            "can_edit": permissions.can_edit(request.user, entry),
            "transitions": permissions.allowed_transitions(request.user, entry),
            "is_editor": permissions.can_create_for(request.user, entry.member_state.code),
        },
    )


def _form_page(request, kind: str, pk: int | None):
    _model, form_class, fields, get = KINDS[kind]
    states = permissions.editable_states(request.user)
    entry = get(request.user, pk) if pk is not None else None
    if entry is None and not states:
        raise DjangoPermissionDenied(
            _("Only a Member State's focal points and approver write its entries.")
        )
    if entry is not None and not permissions.can_edit(request.user, entry):
        raise DjangoPermissionDenied(_("Only a draft of your own Member State is edited."))
    initial = None
    if entry is not None:
        initial = {f: getattr(entry, f) for f in fields} | {
            "groups": entry.group_codes,
            "version": entry.version,
        }
        if kind == "service":
            initial["programme"] = getattr(entry, "programme_id", None)
        states = frozenset({entry.member_state.code})
    form = form_class(
        request.POST or None, initial=initial, states=states, editing=entry is not None
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        state = data.pop("member_state", None)
        if kind == "service":
            chosen = data.get("programme")
            data["programme"] = chosen.pk if chosen else None
        data = {
            k: ("" if v is None and k not in ("period_start", "period_end", "programme") else v)
            for k, v in data.items()
        }
        try:
            if entry is None:
                create = (
                    services.create_programme if kind == "programme" else services.create_service
                )
                entry = create(acting_user=request.user, member_state=state.code, **data)
                messages.success(request, _("Draft saved. The national approver publishes it."))
            else:
                edited = version if version is not None else entry.version
                if isinstance(entry, NationalProgramme):
                    entry = services.update_programme(
                        acting_user=request.user, programme=entry, version=edited, **data
                    )
                else:
                    assert isinstance(entry, Service)
                    entry = services.update_service(
                        acting_user=request.user, service=entry, version=edited, **data
                    )
                messages.success(request, _("Draft saved."))
        except services.InvalidEntry as exc:
            for name, problem in exc.problems.items():
                form.add_error(name if name in form.fields else None, problem)
        except ConflictError as exc:
            form.add_error(
                None,
                _(
                    "Somebody else saved this entry meanwhile (now version %(version)s). "
                    "Open it again to see their changes; nothing of yours was saved."
                )
                % {"version": exc.current.version},
            )
        else:
            return redirect(f"programmes:{kind}", entry.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/form.html",
        {"kind": kind, "entry": entry, "form": form},
        status=status,
    )


@require_POST
@login_required
def _transition(request, kind: str, pk: int):
    get = KINDS[kind][3]
    entry = get(request.user, pk)
    if not permissions.can_create_for(request.user, entry.member_state.code):
        raise DjangoPermissionDenied(
            _("Only the Member State's focal points and approver act on it.")
        )
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        services.transition(
            acting_user=request.user,
            entry=entry,
            action=request.POST.get("action", ""),
            version=version,
        )
    except services.InvalidEntry as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Done: the entry is now %(status)s.")
            % {"status": type(entry).objects.get(pk=entry.pk).get_status_display().lower()},
        )
    return redirect(f"programmes:{kind}", entry.pk)


@login_required
def programme(request, pk: int):
    return _detail(request, "programme", pk)


@login_required
def programme_new(request):
    return _form_page(request, "programme", None)


@login_required
def programme_edit(request, pk: int):
    return _form_page(request, "programme", pk)


def programme_transition(request, pk: int):
    return _transition(request, "programme", pk)


@login_required
def service(request, pk: int):
    return _detail(request, "service", pk)


@login_required
def service_new(request):
    return _form_page(request, "service", None)


@login_required
def service_edit(request, pk: int):
    return _form_page(request, "service", pk)


def service_transition(request, pk: int):
    return _transition(request, "service", pk)
