"""Full-text search in the database itself: an FTS5 table on SQLite, a tsvector with a GIN
index on PostgreSQL (both created by migration 0002). Both index the terms of text.py, so the
same query finds the same items on either; only the ranking functions differ (bm25 and
ts_rank). The index holds every item; who sees what is the restricted queryset's business."""

from django.db import connection
from django.db.models import QuerySet

from .text import query_terms, terms

SQLITE_TABLE = "clearinghouse_document_fts"
PG_TABLE = "clearinghouse_document_search"
# A tsvector holds at most 1 MB of lexemes; a long report's distinct terms stay well below.
MAX_PG_TERMS = 50_000


def _title_and_body(document) -> tuple[list[str], list[str]]:
    title = terms(document.title)
    body = terms(
        " ".join(
            [
                document.abstract,
                document.keywords,
                document.authors,
                document.text,
            ]
        )
    )
    return title, body


def index_document(document) -> None:
    """(Re)write the item's row in the search index, inside the caller's transaction."""
    title, body = _title_and_body(document)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {PG_TABLE} WHERE document_id = %s", [document.pk])  # noqa: S608  # nosec B608
            body_terms = list(dict.fromkeys(body))[:MAX_PG_TERMS]
            cursor.execute(
                f"INSERT INTO {PG_TABLE} (document_id, vector) VALUES (%s, "  # noqa: S608  # nosec B608
                "setweight(array_to_tsvector(%s::text[]), 'A') || "
                "setweight(array_to_tsvector(%s::text[]), 'D'))",
                [document.pk, list(dict.fromkeys(title)), body_terms],
            )
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [document.pk])  # noqa: S608  # nosec B608
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608  # nosec B608
                [document.pk, " ".join(title), " ".join(body)],
            )


def _sqlite_match(words: list[str]) -> str:
    # Every term a quoted string: FTS5 reads nothing of the user's input as its query syntax.
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _pg_tsquery(words: list[str]) -> str:
    # Lexemes quoted for a tsquery literal (cast, not to_tsquery: no parsing, no stemming).
    return " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)


def matching(queryset: QuerySet, query: str) -> QuerySet | None:
    """`queryset` narrowed to the items matching every term of `query`, annotated with
    `rank` (higher is better); None when the query has no term at all."""
    words = query_terms(query)
    if not words:
        return None
    table = queryset.model._meta.db_table
    # The index joined once, its rank computed in that join: a rank subquery per matching item
    # ran the whole match again for each (10,000 matches: 28 s on SQLite; see bench/README.md).
    if connection.vendor == "postgresql":
        tsquery = _pg_tsquery(words)
        joined = queryset.extra(  # noqa: S610 - constant names; the query is a parameter  # nosec B610
            select={"rank": f"ts_rank({PG_TABLE}.vector, %s::tsquery)"},
            select_params=[tsquery],
            tables=[PG_TABLE],
            where=[f'{PG_TABLE}.document_id = "{table}"."id"', f"{PG_TABLE}.vector @@ %s::tsquery"],
            params=[tsquery],
        )
    else:
        match = _sqlite_match(words)
        joined = queryset.extra(  # noqa: S610 - constant names; the query is a parameter  # nosec B610
            select={"rank": f"-bm25({SQLITE_TABLE}, 5.0, 1.0)"},
            tables=[SQLITE_TABLE],
            where=[f'{SQLITE_TABLE}.rowid = "{table}"."id"', f"{SQLITE_TABLE} MATCH %s"],
            params=[match],
        )
    return joined.order_by("-rank", "-year", "-id")
