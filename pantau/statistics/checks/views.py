"""The findings of the checks, per Member State and year: the Secretariat follows them up
(runs the checks, resolves), the country's focal points and approvers explain a flagged
value. Every page starts from the restricted queryset; another state's finding answers 404."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.members.models import MemberState

from .. import permissions
from ..models import ValidationFinding
from ..models.validation import FindingKind, FindingStatus
from . import services as findings
from .services import MAX_EXPLANATION

PAGE_SIZE = 100
FIRST_YEAR, LAST_YEAR = 2009, 2100
ANY_STATUS = "any"


class FindingFilterForm(forms.Form):
    ref_area = forms.ChoiceField(label=_("Member State"), required=False)
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open or explained")), (ANY_STATUS, _("Any")), *FindingStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Check"), required=False, choices=[("", _("Every check")), *FindingKind.choices]
    )

    def __init__(self, *args, states: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ref_area"].choices = [("", _("Every Member State")), *states]  # type: ignore[attr-defined]


class RunChecksForm(forms.Form):
    ref_area = forms.ChoiceField(label=_("Member State"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args, states: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("auto_id", "run_%s")
        super().__init__(*args, **kwargs)
        self.fields["ref_area"].choices = [("", _("Every Member State")), *states]  # type: ignore[attr-defined]


class ExplainForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the value is right (a record seizure, a new definition...), or what "
            "will be corrected."
        ),
    )


class ResolveForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _states(user) -> list[tuple[str, str]]:
    scope = permissions.finding_scope(user)
    states = MemberState.objects.order_by("name")
    if scope is not None:
        states = states.filter(code__in=scope)
    return [(s.code, s.name) for s in states.only("code", "name")]


def _list_url(ref_area: str = "", year: int | str | None = None) -> str:
    query = {k: v for k, v in (("ref_area", ref_area), ("year", year)) if v}
    url = reverse("statistics_findings:list")
    return f"{url}?{urlencode(query)}" if query else url


@login_required
def finding_list(request):
    user = request.user
    if not findings.can_view_findings(user):
        raise Http404
    states = _states(user)
    problems: dict[int, forms.Form] = {}
    run_form = RunChecksForm(states=states, initial=request.GET.dict())
    status = 200
    if request.method == "POST":
        outcome = _post(request, states, problems)
        if isinstance(outcome, HttpResponse):
            return outcome
        if isinstance(outcome, RunChecksForm):
            run_form = outcome
        elif outcome is not None:
            status = outcome

    filters = FindingFilterForm(request.GET or None, states=states)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    queryset = ValidationFinding.objects.restrict(user)
    if criteria.get("ref_area"):
        queryset = queryset.filter(ref_area=criteria["ref_area"])
    if criteria.get("year"):
        queryset = queryset.filter(year=criteria["year"])
    if criteria.get("kind"):
        queryset = queryset.filter(kind=criteria["kind"])
    # Counts per country and year, by status (one grouped query): the Secretariat's overview.
    summary = (
        queryset.order_by()
        .values("ref_area", "year")
        .annotate(
            open=Count("id", filter=Q(status=FindingStatus.OPEN)),
            explained=Count("id", filter=Q(status=FindingStatus.EXPLAINED)),
            resolved=Count("id", filter=Q(status=FindingStatus.RESOLVED)),
        )
        .order_by("-year", "ref_area")
    )
    chosen = criteria.get("status", "")
    if not chosen:
        queryset = queryset.exclude(status=FindingStatus.RESOLVED)
    elif chosen != ANY_STATUS:
        queryset = queryset.filter(status=chosen)
    page = None
    detailed = bool(criteria.get("ref_area") or criteria.get("year"))
    if detailed:
        page = Paginator(
            queryset.select_related("rule", "explained_by", "resolved_by").order_by(
                "ref_area", "time_period", "kind", "key"
            ),
            PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        for finding in page:
            finding.may_explain = findings.can_explain(user, finding)
            finding.may_resolve = findings.can_resolve(user, finding)
            finding.problem_form = problems.get(finding.pk)
    names = dict(states)
    return render(
        request,
        "statistics/findings.html",
        {
            "filters": filters,
            "summary": [row | {"name": names.get(row["ref_area"], "")} for row in summary],
            "page": page,
            "detailed": detailed,
            "query": urlencode(
                {k: v for k, v in request.GET.items() if k != "page" and v}, doseq=False
            ),
            "run_form": run_form if findings.can_run_checks(user) else None,
        },
        status=status,
    )


def _post(request, states, problems: dict[int, forms.Form]):
    """Handle one action; a response (done), a bound form to show again, a status, or None."""
    user = request.user
    action = request.POST.get("action", "")
    if action == "run":
        if not findings.can_run_checks(user):
            raise DjangoPermissionDenied
        form = RunChecksForm(request.POST, states=states)
        if not form.is_valid():
            return form
        area, year = form.cleaned_data["ref_area"], form.cleaned_data["year"]
        try:
            result = findings.run_checks(
                acting_user=user,
                ref_areas=[area] if area else None,
                first_year=year,
                last_year=year,
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        counts = result.as_dict()
        messages.success(
            request,
            _(
                "Checks run: %(created)s new, %(reopened)s reopened, %(updated)s updated, "
                "%(resolved)s resolved because the check passes now, %(unchanged)s unchanged."
            )
            % counts,
        )
        for problem in result.problems:
            messages.error(request, _("Skipped: %(problem)s") % {"problem": problem})
        return redirect(_list_url(area, year))
    if action in ("explain", "resolve"):
        form_class: type[forms.Form] = ExplainForm if action == "explain" else ResolveForm
        posted = form_class(request.POST)
        finding_id = request.POST.get("finding", "")
        if not finding_id.isdigit():
            raise Http404
        finding = findings.get_finding_or_404(user, int(finding_id))
        if not posted.is_valid():
            problems[finding.pk] = posted
            return None
        data = posted.cleaned_data
        try:
            if action == "explain":
                findings.explain_finding(
                    acting_user=user,
                    finding=finding,
                    explanation=data["explanation"],
                    version=data["version"],
                )
                messages.success(
                    request, _("Explanation saved: %(series)s.") % {"series": finding.series}
                )
            else:
                findings.resolve_finding(
                    acting_user=user, finding=finding, version=data["version"], note=data["note"]
                )
                messages.success(request, _("Resolved: %(series)s.") % {"series": finding.series})
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ConflictError as exc:
            messages.error(request, f"{exc}. Nothing was saved; see the finding as it is now.")
            return 409
        except ValueError as exc:
            posted.add_error(None, str(exc))
            problems[finding.pk] = posted
            return None
        return redirect(_list_url(finding.ref_area, finding.year))
    messages.error(request, "Unknown action: nothing was changed.")
    return None
