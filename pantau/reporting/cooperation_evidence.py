"""Cooperation as the evidence behind a status (issue 22): what events and funded projects an
entry links to, counted in a few queries for a whole page ("completed, with 3 trainings, 214
participants, 2 funded projects"), and what to suggest linking (events and projects already
recorded for that activity, country and year).

Every read goes through the cooperation querysets' `restrict(user)`: a viewer counts and sees
only the linked events and projects they may see (the public: public events only)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils.translation import ngettext

from pantau.cooperation.models import Event, FundingProject

from .models import ActivityStatus, CountryReport

EventLink = ActivityStatus.events.through
ProjectLink = ActivityStatus.projects.through


def _plural(kind: str, n: int) -> str:
    forms = {
        "meeting": ngettext("%(n)d meeting", "%(n)d meetings", n),
        "training": ngettext("%(n)d training", "%(n)d trainings", n),
        "workshop": ngettext("%(n)d workshop", "%(n)d workshops", n),
        "seminar": ngettext("%(n)d seminar", "%(n)d seminars", n),
        "dialogue": ngettext("%(n)d dialogue", "%(n)d dialogues", n),
        "operation": ngettext("%(n)d joint operation", "%(n)d joint operations", n),
        "un_forum": ngettext("%(n)d UN forum", "%(n)d UN forums", n),
    }
    return forms.get(kind, ngettext("%(n)d event", "%(n)d events", n)) % {"n": n}


@dataclass
class EvidenceCount:
    """What one entry's linked cooperation amounts to."""

    events_by_kind: dict[str, int] = field(default_factory=dict)
    participants: int = 0
    projects: int = 0

    @property
    def events(self) -> int:
        return sum(self.events_by_kind.values())

    def __bool__(self) -> bool:
        return bool(self.events or self.projects)

    def __str__(self) -> str:
        parts = [_plural(k, n) for k, n in sorted(self.events_by_kind.items())]
        if self.participants:
            parts.append(
                ngettext("%(n)s participant", "%(n)s participants", self.participants)
                % {"n": f"{self.participants:,}"}
            )
        if self.projects:
            parts.append(
                ngettext("%(n)d funded project", "%(n)d funded projects", self.projects)
                % {"n": self.projects}
            )
        return ", ".join(parts)


def evidence_counts(user, entry_ids) -> dict[int, EvidenceCount]:
    """Counts per entry id, in three queries whatever the number of entries."""
    ids = list(entry_ids)
    counts: dict[int, EvidenceCount] = defaultdict(EvidenceCount)
    if not ids:
        return counts
    events = EventLink.objects.filter(
        activitystatus_id__in=ids, event__in=Event.objects.restrict(user).values("pk")
    )
    for kind_row in events.values("activitystatus_id", "event__kind").annotate(n=Count("event_id")):
        counts[kind_row["activitystatus_id"]].events_by_kind[kind_row["event__kind"]] = kind_row[
            "n"
        ]
    people = events.values("activitystatus_id").annotate(
        n=Sum(F("event__participants__female") + F("event__participants__male"))
    )
    for people_row in people:
        if people_row["n"]:
            counts[people_row["activitystatus_id"]].participants = people_row["n"]
    projects = (
        ProjectLink.objects.filter(
            activitystatus_id__in=ids,
            fundingproject__in=FundingProject.objects.restrict(user).values("pk"),
        )
        .values("activitystatus_id")
        .annotate(n=Count("fundingproject_id"))
    )
    for project_row in projects:
        counts[project_row["activitystatus_id"]].projects = project_row["n"]
    return counts


def _participants():
    return Sum(F("participants__female") + F("participants__male"))


def linked(user, entry: ActivityStatus) -> tuple[list[Event], list[FundingProject]]:
    """The events and projects linked to one entry that `user` may see."""
    events, projects = linked_by_entry(user, [entry.pk])
    return events.get(entry.pk, []), projects.get(entry.pk, [])


def linked_by_entry(user, entry_ids) -> tuple[dict[int, list], dict[int, list]]:
    """The linked events (with `n_participants`) and projects of many entries, keyed by the
    entry's id, in two queries."""
    ids = list(entry_ids)
    events: dict[int, list] = defaultdict(list)
    projects: dict[int, list] = defaultdict(list)
    if not ids:
        return events, projects
    for event in (
        Event.objects.restrict(user)
        .filter(report_entries__in=ids)
        .annotate(entry_id=F("report_entries"), n_participants=_participants())
        .select_related("organiser")
        .order_by("start_date", "id")
    ):
        events[event.entry_id].append(event)
    for project in (
        FundingProject.objects.restrict(user)
        .filter(report_entries__in=ids)
        .annotate(entry_id=F("report_entries"))
        .select_related("mechanism")
        .order_by("start_date", "id")
    ):
        projects[project.entry_id].append(project)
    return events, projects


def suggestions(
    user, report: CountryReport, activity_ids
) -> tuple[dict[int, list[Event]], dict[int, list[FundingProject]]]:
    """Per activity id: the events and projects `user` may see, recorded for that activity,
    the report's country (organised by it, held in it or with its participants; implemented
    by it) and the report's year (starting or running in it). Two queries."""
    ids = list(activity_ids)
    state = report.member_state_id
    year = report.cycle.year
    events: dict[int, list[Event]] = defaultdict(list)
    projects: dict[int, list[FundingProject]] = defaultdict(list)
    if not ids:
        return events, projects
    event_rows = (
        Event.objects.restrict(user)
        .filter(
            Q(organiser_id=state) | Q(country_id=state) | Q(participants__member_state_id=state),
            activities__in=ids,
            start_date__year__lte=year,
            end_date__year__gte=year,
        )
        .annotate(activity_id=F("activities"))
        .order_by("start_date", "id")
        .distinct()
    )
    for event in event_rows:
        events[event.activity_id].append(event)
    project_rows = (
        FundingProject.objects.restrict(user)
        .filter(
            Q(start_date__year__lte=year) | Q(start_date__isnull=True),
            Q(end_date__year__gte=year) | Q(end_date__isnull=True),
            implementers=state,
            activities__in=ids,
        )
        .select_related("mechanism")
        .annotate(activity_id=F("activities"))
        .order_by("start_date", "id")
        .distinct()
    )
    for project in project_rows:
        projects[project.activity_id].append(project)
    return events, projects
