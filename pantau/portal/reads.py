"""Everything the portal shows, read as the public reads it.

The one rule: the portal is the public's view, whoever is signed in. Statistics come from
`pantau.statistics.read.querysets` and `DataValue.objects.restrict` with `PUBLIC` (an
anonymous user: published values only); country reports from `CountryReport.objects.restrict`
with `PUBLIC` (published reports only). Nothing here filters drafts by hand.

Publications (the feed, "published last", the publication date of a figure) are the audit
log's records of statistics being published: a country-year published with its country
report (`statistics.values.publish`) and a publishing import (`statistics.import.apply` with
`publish`). Only their time, areas, years and counts are shown."""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from pantau.audit.models import AuditEvent
from pantau.core.recent import Recent
from pantau.members.models import MemberState
from pantau.programmes.exports import DATASET_NAMES
from pantau.programmes.models import NationalProgramme, Service
from pantau.reporting.models import CountryReport
from pantau.statistics.models import DataValue, Indicator, StatisticsState
from pantau.statistics.read.querysets import REGION, observations

from . import names

PUBLIC = AnonymousUser()

# The region's headline figures on the home page: (indicator, canonical unit).
HEADLINES: tuple[tuple[str, str], ...] = (
    ("DRUG_SEIZURE", "KG"),
    ("DRUG_SEIZURE", "UNIT"),
    ("DRUG_ARREST", "PERSON"),
    ("CLANDESTINE_LAB", "NUMBER"),
    ("PRECURSOR_SEIZURE", "KG"),
    ("TREATMENT_ADMISSION", "PERSON"),
)
PUBLISH_ACTIONS = ("statistics.values.publish", "statistics.import.apply")
CACHE_SECONDS = 300


# --- what changed: the validators of every portal answer -----------------------------------


@dataclass(frozen=True)
class Version:
    """What the public's answers depend on: the published totals' and the metadata's tokens
    (a new one at every publication and metadata change), the newest published report."""

    token: str
    last_modified: datetime.datetime | None


def version() -> Version:
    """The ETag and Last-Modified of every portal page and download: five small queries, read
    at most once per VERSION_SECONDS by a process outside a transaction (under load, reading
    them cost more than sending the kept page; see bench/README.md)."""
    return _recent_version.get()


# A publication in another process reaches this one's pages within this time; this process
# forgets at once (apps.PortalConfig.ready: every audited change, the statistics' state).
# At 0.1 s, a quarter of a kept page's time under load went to reading it again (py-spy).
VERSION_SECONDS = 1.0


def forget_version(**kwargs) -> None:
    _recent_version.forget_now_and_at_commit()


def _read_version() -> Version:
    state = StatisticsState.objects.filter(pk=1).values_list(
        "metadata_token", "totals_token", "totals_refreshed_at"
    )
    metadata, totals, refreshed = next(iter(state), ("", "", None))
    reports = CountryReport.objects.restrict(PUBLIC).aggregate(
        newest=Max("published_at"), first=Min("pk")
    )
    published = publication_times()
    programmes = programmes_changed_at()
    candidates = [t for t in (refreshed, reports["newest"], published, programmes) if t]
    newest = max(candidates) if candidates else None
    digest = hashlib.sha256(
        f"{metadata}|{totals}|{reports['newest']}|{published}|{programmes}".encode()
    ).hexdigest()[:32]
    return Version(digest, newest)


_recent_version: Recent[Version] = Recent(_read_version, VERSION_SECONDS)


def publication_times() -> datetime.datetime | None:
    return AuditEvent.objects.filter(action__in=PUBLISH_ACTIONS).aggregate(t=Max("occurred_at"))[
        "t"
    ]


def _cached(name: str, token: str, build):
    key = f"portal:{name}:{token}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


# --- publications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """Statistics made public at one time: a country-year with its report, or a publishing
    import (many areas and years)."""

    id: int
    at: datetime.datetime
    ref_areas: tuple[str, ...]
    first_year: int
    last_year: int
    count: int
    indicators: tuple[str, ...]
    with_report: bool

    @property
    def years(self) -> str:
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}\u2013{self.last_year}"


def _publication(event: AuditEvent) -> Publication | None:
    after = event.after or {}
    if event.action == "statistics.values.publish":
        year = int(after.get("year") or 0)
        return Publication(
            id=event.pk,
            at=event.occurred_at,
            ref_areas=(event.member_state,),
            first_year=year,
            last_year=year,
            count=int(after.get("published") or 0),
            indicators=tuple(sorted(after.get("by_indicator") or {})),
            with_report=True,
        )
    counts = after.get("counts") or {}
    written = int(counts.get("created") or 0) + int(counts.get("updated") or 0)
    periods = after.get("periods") or []
    if not after.get("publish") or after.get("dry_run") or not written or not periods:
        return None
    return Publication(
        id=event.pk,
        at=event.occurred_at,
        ref_areas=tuple(after.get("ref_areas") or ()),
        first_year=int(str(periods[0])[:4]),
        last_year=int(str(periods[-1])[:4]),
        count=written,
        indicators=tuple(after.get("indicators") or ()),
        with_report=False,
    )


def publications() -> list[Publication]:
    """Every publication of statistics, newest first (a few per country and year)."""
    events = AuditEvent.objects.filter(action__in=PUBLISH_ACTIONS).order_by("-occurred_at", "-pk")
    found = (
        _publication(e) for e in events.only("pk", "action", "occurred_at", "member_state", "after")
    )
    return [p for p in found if p is not None]


def latest_publications(token: str, count: int = 5) -> list[Publication]:
    """The newest publications, kept per data version (the home page's list)."""
    return _cached(f"publications:{count}", token, lambda: publications()[:count])


def publication_dates(token: str) -> dict[tuple[str, int], datetime.datetime]:
    """(Member State, year) -> when its figures were last published."""

    def build() -> dict[tuple[str, int], datetime.datetime]:
        dates: dict[tuple[str, int], datetime.datetime] = {}
        for p in reversed(publications()):  # oldest first: the newest wins
            for area in p.ref_areas:
                for year in range(p.first_year, p.last_year + 1):
                    dates[(area, year)] = p.at
        return dates

    return _cached("publication-dates", token, build)


def published_on(
    dates: dict[tuple[str, int], datetime.datetime], areas: Iterable[str], year: int
) -> datetime.datetime | None:
    found = [dates[(a, year)] for a in areas if (a, year) in dates]
    return max(found) if found else None


# --- figures -----------------------------------------------------------------------------------


def public_values():
    return DataValue.objects.restrict(PUBLIC)


def latest_year() -> int | None:
    return public_values().filter(is_derived=False).aggregate(y=Max("year"))["y"]


def has_illustrative(token: str | None = None) -> bool:
    """Any published figure is demo data: every page that shows figures says so (kept per
    data version when `token` is given)."""
    if token is None:
        return public_values().filter(is_demo=True).exists()
    return _cached("illustrative", token, lambda: public_values().filter(is_demo=True).exists())


def sources(indicator: str, ref_area: str | None = None, token: str | None = None) -> list[str]:
    """The sources of an indicator's published values (of one area); kept per data version
    when `token` (the portal's version) is given: a country page asks for a dozen."""

    def build() -> list[str]:
        values = public_values().filter(indicator__code=indicator).exclude(source="")
        if ref_area:
            values = values.filter(ref_area=ref_area)
        return sorted(set(values.values_list("source", flat=True).distinct()[:10]))

    if token is None:
        return build()
    return _cached(f"sources:{indicator}:{ref_area or ''}", token, build)


@dataclass
class Point:
    year: int
    value: float
    status: str | None
    reporting: int | None = None
    members: int | None = None
    missing: list[str] = field(default_factory=list)
    published_at: datetime.datetime | None = None


@dataclass
class Series:
    """An indicator in one unit for one area (a Member State or ASEAN), year by year."""

    indicator: str
    unit: str
    area: str
    points: list[Point]

    @property
    def name(self) -> str:
        return names.indicator_name(self.indicator)

    @property
    def unit_label(self) -> str:
        return names.unit_label(self.unit)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> Point | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> float | None:
        """Percentage change from the year before (None without two years)."""
        latest, previous = self.latest, self.previous
        if latest is None or previous is None or not previous.value:
            return None
        if previous.year != latest.year - 1:
            return None
        return (latest.value - previous.value) / previous.value * 100


def _series(
    indicator: str,
    rows: list[dict],
    area: str,
    dates: dict[tuple[str, int], datetime.datetime],
    members: Iterable[str],
) -> list[Series]:
    by_unit: dict[str, list[Point]] = {}
    for row in rows:
        year = int(row["TIME_PERIOD"])
        coverage = row.get("coverage") or {}
        reporting_areas = (
            [m for m in members if m not in coverage.get("missing", [])] if coverage else [area]
        )
        by_unit.setdefault(row["UNIT_MEASURE"], []).append(
            Point(
                year=year,
                value=row["OBS_VALUE"],
                status=row["OBS_STATUS"],
                reporting=coverage.get("reporting"),
                members=coverage.get("members"),
                missing=coverage.get("missing", []),
                published_at=published_on(dates, reporting_areas, year),
            )
        )
    return [
        Series(indicator, unit, area, sorted(points, key=lambda p: p.year))
        for unit, points in by_unit.items()
    ]


def region_series(indicator: str, token: str) -> list[Series]:
    """The region's published totals of `indicator`, a series per unit, with coverage."""

    def build() -> list[Series]:
        rows = observations(PUBLIC, indicator, ref_areas=REGION, group_by="TIME_PERIOD")
        members = list(MemberState.objects.values_list("code", flat=True))
        return _series(indicator, rows, REGION, publication_dates(token), members)

    return _cached(f"region:{indicator}", token, build)


def headlines(token: str) -> list[Series]:
    found = []
    for indicator, unit in HEADLINES:
        for series in region_series(indicator, token):
            if series.unit == unit and series.points:
                found.append(series)
    return found


def country_series(code: str, token: str) -> list[Series]:
    """A Member State's published totals of every indicator, a series per unit."""

    def build() -> list[Series]:
        dates = publication_dates(token)
        found: list[Series] = []
        for indicator in Indicator.objects.order_by("order", "code").values_list("code", flat=True):
            rows = observations(PUBLIC, indicator, ref_areas=code, group_by="REF_AREA,TIME_PERIOD")
            found.extend(_series(indicator, rows, code, dates, [code]))
        return found

    return _cached(f"country:{code}", token, build)


@dataclass
class StateYearTable:
    """An indicator in one unit: a row per Member State, a column per year, and the region's
    row with its coverage."""

    indicator: str
    unit: str
    years: list[int]
    rows: list[tuple[str, list[float | None]]]
    region: Series | None

    @property
    def unit_label(self) -> str:
        return names.unit_label(self.unit)

    @property
    def region_cells(self) -> list[Point | None]:
        by_year = {p.year: p for p in self.region.points} if self.region else {}
        return [by_year.get(y) for y in self.years]


def state_year_tables(indicator: str, token: str) -> list[StateYearTable]:
    def build() -> list[StateYearTable]:
        rows = observations(PUBLIC, indicator, group_by="REF_AREA,TIME_PERIOD")
        region = {s.unit: s for s in region_series(indicator, token)}
        cells: dict[str, dict[str, dict[int, float]]] = {}
        for row in rows:
            cells.setdefault(row["UNIT_MEASURE"], {}).setdefault(row["REF_AREA"], {})[
                int(row["TIME_PERIOD"])
            ] = row["OBS_VALUE"]
        tables = []
        for unit, by_area in cells.items():
            years = sorted({y for values in by_area.values() for y in values})
            tables.append(
                StateYearTable(
                    indicator=indicator,
                    unit=unit,
                    years=years,
                    rows=[
                        (area, [by_area[area].get(y) for y in years]) for area in sorted(by_area)
                    ],
                    region=region.get(unit),
                )
            )
        return tables

    return _cached(f"table:{indicator}", token, build)


@dataclass
class DataSet:
    """A published data set of the catalogue: one indicator, every Member State and year."""

    code: str
    name: str
    definition: str
    first_year: int
    last_year: int
    areas: int
    observations: int
    sources: list[str]
    updated_at: datetime.datetime | None
    illustrative: bool


def catalogue(token: str) -> list[DataSet]:
    def build() -> list[DataSet]:
        stats = {
            row["indicator__code"]: row
            for row in public_values()
            .filter(is_derived=False)
            .order_by()
            .values("indicator__code")
            .annotate(first=Min("year"), last=Max("year"), demo=Count("pk", filter=Q(is_demo=True)))
        }
        dates: dict[str, datetime.datetime] = {}
        for p in publications():
            for code in p.indicators:
                dates.setdefault(code, p.at)
        found = []
        for indicator in Indicator.objects.filter(code__in=stats).order_by("order", "code"):
            values = public_values().filter(indicator=indicator, is_derived=False)
            row = stats[indicator.code]
            found.append(
                DataSet(
                    code=indicator.code,
                    name=names.indicator_name(indicator.code, indicator.name),
                    definition=indicator.definition,
                    first_year=row["first"],
                    last_year=row["last"],
                    areas=values.values("ref_area").distinct().count(),
                    observations=values.count(),
                    sources=sources(indicator.code),
                    updated_at=dates.get(indicator.code),
                    illustrative=bool(row["demo"]),
                )
            )
        return found

    return _cached("catalogue", token, build)


def published_reports():
    """The country reports the public may read (published ones), newest first."""
    return (
        CountryReport.objects.restrict(PUBLIC)
        .select_related("member_state", "cycle")
        .order_by("-published_at", "-pk")
    )


# --- national programmes and services to groups at risk (11.b, 11.c) -------------------------


def public_programmes():
    """The national programmes the public may read (published ones)."""
    return (
        NationalProgramme.objects.restrict(PUBLIC)
        .select_related("member_state")
        .prefetch_related("groups")
    )


def public_services():
    """The services to groups at risk the public may read (published ones)."""
    return (
        Service.objects.restrict(PUBLIC)
        .select_related("member_state", "programme")
        .prefetch_related("groups")
    )


def programmes_changed_at() -> datetime.datetime | None:
    """When what the public sees of programmes and services last changed (a publication, a
    withdrawal, a revision back to draft); draft edits never move it."""
    times = [
        model.objects.aggregate(t=Max("public_changed_at"))["t"]
        for model in (NationalProgramme, Service)
    ]
    found = [t for t in times if t is not None]
    return max(found) if found else None


@dataclass
class EntryDataSet:
    """Programmes or services in the catalogue: every published entry of every Member State."""

    code: str
    name: str
    entries: int
    areas: int
    updated_at: datetime.datetime | None
    illustrative: bool


def programme_datasets() -> list[EntryDataSet]:
    found = []
    for code, entries in (("programmes", public_programmes()), ("services", public_services())):
        name = DATASET_NAMES[code]
        stats = entries.order_by().aggregate(
            n=Count("pk"),
            areas=Count("member_state", distinct=True),
            updated=Max("published_at"),
            demo=Count("pk", filter=Q(is_demo=True)),
        )
        if stats["n"]:
            found.append(
                EntryDataSet(
                    code=code,
                    name=str(name),
                    entries=stats["n"],
                    areas=stats["areas"],
                    updated_at=stats["updated"],
                    illustrative=bool(stats["demo"]),
                )
            )
    return found


def now() -> datetime.datetime:
    return timezone.now()
