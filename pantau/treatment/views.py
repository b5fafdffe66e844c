"""The treatment pages: centre staff list their centres' episodes and open new ones; the
national treatment coordinator sees the country's entries per year by primary drug and sex.
Everybody else gets 404, so the module reveals nothing."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pantau.core.exceptions import PermissionDenied

from . import exchange, services
from .aggregates import AGE_GROUPS, AGE_LABELS, TOTAL, table
from .choices import (
    CentreType,
    DischargeReason,
    Drug,
    FollowUpOutcome,
    FollowUpPoint,
    PreviouslyTreated,
    Sex,
)
from .forms import DischargeForm, EpisodeForm, EpisodeImportForm, FollowUpForm, ReviewForm
from .models import (
    Centre,
    Episode,
    EpisodeImport,
    FollowUp,
    coordinator_states,
    staff_centre_ids,
)
from .permissions import can_update_episode, sees_unsuppressed, uses_treatment_pages
from .tasks import feed_statistics_task

LIST_LIMIT = 100


def treatment_user_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not uses_treatment_pages(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _dashboard(user, state: str, years: list[int]) -> list[dict]:
    """Entries (persons) per year by primary drug and sex, suppressed unless the user is
    the country's coordinator."""
    suppressed = not sees_unsuppressed(user, state)
    drug_names = dict(Drug.choices)
    out = []
    for year in years:
        cells = {c.key: c for c in table(state, year, ["DRUG", "SEX"], suppressed=suppressed)}
        drugs = [*sorted({k[0] for k in cells if k[0] != TOTAL}), TOTAL]
        rows = []
        for drug in drugs:
            values = []
            for sex in [*Sex.values, TOTAL]:
                c = cells.get((drug, sex))
                values.append("" if c is None else ("x" if c.suppressed else c.persons))
            rows.append({"drug": drug_names.get(drug, _("Total")), "values": values})
        out.append({"year": year, "rows": rows})
    return out


def _bars(rows: list[tuple[str, int]]) -> dict:
    """A horizontal bar chart (SVG drawn by the template) and its data table's rows."""
    top = max((n for _label, n in rows), default=0) or 1
    return {
        "rows": [
            {"label": label, "value": n, "width": round(300 * n / top), "y": i * 22}
            for i, (label, n) in enumerate(rows)
        ],
        "height": 22 * len(rows),
    }


def _monitoring(user, state: str, year: int) -> dict:
    """The coordinator's monitoring of one year (episodes starting in it): persons by age
    group, first-time versus previously treated, retention and completion per centre and
    modality, outcomes at follow-up. Counts under 5 are shown as x unless the user is the
    country's coordinator (the only one who reaches this page today)."""
    suppressed = not sees_unsuppressed(user, state)

    def shown(n: int):
        return "x" if suppressed and 1 <= n < 5 else n

    age_cells = {c.key: c for c in table(state, year, ["AGE"], suppressed=suppressed)}
    ages = [(code, age_cells.get((code,))) for code, _lo, _hi in AGE_GROUPS]
    episodes = list(
        Episode.objects.filter(centre__member_state__code=state, start_date__year=year)
        .select_related("centre")
        .only(
            "centre__name",
            "centre__type",
            "previously_treated",
            "start_date",
            "discharge_date",
            "discharge_reason",
            "primary_drug",
            "is_demo",
        )
    )
    treated = dict(PreviouslyTreated.choices)
    first = [
        (treated[code], sum(1 for e in episodes if e.previously_treated == code))
        for code in PreviouslyTreated.values
    ]
    drugs = dict(Drug.choices)
    by_drug: dict[str, int] = {}
    for e in episodes:
        by_drug[e.primary_drug] = by_drug.get(e.primary_drug, 0) + 1
    centres: dict[int, dict] = {}
    for e in episodes:
        row = centres.setdefault(
            e.centre_id,
            {
                "name": e.centre.name,
                "type": dict(CentreType.choices)[e.centre.type],
                "episodes": 0,
                "discharged": 0,
                "completed": 0,
                "days": [],
            },
        )
        row["episodes"] += 1
        if e.discharge_date:
            row["discharged"] += 1
            row["days"].append((e.discharge_date - e.start_date).days)
            if e.discharge_reason == DischargeReason.COMPLETED:
                row["completed"] += 1
    for row in centres.values():
        days = sorted(row.pop("days"))
        row["median_days"] = days[len(days) // 2] if days else None
        row["completion"] = (
            round(100 * row["completed"] / row["discharged"]) if row["discharged"] else None
        )
    outcomes = dict(FollowUpOutcome.choices)
    follow = FollowUp.objects.filter(
        episode__centre__member_state__code=state, episode__start_date__year=year
    ).values_list("months", "outcome")
    grid = {(m, o): 0 for m in FollowUpPoint.values for o in FollowUpOutcome.values}
    for months, outcome in follow:
        grid[(months, outcome)] += 1
    return {
        "year": year,
        "episodes": len(episodes),
        "illustrative": any(e.is_demo for e in episodes),
        "drug_chart": _bars(
            sorted(((str(drugs.get(k, k)), v) for k, v in by_drug.items()), key=lambda r: -r[1])
        ),
        "ages": [
            {
                "label": AGE_LABELS[code],
                "persons": "" if c is None else ("x" if c.suppressed else c.persons),
            }
            for code, c in ages
        ],
        "first": [(label, shown(n)) for label, n in first],
        "centres": sorted(centres.values(), key=lambda r: r["name"]),
        "outcome_labels": [outcomes[o] for o in FollowUpOutcome.values],
        "outcomes": [
            {"months": m, "values": [shown(grid[(m, o)]) for o in FollowUpOutcome.values]}
            for m in FollowUpPoint.values
        ],
    }


@treatment_user_required
def home(request):
    centres = staff_centre_ids(request.user)
    form = None
    if centres:
        form = EpisodeForm(request.POST or None, centres=centres)
        if request.method == "POST" and form.is_valid():
            args = form.service_arguments()
            try:
                episode = services.open_episode(acting_user=request.user, **args)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = {
                        "client.initials": "initials",
                        "client.date_of_birth": "date_of_birth",
                    }
                    name = target.get(field, field)
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Episode #%(id)s opened for client %(code)s.")
                    % {"id": episode.pk, "code": episode.client_code[:12]},
                )
                return redirect("treatment:home")
    episodes = services.list_episodes(acting_user=request.user, limit=LIST_LIMIT) if centres else []
    states = sorted(coordinator_states(request.user))
    this_year = timezone.localdate().year
    years = list(range(this_year - 2, this_year + 1))
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    dashboards = [
        {
            "state": s,
            "years": _dashboard(request.user, s, years),
            "monitoring": _monitoring(request.user, s, year),
        }
        for s in states
    ]
    return render(
        request,
        "treatment/home.html",
        {
            "form": form,
            "episodes": episodes,
            "centres": Centre.objects.filter(pk__in=centres),
            "dashboards": dashboards,
            "sexes": [*Sex.labels, _("Total")],
            "year": year,
            "year_choices": list(range(this_year - 5, this_year + 1)),
            "import_form": EpisodeImportForm() if centres else None,
            "imports": EpisodeImport.objects.filter(uploaded_by=request.user)[:10]
            if centres
            else [],
            "export_states": sorted(
                states
                or set(
                    Centre.objects.filter(pk__in=centres).values_list(
                        "member_state__code", flat=True
                    )
                )
            ),
        },
    )


@treatment_user_required
def episode(request, pk: int):
    """One episode (the read is audited): its TDI items, outcome profiles, discharge and
    follow-ups; the centre's staff record the next step from here."""
    row = services.read_episode(acting_user=request.user, pk=pk)
    editable = can_update_episode(request.user, row)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not editable:
        raise PermissionDenied(_("Only the staff of the episode's centre change it."))
    review_form = ReviewForm(request.POST if action == "review" else None, prefix="r")
    forms_ = {
        "discharge": DischargeForm(request.POST if action == "discharge" else None, prefix="d"),
        "review": review_form,
        "follow_up": FollowUpForm(request.POST if action == "follow_up" else None, prefix="f"),
    }
    if action in forms_ and forms_[action].is_valid():
        form = forms_[action]
        data = form.cleaned_data
        try:
            if action == "discharge":
                services.discharge_episode(
                    acting_user=request.user,
                    pk=pk,
                    discharge_date=data["date"],
                    reason=data["reason"],
                )
                done = _("The client was discharged.")
            elif action == "review":
                services.record_review(
                    acting_user=request.user, pk=pk, **review_form.service_arguments()
                )
                done = _("The outcome profile was recorded.")
            else:
                services.add_follow_up(acting_user=request.user, pk=pk, **data)
                done = _("The follow-up was recorded.")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                name = "date" if field == "discharge_date" else field
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, done)
            return redirect("treatment:episode", pk=pk)
    return render(
        request,
        "treatment/episode.html",
        {"episode": row, "editable": editable, "forms": forms_, "status": 400 if action else 200},
        status=400 if action else 200,
    )


@require_POST
@treatment_user_required
def feed(request):
    """The coordinator asks for the year's figures to be fed into the statistics: the
    background worker runs it (feed.feed_statistics), as the coordinator."""
    state = request.POST.get("state", "")
    try:
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise Http404("No such year") from exc
    if not sees_unsuppressed(request.user, state):
        raise PermissionDenied(_("Only the country's treatment coordinator feeds its statistics."))
    feed_statistics_task.enqueue(state, year, request.user.pk)
    messages.success(
        request,
        _(
            "The %(year)s treatment admissions of %(state)s are being fed into the statistics; "
            "they appear there as drafts in a moment."
        )
        % {"year": year, "state": state},
    )
    return redirect(f"{reverse('treatment:home')}?year={year}")


@require_POST
@treatment_user_required
def upload(request):
    """Centre staff send a file of episodes; the worker imports it (exchange.run_import)."""
    form = EpisodeImportForm(request.POST, request.FILES)
    if not staff_centre_ids(request.user):
        raise PermissionDenied(_("Only the staff of a treatment centre import its episodes."))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("file", [])))
        return redirect("treatment:home")
    job = exchange.register_import(
        acting_user=request.user, uploaded_file=form.cleaned_data["file"]
    )
    return redirect("treatment:import", pk=job.pk)


@treatment_user_required
def import_detail(request, pk: int):
    """An import of episodes: seen by its uploader only."""
    job = EpisodeImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if job is None:
        raise Http404("No such import")
    return render(request, "treatment/import.html", {"job": job})


@treatment_user_required
def export(request):
    """The episodes the user may see of a Member State (and year), TDI 3.0 layout."""
    state = request.GET.get("state", "").upper()
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    rows = exchange.export_rows(acting_user=request.user, member_state=state, year=year)
    body = exchange.export_file(rows, fmt)
    name = f"treatment-episodes-{state or 'none'}{f'-{year}' if year else ''}.{fmt}"
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
