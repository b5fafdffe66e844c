"""The snapshot a review is built from: every figure the review shows, read once from the
approved country reports (as the builder may see them), the published statistics (as the
public sees them) and the targets' progress, frozen as canonical JSON with its SHA-256. The
documents are rendered from the snapshot alone, so one snapshot gives the same figures every
time, and a report approved or corrected later changes nothing already built."""

import datetime
import hashlib
import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Max, Q

from pantau.analytics.implementation import (
    IMPLEMENTED,
    implementation_matrix,
    implementation_rates,
    lagging_activities,
    long_not_started,
)
from pantau.analytics.models import Target
from pantau.analytics.progress import target_progress
from pantau.cooperation.models import Event, EventParticipants, FundingProject
from pantau.members.models import MemberState
from pantau.reporting.choices import ImplementationStatus
from pantau.reporting.cooperation_evidence import EventLink, ProjectLink
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.statistics.models import DataValue, Indicator
from pantau.statistics.read.querysets import (
    REGION,
    TIME,
    UNIT,
    QueryError,
    UnknownIndicator,
    observations,
)

from .models import ReviewExercise

SCHEMA = 3  # 3: cooperation evidence per section and component (issue 22)
BREAKDOWNS = ("section", "component", "working_group", "member_state")
# Narratives quoted as challenges (activities not yet done) and as lessons (those done).
CHALLENGE_STATUSES = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.PLANNED,
    ImplementationStatus.IN_PROGRESS,
)
QUOTES_PER_CHAPTER = 40


def canonical_json(data: Any) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rate(implemented: int, reported: int) -> float | None:
    return round(implemented / reported, 4) if reported else None


def _years(exercise: ReviewExercise) -> range:
    return range(exercise.period_start, exercise.period_end + 1)


def _members_by_year(exercise: ReviewExercise) -> dict[int, list[MemberState]]:
    """{year: the states that were members at its end, by code} of the period: one query
    (membership as `MemberState.is_member_on` says it) instead of one or two per year."""
    states = list(MemberState.objects.order_by("code"))
    return {
        year: [s for s in states if s.is_member_on(datetime.date(year, 12, 31))]
        for year in _years(exercise)
    }


def _reports(reader, exercise: ReviewExercise):
    return (
        CountryReport.objects.restrict(reader)
        .approved()
        .filter(
            cycle__plan=exercise.plan,
            cycle__year__gte=exercise.period_start,
            cycle__year__lte=exercise.period_end,
        )
    )


def _implementation(reader, exercise: ReviewExercise) -> dict[str, list[dict]]:
    years = _years(exercise)
    out = {}
    for by in BREAKDOWNS:
        rows = implementation_rates(reader, exercise.plan, by)
        out[by] = [
            {**r.as_dict(), "rate": _rate(r.implemented, r.reported)}
            for r in rows
            if r.year in years
        ]
    return out


def _completeness(
    reader, exercise: ReviewExercise, members: dict[int, list[MemberState]]
) -> list[dict]:
    """Who reported what, year by year: the approved report and its activities, and the
    published statistical values, of every state that was a member that year."""
    reports = {
        (r["member_state__code"], r["cycle__year"]): r
        for r in _reports(reader, exercise)
        .order_by()
        .values("member_state__code", "cycle__year", "status", "version")
        .annotate(reported=Count("entries", filter=Q(entries__status__gt="")))
    }
    values = {
        (r["ref_area"], r["year"]): r["n"]
        for r in DataValue.objects.restrict(AnonymousUser())
        .published()
        .filter(year__gte=exercise.period_start, year__lte=exercise.period_end)
        .order_by()
        .values("ref_area", "year")
        .annotate(n=Count("id"))
    }
    rows = []
    for year in _years(exercise):
        for state in members[year]:
            report = reports.get((state.code, year))
            rows.append(
                {
                    "REF_AREA": state.code,
                    "name": state.name,
                    "year": year,
                    "report": report["status"] if report else "",
                    "report_version": report["version"] if report else None,
                    "activities_reported": report["reported"] if report else 0,
                    "statistics_values": values.get((state.code, year), 0),
                }
            )
    return rows


def _targets(exercise: ReviewExercise) -> list[dict]:
    public = AnonymousUser()
    out = []
    targets = (
        Target.objects.restrict(public)
        .filter(plan=exercise.plan)
        .select_related("indicator", "component", "component_target")
    )
    for target in targets:
        progress = target_progress(public, target, REGION)
        numbers = progress.as_dict()
        numbers.pop("target")
        out.append(
            {
                **numbers,
                "code": target.code,
                "component": target.component.number,
                "numeral": target.component_target.numeral if target.component_target else "",
                "text": target.text,
                "indicator": target.indicator.code,
                "indicator_name": target.indicator.name,
                "direction": target.direction,
                "baseline_period": target.baseline_period,
                "end_period": target.end_period,
                "is_proxy": target.is_proxy,
            }
        )
    return out


def _trends(exercise: ReviewExercise) -> list[dict]:
    """Each indicator's regional yearly total over the period, a series per unit, with the
    coverage of every year (published values only)."""
    out = []
    for indicator in Indicator.objects.order_by("order", "code"):
        try:
            rows = observations(
                AnonymousUser(),
                indicator.code,
                ref_areas=REGION,
                periods=f"{exercise.period_start}:{exercise.period_end}",
                group_by=[TIME],
            )
        except (QueryError, UnknownIndicator):
            continue
        series = [
            {
                TIME: r[TIME],
                UNIT: r[UNIT],
                "OBS_VALUE": r["OBS_VALUE"],
                "coverage": r.get("coverage"),
            }
            for r in sorted(rows, key=lambda r: (r[UNIT], r[TIME]))
            if r["OBS_VALUE"] is not None
        ]
        if series:
            out.append({"indicator": indicator.code, "name": indicator.name, "rows": series})
    return out


def _narratives(reader, exercise: ReviewExercise) -> dict[str, list[dict]]:
    entries = (
        ActivityStatus.objects.filter(report__in=_reports(reader, exercise))
        .exclude(narrative="")
        .order_by("report__cycle__year", "report__member_state__code", "activity__order")
        .values(
            "narrative",
            "status",
            code=F("activity__code"),
            year=F("report__cycle__year"),
            ref_area=F("report__member_state__code"),
            country=F("report__member_state__name"),
        )
    )
    challenges = entries.filter(status__in=CHALLENGE_STATUSES)[:QUOTES_PER_CHAPTER]
    lessons = entries.filter(status__in=IMPLEMENTED)[:QUOTES_PER_CHAPTER]
    return {
        "challenges": [dict(q) for q in challenges],
        "lessons": [dict(q) for q in lessons],
    }


def _evidence(reader, exercise: ReviewExercise) -> dict[str, list[dict]]:
    """The cooperation behind the statuses (issue 22), per section and per component over the
    period: the events (by kind) and funded projects linked to entries of the approved country
    reports, each counted once however many entries link it, and the participants of those
    events. Only events and projects `reader` may see count."""
    entries = ActivityStatus.objects.filter(report__in=_reports(reader, exercise))
    event_pairs = set(
        EventLink.objects.filter(
            activitystatus__in=entries, event__in=Event.objects.restrict(reader).values("pk")
        ).values_list("activitystatus__activity__component__number", "event_id")
    )
    project_pairs = set(
        ProjectLink.objects.filter(
            activitystatus__in=entries,
            fundingproject__in=FundingProject.objects.restrict(reader).values("pk"),
        ).values_list("activitystatus__activity__component__number", "fundingproject_id")
    )
    event_ids = {e for _, e in event_pairs}
    kinds = dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "kind"))
    people: dict[int, int] = {}
    for event_id, female, male in EventParticipants.objects.filter(
        event_id__in=event_ids
    ).values_list("event_id", "female", "male"):
        people[event_id] = people.get(event_id, 0) + female + male
    plan = exercise.plan
    components = {c.number: c for c in plan.components.select_related("section").order_by("number")}
    sections = {s.number: s for s in plan.sections.order_by("number")}

    def rows(group_of, labels) -> list[dict]:
        events: dict[int, set[int]] = {}
        projects: dict[int, set[int]] = {}
        for component, event_id in event_pairs:
            events.setdefault(group_of(component), set()).add(event_id)
        for component, project_id in project_pairs:
            projects.setdefault(group_of(component), set()).add(project_id)
        out = []
        for key in sorted(events.keys() | projects.keys()):
            ids = events.get(key, set())
            by_kind: dict[str, int] = {}
            for event_id in ids:
                by_kind[kinds[event_id]] = by_kind.get(kinds[event_id], 0) + 1
            out.append(
                {
                    "key": key,
                    "label": labels[key],
                    "events": len(ids),
                    "events_by_kind": dict(sorted(by_kind.items())),
                    "participants": sum(people.get(e, 0) for e in ids),
                    "projects": len(projects.get(key, set())),
                }
            )
        return out

    return {
        "section": rows(
            lambda n: components[n].section.number, {n: s.title for n, s in sections.items()}
        ),
        "component": rows(lambda n: n, {n: c.text for n, c in components.items()}),
    }


def take_snapshot(reader, exercise: ReviewExercise) -> dict[str, Any]:
    """Every figure of the review of `exercise`: country reports as `reader` may see them
    (the Secretariat: every approved report), statistics as the public sees them."""
    plan = exercise.plan
    implementation = _implementation(reader, exercise)
    reports = _reports(reader, exercise)
    members = _members_by_year(exercise)
    expected = sum(len(states) for states in members.values())
    approved = reports.count()
    implemented = sum(r["implemented"] for r in implementation["member_state"])
    reported = sum(r["reported"] for r in implementation["member_state"])
    targets = _targets(exercise)
    completeness = _completeness(reader, exercise, members)
    as_of = reports.aggregate(at=Max("approved_at"))["at"]
    headline = {
        "member_states": len(members[exercise.period_end]),
        "reports_expected": expected,
        "reports_approved": approved,
        "response_rate": _rate(approved, expected),
        "activities_reported": reported,
        "activities_implemented": implemented,
        "implementation_rate": _rate(implemented, reported),
        "targets": len(targets),
        "targets_on_track": sum(1 for t in targets if t["verdict"] == "on_track"),
        "statistics_values": sum(r["statistics_values"] for r in completeness),
    }
    last_year = exercise.period_end
    return {
        "schema": SCHEMA,
        "exercise": {
            "kind": exercise.kind,
            "plan": plan.code,
            "plan_title": plan.title,
            "year": exercise.year,
            "period": [exercise.period_start, exercise.period_end],
        },
        # Demo reports make the whole review illustrative, and it says so on every page.
        "illustrative": reports.filter(is_demo=True).exists(),
        "data_as_of": as_of.date().isoformat() if as_of else f"{exercise.period_end}-12-31",
        "sections": [
            {
                "number": s.number,
                "numeral": s.numeral,
                "title": s.title,
                "responsible": s.responsible,
            }
            for s in plan.sections.select_related("working_group").order_by("number")
        ],
        "headline": headline,
        "implementation": implementation,
        "heatmap": [
            {**cell, "rate": _rate(cell["implemented"], cell["reported"])}
            for cell in implementation_matrix(
                reader, plan, exercise.period_start, exercise.period_end
            )
        ],
        "lagging": {"year": last_year, "rows": lagging_activities(reader, plan, last_year)},
        "long_not_started": long_not_started(reader, plan),
        "targets": targets,
        "trends": _trends(exercise),
        "completeness": completeness,
        "narratives": _narratives(reader, exercise),
        "evidence": _evidence(reader, exercise),
    }


def figures(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The figures of a snapshot by name, to say what changed between two versions."""
    out: dict[str, Any] = {f"headline.{k}": v for k, v in snapshot["headline"].items()}
    for by, rows in snapshot["implementation"].items():
        for r in rows:
            out[f"implementation.{by}.{r['key']}.{r['year']}"] = [r["implemented"], r["reported"]]
    for c in snapshot.get("heatmap", []):
        key = f"heatmap.{c['component']}.{c['member_state']}"
        out[key] = [c["implemented"], c["reported"]]
    for t in snapshot["targets"]:
        out[f"target.{t['code']}.verdict"] = t["verdict"]
        out[f"target.{t['code']}.latest"] = t["latest"]
    for c in snapshot["completeness"]:
        key = f"completeness.{c['REF_AREA']}.{c['year']}"
        out[key] = [c["report"], c["activities_reported"], c["statistics_values"]]
    for by, rows in snapshot.get("evidence", {}).items():
        for r in rows:
            key = f"evidence.{by}.{r['key']}"
            out[key] = [r["events"], r["participants"], r["projects"]]
    for trend in snapshot["trends"]:
        for r in trend["rows"]:
            out[f"trend.{trend['indicator']}.{r[UNIT]}.{r[TIME]}"] = r["OBS_VALUE"]
    return out


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict]:
    """[{"figure", "before", "after"}] of every figure that differs (none before the first
    version)."""
    if before is None:
        return []
    old, new = figures(before), figures(after)
    return [
        {"figure": k, "before": old.get(k), "after": new.get(k)}
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    ]
