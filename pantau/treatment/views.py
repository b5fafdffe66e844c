"""The treatment pages: centre staff list their centres' episodes and open new ones; the
national treatment coordinator sees the country's entries per year by primary drug and sex.
Everybody else gets 404, so the module reveals nothing."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .aggregates import TOTAL, table
from .choices import Drug, Sex
from .forms import EpisodeForm
from .models import Centre, coordinator_states, staff_centre_ids
from .permissions import sees_unsuppressed, uses_treatment_pages

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
    dashboards = [{"state": s, "years": _dashboard(request.user, s, years)} for s in states]
    return render(
        request,
        "treatment/home.html",
        {
            "form": form,
            "episodes": episodes,
            "centres": Centre.objects.filter(pk__in=centres),
            "dashboards": dashboards,
            "sexes": [*Sex.labels, _("Total")],
        },
    )
