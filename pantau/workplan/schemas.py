"""The Work Plan in the API."""

from datetime import date

from ninja import Schema


class ChildActivityOut(Schema):
    code: str
    label: str
    text: str


class ActivityOut(Schema):
    code: str
    label: str
    heading: str
    text: str
    reportable: bool
    children: list[ChildActivityOut]


class TargetOut(Schema):
    numeral: str
    text: str


class ComponentOut(Schema):
    number: int
    text: str
    working_group: str | None
    targets: list[TargetOut]
    activities: list[ActivityOut]


class SectionOut(Schema):
    numeral: str
    title: str
    responsible: str
    working_group: str | None
    components: list[ComponentOut]


class ReviewOut(Schema):
    year: int
    kind: str
    conducted_by: str
    assisted_by: str


class WorkPlanSummary(Schema):
    code: str
    title: str
    period_start: int
    period_end: int
    adopted_by: str
    adopted_at: str
    adopted_on: date | None
    adopted_year: int | None
    predecessor: str | None
    successor: str | None
    url: str


class WorkPlanOut(WorkPlanSummary):
    counts: dict[str, int]
    working_groups: list[dict[str, str]]
    sections: list[SectionOut]
    reviews: list[ReviewOut]
