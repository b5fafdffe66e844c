"""Schemas every API router shares."""

from ninja import Schema


class Error(Schema):
    detail: str
