"""Member States and agencies in the API."""

from datetime import date

from ninja import Schema


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
