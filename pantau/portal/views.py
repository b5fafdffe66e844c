"""The public portal's pages, downloads and feed. Every answer is read as the public reads it
(reads.PUBLIC) and carries an ETag and Last-Modified: a repeated request answers 304 until
something is published or the metadata changes."""

import functools
import hashlib
import re

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from pantau.core.csrf import new_token
from pantau.core.numbers import localized
from pantau.members.models import MemberState
from pantau.programmes import exports as programme_exports
from pantau.programmes.choices import RiskGroup, ServiceKind
from pantau.reporting.choices import ImplementationStatus
from pantau.reporting.models import ActivityStatus
from pantau.statistics.exchange.exports import ExportError
from pantau.statistics.models import Indicator
from pantau.workplan.models import Activity, WorkPlan

from . import charts, downloads, names, reads


def _version(request):
    cached = getattr(request, "_portal_version", None)
    if cached is None:
        cached = request._portal_version = reads.version()
    return cached


def _etag(request, *args, **kwargs) -> str:
    """The data's version, the language, who is signed in (the menu differs) and the URL."""
    user = getattr(request, "user", None)
    who = user.pk if user is not None and user.is_authenticated else 0
    key = f"{_version(request).token}|{get_language()}|{who}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def _last_modified(request, *args, **kwargs):
    return _version(request).last_modified


def public(view):
    """GET/HEAD only, with the conditional answers (304) of the data's version; pages kept for
    first visits (_kept)."""
    return require_safe(condition(etag_func=_etag, last_modified_func=_last_modified)(_kept(view)))


# Where a page carries its visitor's CSRF token: a form's input, htmx's header (base.html).
_CSRF_TOKEN = re.compile(rb'(?:name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"')


def _kept(view):
    """A visitor who brings no cookie at all (no session, so nobody signed in; no messages; no
    CSRF token of their own) gets the page as rendered for the data's version, the language
    and the URL (the ETag's key), kept in the cache: the same page for every such visitor
    until something is published. HTML pages only (not the downloads)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.COOKIES or request.method != "GET":
            return view(request, *args, **kwargs)
        key = f"portal:kept:{_etag(request)}"
        kept = cache.get(key)
        if kept is not None:
            content, content_type, first_token = kept
            # The kept page's forms (the language switcher) carry the first visitor's CSRF
            # token: give this visitor a token of their own (its cookie is set by the middleware).
            # 64 random characters occur nowhere else: a plain replace (a regex over the page
            # took ~9 us).
            if first_token:
                content = content.replace(first_token, new_token(request).encode())
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            found = _CSRF_TOKEN.search(response.content)
            first_token = found.group(1) if found else b""
            kept = (response.content, response["Content-Type"], first_token)
            cache.set(key, kept, reads.CACHE_SECONDS)
        return response

    return wrapper


def _common(request) -> dict:
    return {
        "illustrative": reads.has_illustrative(_version(request).token),
        "member_states": [
            (s.code, names.country_name(s.code, s.name))
            for s in MemberState.objects.order_by("code")
        ],
    }


@public
def home(request):
    version = _version(request)
    headlines = reads.headlines(version.token)
    latest = max((s.latest.year for s in headlines if s.latest), default=None)
    trend = next((s for s in headlines if s.indicator == "DRUG_SEIZURE"), None)
    title = _("Drug seizures in ASEAN by year")
    return render(
        request,
        "portal/home.html",
        {
            **_common(request),
            "headlines": headlines,
            "latest_year": latest,
            "trend": trend,
            "trend_title": title,
            "trend_spec": charts.trend(trend, title) if trend else None,
            # The rendered content is kept per data version and language (the template's
            # cache tag): the same for every visitor until the published data change.
            "portal_version": version.token,
            "publications": reads.latest_publications(version.token),
            "reports": reads.published_reports()[:5],
            "sources": reads.sources("DRUG_SEIZURE", token=version.token),
        },
    )


@public
def country(request, code: str):
    state = get_object_or_404(MemberState, code=code.upper())
    version = _version(request)
    series = reads.country_series(state.code, version.token)
    blocks = []
    for s in series:
        title = _("%(indicator)s in %(country)s (%(unit)s)") % {
            "indicator": s.name,
            "country": names.country_name(state.code, state.name),
            "unit": s.unit_label,
        }
        blocks.append(
            {
                "series": s,
                "title": title,
                "spec": charts.trend(s, title) if len(s.points) > 1 else None,
                "sources": reads.sources(s.indicator, state.code, token=version.token),
                "slug": f"{s.indicator}-{s.unit}".lower(),
            }
        )
    return render(
        request,
        "portal/country.html",
        {
            **_common(request),
            "state": state,
            "state_name": names.country_name(state.code, state.name),
            "blocks": blocks,
            "programmes": reads.public_programmes().filter(member_state=state),
            "services": reads.public_services().filter(member_state=state),
            "portal_version": version.token,
        },
    )


@public
def indicator(request, code: str):
    found = get_object_or_404(Indicator, code=code.upper())
    version = _version(request)
    tables = reads.state_year_tables(found.code, version.token)
    name = names.indicator_name(found.code, found.name)
    blocks = []
    for table in tables:
        year = table.years[-1] if table.years else None
        title = _("%(indicator)s by Member State, %(year)s (%(unit)s)") % {
            "indicator": name,
            "year": year,
            "unit": table.unit_label,
        }
        blocks.append(
            {
                "table": table,
                "map_title": title,
                "map_spec": charts.region_map(table, year, title) if year else None,
                "rows": [(area, names.country_name(area), cells) for area, cells in table.rows],
            }
        )
    dates = reads.publication_dates(version.token)
    return render(
        request,
        "portal/indicator.html",
        {
            **_common(request),
            "indicator": found,
            "name": name,
            "blocks": blocks,
            "sources": reads.sources(found.code, token=version.token),
            "last_published": max((t for (a, y), t in dates.items()), default=None),
        },
    )


@public
def catalogue(request):
    version = _version(request)
    return render(
        request,
        "portal/catalogue.html",
        {
            **_common(request),
            "datasets": reads.catalogue(version.token),
            "formats": downloads.FORMATS,
            "programme_datasets": reads.programme_datasets(),
        },
    )


@public
def download(request, code: str, suffix: str):
    if suffix not in downloads.FORMATS:
        raise Http404("No such format")
    area = (request.GET.get("REF_AREA") or "").upper() or None
    try:
        content = downloads.write(code.upper(), area, suffix)
    except ExportError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(content, content_type=downloads.FORMATS[suffix][1])
    name = downloads.file_name(code.upper(), area, suffix)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@public
def feed(request):
    """An Atom feed of publications: statistics published, country reports published."""
    atom = feedgenerator.Atom1Feed(
        title=_("Pantau: new publications"),
        link=request.build_absolute_uri(reverse("portal:home")),
        description=_("Statistics and country reports published under the ASEAN Work Plan"),
        language=get_language(),
        feed_url=request.build_absolute_uri(reverse("portal:feed")),
    )
    host = request.get_host().split(":")[0]
    for p in reads.publications()[:50]:
        areas = ", ".join(names.country_name(a) for a in p.ref_areas)
        if len(p.ref_areas) == 1:
            link = reverse("portal:country", args=[p.ref_areas[0]])
        else:
            link = reverse("portal:catalogue")
        atom.add_item(
            title=_("Statistics published: %(areas)s, %(years)s")
            % {"areas": areas, "years": p.years},
            link=request.build_absolute_uri(link),
            description=_("%(count)s observations of %(indicators)s")
            % {
                "count": localized(f"{p.count:,}"),
                "indicators": ", ".join(names.indicator_name(i) for i in p.indicators),
            },
            unique_id=f"tag:{host},{p.at:%Y-%m-%d}:publication/{p.id}",
            pubdate=p.at,
            updateddate=p.at,
        )
    for report in reads.published_reports()[:20]:
        atom.add_item(
            title=_("Country report published: %(country)s %(year)s")
            % {"country": names.country_name(report.ref_area), "year": report.year},
            link=request.build_absolute_uri(reverse("portal:country", args=[report.ref_area])),
            description="",
            unique_id=f"tag:{host},{report.published_at:%Y-%m-%d}:report/{report.pk}",
            pubdate=report.published_at,
            updateddate=report.published_at,
        )
    for kind, entries in (
        ("programme", reads.public_programmes().order_by("-published_at")[:20]),
        ("service", reads.public_services().order_by("-published_at")[:20]),
    ):
        for entry in entries:
            country = names.country_name(entry.member_state.code)
            if kind == "programme":
                title = _("National programme published: %(country)s, %(title)s") % {
                    "country": country,
                    "title": entry.title,
                }
            else:
                title = _("Service to groups at risk published: %(country)s, %(title)s") % {
                    "country": country,
                    "title": entry.name,
                }
            link = reverse("portal:programmes") + f"?country={entry.member_state.code}"
            atom.add_item(
                title=title,
                link=request.build_absolute_uri(link) + f"#{kind}-{entry.pk}",
                description=entry.summary if kind == "programme" else entry.description,
                unique_id=f"tag:{host},{entry.published_at:%Y-%m-%d}:{kind}/{entry.pk}",
                pubdate=entry.published_at,
                updateddate=entry.published_at,
            )
    atom.items.sort(key=lambda item: item["updateddate"], reverse=True)
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response


@public
def workplan(request):
    plan = WorkPlan.objects.order_by("-period_start").first()
    if plan is None:
        raise Http404("No Work Plan loaded")
    reports = reads.published_reports().filter(cycle__plan=plan)
    year = reports.order_by("-cycle__year").values_list("cycle__year", flat=True).first()
    counts: dict[str, dict[str, int]] = {}
    reported = 0
    if year is not None:
        in_year = reports.filter(cycle__year=year)
        reported = in_year.count()
        for row in (
            ActivityStatus.objects.filter(report__in=in_year)
            .exclude(status="")
            .values("activity__code", "status")
            .annotate(n=Count("id"))
        ):
            counts.setdefault(row["activity__code"], {})[row["status"]] = row["n"]
    activities = (
        Activity.objects.filter(plan=plan).select_related("component__section").order_by("order")
    )
    sections: list[dict] = []
    for a in activities:
        section = a.component.section
        if not sections or sections[-1]["section"].pk != section.pk:
            sections.append({"section": section, "components": []})
        components = sections[-1]["components"]
        if not components or components[-1]["component"].pk != a.component_id:
            components.append({"component": a.component, "activities": []})
        status = [
            (str(names.IMPLEMENTATION_STATUS_LABELS.get(s, s)), n)
            for s in ImplementationStatus.values
            if (n := counts.get(a.code, {}).get(s))
        ]
        components[-1]["activities"].append((a, status))
    return render(
        request,
        "portal/workplan.html",
        {
            **_common(request),
            "plan": plan,
            "year": year,
            "reported": reported,
            "sections": sections,
        },
    )


def _programme_filters(request) -> dict[str, str]:
    """The country, group and kind asked for (unknown values are ignored)."""
    country = (request.GET.get("country") or "").upper()
    group = request.GET.get("group") or ""
    kind = request.GET.get("kind") or ""
    return {
        "country": country
        if len(country) == 2
        and country.isascii()
        and country.isalpha()
        and MemberState.objects.filter(code=country).exists()
        else "",
        "group": group if group in RiskGroup.values else "",
        "kind": kind if kind in ServiceKind.values else "",
    }


def _filtered(entries, filters: dict[str, str], *, services: bool = False):
    if filters["country"]:
        entries = entries.filter(member_state__code=filters["country"])
    if filters["group"]:
        entries = entries.filter(groups__code=filters["group"])
    if services and filters["kind"]:
        entries = entries.filter(kind=filters["kind"])
    return entries.distinct()


@public
def programmes(request):
    """Every Member State's published national programmes (11.b) and the services it offers
    to groups at risk (11.c), filtered by country, group and kind of service."""
    filters = _programme_filters(request)
    found = _filtered(reads.public_programmes(), filters)
    offered = _filtered(reads.public_services(), filters, services=True)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "portal/programmes.html",
        {
            **_common(request),
            "programmes": found,
            "services": offered,
            "filters": filters,
            "query": query,
            "groups": RiskGroup.choices,
            "kinds": ServiceKind.choices,
            "illustrative_entries": any(e.is_demo for e in found)
            or any(e.is_demo for e in offered),
        },
    )


@public
def programmes_download(request, kind: str, suffix: str):
    """Published programmes or services as CSV or XLSX, with the page's filters."""
    filters = _programme_filters(request)
    if kind == "programmes":
        entries = _filtered(reads.public_programmes(), filters)
    else:
        entries = _filtered(reads.public_services(), filters, services=True)
    content = programme_exports.write(kind, entries, suffix)
    response = HttpResponse(content, content_type=programme_exports.MEDIA_TYPES[suffix])
    area = f"-{filters['country']}" if filters["country"] else ""
    response["Content-Disposition"] = f'attachment; filename="pantau-{kind}{area}.{suffix}"'
    return response
