"""Full-text search in the database itself: an FTS5 table on SQLite, a tsvector with a GIN
index on PostgreSQL (both created by migration 0002). Both index the terms of text.py, so the
same query finds the same items on either; only the ranking functions differ (bm25 and
ts_rank). The index holds every item; who sees what is the restricted queryset's business."""

from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

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
    if connection.vendor == "postgresql":
        tsquery = _pg_tsquery(words)
        ids = RawSQL(  # noqa: S611 - table names are constants, input is a parameter  # nosec B611
            f"SELECT document_id FROM {PG_TABLE} WHERE vector @@ %s::tsquery",  # noqa: S608  # nosec B608
            [tsquery],
        )
        rank = RawSQL(  # noqa: S611 - table names are constants, input is a parameter  # nosec B611
            f"SELECT ts_rank(vector, %s::tsquery) FROM {PG_TABLE} "  # noqa: S608  # nosec B608
            f'WHERE document_id = "{table}"."id"',
            [tsquery],
            output_field=FloatField(),
        )
    else:
        match = _sqlite_match(words)
        ids = RawSQL(  # noqa: S611 - table names are constants, input is a parameter  # nosec B611
            f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s",  # noqa: S608  # nosec B608
            [match],
        )
        rank = RawSQL(  # noqa: S611 - table names are constants, input is a parameter  # nosec B611
            f"SELECT -bm25({SQLITE_TABLE}, 5.0, 1.0) FROM {SQLITE_TABLE} "  # noqa: S608  # nosec B608
            f'WHERE {SQLITE_TABLE} MATCH %s AND rowid = "{table}"."id"',
            [match],
            output_field=FloatField(),
        )
    return (
        queryset.filter(pk__in=ids)
        .annotate(rank=rank)
        .order_by(F("rank").desc(nulls_last=True), "-year", "-id")
    )
