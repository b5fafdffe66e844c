from datetime import date, datetime

from ninja import Schema


class Error(Schema):
    detail: str


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


class AgencyOut(Schema):
    id: int
    name: str
    acronym: str
    kind: str
    is_lead: bool
    website: str
    email: str
    address: str
    version: int


class AgencyPatch(Schema):
    name: str | None = None
    acronym: str | None = None
    website: str | None = None
    email: str | None = None
    address: str | None = None


class MemberStateOut(Schema):
    code: str
    name: str
    official_name: str
    joined_on: date
    left_on: date | None
    agencies: list[AgencyOut]


class RoleOut(Schema):
    role: str
    member_state: str | None
    working_group: str | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    member_state: str
    before: dict | list | None
    after: dict | list | None
    request_id: str
    hash: str
