"""The caller in the API."""

from ninja import Schema


class RoleOut(Schema):
    role: str
    member_state: str | None
    working_group: str | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
