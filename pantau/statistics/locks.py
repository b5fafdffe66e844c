"""The country-year lock that every writer of a Member State's values takes (imports, data
entry, publication), so that they take turns."""

import zlib

from django.db import connection


def lock_country_year(ref_area: str, year: int) -> None:
    """Make the writers of a Member State's values for a year (imports, data-entry forms,
    publication) take turns, until the current transaction ends. PostgreSQL: a transaction
    advisory lock; SQLite needs none (a write transaction locks the whole database)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [country_year_key(ref_area, year)])


def country_year_key(ref_area: str, year: int) -> int:
    """The advisory lock's key of a Member State's year (a sub-national area, TH-10, is its
    state's)."""
    state = ref_area.split("-", 1)[0]
    return zlib.crc32(f"statistics.datavalue:{state}:{year}".encode()) - (1 << 31)
