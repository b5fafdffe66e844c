"""The query planner's statistics, kept on SQLite.

PostgreSQL gathers them itself (autovacuum's ANALYZE). SQLite has none until ANALYZE runs, and
without them takes a wide unique key's first column for a selective one: the published totals'
query over 200,000 values scanned an indicator's every row (0.2 s) where, with statistics, it
seeks each branch of its OR in the key (0.01 s; bench/README.md, "The planner's statistics")."""

from django.db import connection

# Rows read per index by an ANALYZE: a bounded cost (~25 ms) however large the table, and
# enough for the planner to tell a selective column from one that is not.
ANALYSIS_LIMIT = 20_000


def keep_planner_statistics() -> None:
    """On SQLite, ANALYZE the tables this connection has queried whose statistics are missing
    or stale (grown 25-fold since the last), as `PRAGMA optimize` decides; a few microseconds
    when nothing is. Call after large writes, before the queries that follow them."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("PRAGMA optimize")
