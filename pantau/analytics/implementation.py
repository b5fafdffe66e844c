"""Implementation analytics from approved country reports: the implementation rate (the share
of reported activities completed or ongoing) per section, component, working group or Member
State and year; the activities that lag in every Member State; the states that reported an
activity "not started" for three years or more. Every count is a GROUP BY in the database,
over the reports the reader may see (CountryReport.objects.restrict) that are approved."""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q

from pantau.reporting.choices import ImplementationStatus
from pantau.reporting.models import ActivityStatus, CountryReport
from pantau.workplan.models import WorkPlan

from .choices import Breakdown

IMPLEMENTED = (ImplementationStatus.COMPLETED, ImplementationStatus.ONGOING)
# Reported, and counted in the denominator: everything but "not applicable" and empty.
COUNTED = Q(status__gt="") & ~Q(status=ImplementationStatus.NOT_APPLICABLE)
NOT_STARTED_YEARS = 3

# breakdown -> (key field, label field) of ActivityStatus
_FIELDS: dict[str, tuple[str, str]] = {
    Breakdown.SECTION: (
        "activity__component__section__number",
        "activity__component__section__title",
    ),
    Breakdown.COMPONENT: ("activity__component__number", "activity__component__text"),
    Breakdown.WORKING_GROUP: (
        "activity__component__section__working_group__code",
        "activity__component__section__working_group__name",
    ),
    Breakdown.MEMBER_STATE: ("report__member_state__code", "report__member_state__name"),
}


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    year: int
    implemented: int
    reported: int

    @property
    def rate(self) -> float | None:
        return self.implemented / self.reported if self.reported else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "year": self.year,
            "implemented": self.implemented,
            "reported": self.reported,
            "rate": self.rate,
        }


def _entries(user, plan: WorkPlan):
    reports = CountryReport.objects.restrict(user).approved().filter(cycle__plan=plan)
    return ActivityStatus.objects.filter(report__in=reports).filter(COUNTED)


def implementation_rates(user, plan: WorkPlan, by: str) -> list[Rate]:
    """Rates per `by` (section, component, working_group, member_state) and year: one query."""
    key, label = _FIELDS[Breakdown(by)]
    rows = (
        _entries(user, plan)
        .order_by()
        .values(k=F(key), l=F(label), year=F("report__cycle__year"))
        .annotate(
            implemented=Count("id", filter=Q(status__in=IMPLEMENTED)),
            reported=Count("id"),
        )
        .order_by("year", "k")
    )
    return [
        Rate(
            key="" if r["k"] is None else str(r["k"]),
            label=r["l"] or "",
            year=r["year"],
            implemented=r["implemented"],
            reported=r["reported"],
        )
        for r in rows
    ]


def implementation_matrix(user, plan: WorkPlan, first_year: int, last_year: int) -> list[dict]:
    """The heat map of a period: per component and Member State, the activity statuses
    reported and those completed or ongoing, over the approved reports of `first_year` to
    `last_year`: one query."""
    return list(
        _entries(user, plan)
        .filter(report__cycle__year__gte=first_year, report__cycle__year__lte=last_year)
        .order_by()
        .values(
            component=F("activity__component__number"),
            member_state=F("report__member_state__code"),
        )
        .annotate(
            implemented=Count("id", filter=Q(status__in=IMPLEMENTED)),
            reported=Count("id"),
        )
        .order_by("component", "member_state")
    )


def lagging_activities(user, plan: WorkPlan, year: int) -> list[dict]:
    """Activities reported by at least one Member State in `year` that none reported as
    completed or ongoing: one query."""
    return list(
        _entries(user, plan)
        .filter(report__cycle__year=year)
        .order_by()
        .values(code=F("activity__code"), order=F("activity__order"))
        .annotate(
            implemented=Count("id", filter=Q(status__in=IMPLEMENTED)),
            reported=Count("id"),
        )
        .filter(implemented=0)
        .order_by("order")
        .values("code", "reported")
    )


def long_not_started(user, plan: WorkPlan, years: int = NOT_STARTED_YEARS) -> list[dict]:
    """(Member State, activity) pairs reported "not started" in `years` or more approved
    reports (cycle years): one query."""
    return list(
        _entries(user, plan)
        .filter(status=ImplementationStatus.NOT_STARTED)
        .order_by()
        .values(member_state=F("report__member_state__code"), code=F("activity__code"))
        .annotate(
            years=Count("report__cycle__year", distinct=True),
            first=Min("report__cycle__year"),
            last=Max("report__cycle__year"),
        )
        .filter(years__gte=years)
        .order_by("member_state", "code")
    )
