"""The ASEAN-NARCO pages, for its officers only.

Anonymous visitors are sent to sign in; every other user gets 404 on every page, so the
module reveals nothing of itself. Records come from `services`, which audit each read, and
records not shared with the officer answer 404 exactly like records that do not exist."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from pantau.core.exceptions import ConflictError

from . import services
from .forms import PersonForm, SearchForm, SyndicateForm, WatchEntryForm
from .models import Person, SearchHit, Syndicate, WatchListEntry
from .permissions import can_edit_record, is_officer, officer_states
from .querysets import access_events

MODELS = {"persons": Person, "syndicates": Syndicate, "watch": WatchListEntry}


def officer_required(view):
    """Sign-in first; then officers only, and 404 (not 403) for everybody else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_officer(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _own_state(request) -> str:
    return sorted(officer_states(request.user))[0]


def _mark_overdue(rows: list) -> list:
    today = timezone.localdate()
    for r in rows:
        r.overdue = r.archived_at is not None or r.review_date < today
    return rows


@officer_required
def home(request):
    own = {
        "persons": services.list_records(acting_user=request.user, model=Person, own_only=True),
        "syndicates": services.list_records(
            acting_user=request.user, model=Syndicate, own_only=True
        ),
        "watch": services.list_records(
            acting_user=request.user, model=WatchListEntry, own_only=True
        ),
    }
    for rows in own.values():
        _mark_overdue(rows)
    return render(
        request,
        "narco/home.html",
        {"own": own, "state": _own_state(request), "search_form": SearchForm()},
    )


@officer_required
def search(request):
    form = SearchForm(request.GET or None)
    result = None
    if form.is_valid():
        try:
            result = services.search(acting_user=request.user, query=form.cleaned_data["name"])
        except services.NarcoValidationError as exc:
            for problem in exc.problems:
                form.add_error("name", problem.removeprefix("name: "))
    return render(request, "narco/search.html", {"form": form, "result": result})


@officer_required
def record_list(request, kind: str):
    model = MODELS[kind]
    rows = services.list_records(acting_user=request.user, model=model)
    return render(request, f"narco/{kind}_list.html", {"rows": rows})


# --- Persons ----------------------------------------------------------------------------------


def _person_page(request, pk: int, watch_form: WatchEntryForm | None = None, status: int = 200):
    person = services.read_record(acting_user=request.user, model=Person, pk=pk)
    syndicates = services.list_records(acting_user=request.user, model=Syndicate, members=person)
    watch = services.list_records(acting_user=request.user, model=WatchListEntry, person=person)
    return render(
        request,
        "narco/person_detail.html",
        {
            "person": person,
            "syndicates": syndicates,
            "watch": _mark_overdue(watch),
            "can_edit": can_edit_record(request.user, person),
            "overdue": _mark_overdue([person])[0].overdue,
            "watch_form": watch_form or WatchEntryForm(),
            "watch_url": reverse("narco:person-watch", args=[person.pk]),
        },
        status=status,
    )


@officer_required
def person_detail(request, pk: int):
    return _person_page(request, pk)


@officer_required
def person_create(request):
    return _record_create(request, PERSONS)


@officer_required
def person_edit(request, pk: int):
    return _record_edit(request, pk, PERSONS)


# --- Syndicates -------------------------------------------------------------------------------


def _syndicate_page(request, pk: int, watch_form: WatchEntryForm | None = None, status: int = 200):
    syndicate = services.read_record(acting_user=request.user, model=Syndicate, pk=pk)
    members = services.list_records(acting_user=request.user, model=Person, syndicates=syndicate)
    watch = services.list_records(
        acting_user=request.user, model=WatchListEntry, syndicate=syndicate
    )
    return render(
        request,
        "narco/syndicate_detail.html",
        {
            "syndicate": syndicate,
            "members": members,
            "watch": _mark_overdue(watch),
            "can_edit": can_edit_record(request.user, syndicate),
            "overdue": _mark_overdue([syndicate])[0].overdue,
            "watch_form": watch_form or WatchEntryForm(),
            "watch_url": reverse("narco:syndicate-watch", args=[syndicate.pk]),
        },
        status=status,
    )


@officer_required
def syndicate_detail(request, pk: int):
    return _syndicate_page(request, pk)


@officer_required
def syndicate_create(request):
    return _record_create(request, SYNDICATES)


@officer_required
def syndicate_edit(request, pk: int):
    return _record_edit(request, pk, SYNDICATES)


# --- Creating and editing a person or a syndicate ---------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What tells the person pages from the syndicate pages: the rest is the same."""

    name: str  # "person", "syndicate": the template's variable and the service's argument
    model: Any  # Person or Syndicate
    form: type
    create: Callable
    update: Callable
    initial: Callable  # record -> the edit form's initial values
    recorded: str  # messages (translated when shown), with %(id)s
    saved: str


PERSONS = _Kind(
    name="person",
    model=Person,
    form=PersonForm,
    create=services.create_person,
    update=services.update_person,
    initial=PersonForm.initial_from,
    recorded=gettext_noop("Recorded person #%(id)s."),
    saved=gettext_noop("Saved person #%(id)s."),
)
SYNDICATES = _Kind(
    name="syndicate",
    model=Syndicate,
    form=SyndicateForm,
    create=services.create_syndicate,
    update=services.update_syndicate,
    initial=lambda s: SyndicateForm.initial_from(s, list(s.members.values_list("pk", flat=True))),
    recorded=gettext_noop("Recorded syndicate #%(id)s."),
    saved=gettext_noop("Saved syndicate #%(id)s."),
)


def _record_create(request, kind: _Kind):
    form = kind.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = kind.create(acting_user=request.user, **form.service_kwargs())
        except services.NarcoValidationError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _(kind.recorded) % {"id": record.pk})
            return redirect(f"narco:{kind.name}-detail", pk=record.pk)
    return render(request, f"narco/{kind.name}_form.html", {"form": form, kind.name: None})


def _record_edit(request, pk: int, kind: _Kind):
    # Partners' records (and records not shared at all) answer 404 here.
    editable = get_object_or_404(kind.model.objects.restrict(request.user, "change"), pk=pk)
    conflict = None
    if request.method == "POST":
        form = kind.form(request.POST, editing=True)
        if form.is_valid():
            try:
                record = kind.update(
                    acting_user=request.user,
                    version=form.cleaned_data["version"],
                    **{kind.name: editable},
                    **form.service_kwargs(),
                )
            except ConflictError as exc:
                conflict = exc.current
                messages.error(request, str(exc))
            except services.NarcoValidationError as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, _(kind.saved) % {"id": record.pk})
                return redirect(f"narco:{kind.name}-detail", pk=record.pk)
        record = editable
    else:
        record = services.read_record(acting_user=request.user, model=kind.model, pk=pk)
        form = kind.form(initial=kind.initial(record), editing=True)
    return render(
        request,
        f"narco/{kind.name}_form.html",
        {"form": form, kind.name: record, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- Watch-list entries and review ------------------------------------------------------------


@officer_required
@require_POST
def watch_add(request, kind: str, pk: int):
    model = MODELS[kind]
    linked = get_object_or_404(model.objects.restrict(request.user), pk=pk)
    form = WatchEntryForm(request.POST)
    page = _person_page if kind == "persons" else _syndicate_page
    if form.is_valid():
        try:
            services.add_watch_entry(
                acting_user=request.user,
                **{"person" if kind == "persons" else "syndicate": linked},
                **form.service_kwargs(),
            )
        except services.NarcoValidationError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Watch-list entry added."))
            return redirect(f"narco:{kind.removesuffix('s')}-detail", pk=pk)
    return page(request, pk, watch_form=form, status=400)


@officer_required
@require_POST
def confirm(request, kind: str, pk: int):
    """The originator confirms a record is still needed: a new review date, out of the archive."""
    model = MODELS[kind]
    obj = get_object_or_404(
        model.objects.restrict(request.user, "change").select_related("originator"), pk=pk
    )
    obj = services.confirm_record(acting_user=request.user, obj=obj)
    messages.success(
        request,
        _("Confirmed %(record)s: next review by %(date)s.")
        % {"record": obj, "date": obj.review_date.isoformat()},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("narco:home")
    return redirect(target)


# --- Hits and access --------------------------------------------------------------------------


@officer_required
def hits(request):
    """Partners' searches that matched our records (they learned nothing of them)."""
    rows = (
        SearchHit.objects.filter(originator__code__in=officer_states(request.user))
        .select_related("searcher_state")
        .order_by("-at", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "narco/hits.html", {"page": page})


@officer_required
def access(request):
    """Who read or changed our state's records, when and from where."""
    events = access_events(request.user).order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "narco/access.html", {"page": page, "state": _own_state(request)})
