"""Full-text search in the database itself: an FTS5 table on SQLite, a tsvector with a GIN
index on PostgreSQL (both created by migration 0002). Both index the terms of text.py, so the
same query finds the same items on either; only the ranking differs. The index holds every
item; who sees what is the restricted queryset's business.

Ranking. SQLite: bm25 with the title weighted 5 to the body's 1 (a term in the title scores
more than any count of it in the body). PostgreSQL: the vectors hold terms without positions
(array_to_tsvector), so ts_rank over the whole vector could not tell a title from a body (its
weights live in positions) and gave every match about the same score, at the price of reading
every matching item's whole vector (849 ms a query at 20,000 items). The rank is now
ts_rank of the query's terms, any of them, over the title's own small vector (migration
0003): items with more of the terms in their title first, the rest newest first. The big
vector is stored out of line (toast_tuple_target), so the match reads the GIN index and a
narrow table, never the body vectors."""

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


# The row of one item: its id, the title's terms, the body's (distinct, in order).
PG_INSERT = (
    f"INSERT INTO {PG_TABLE} (document_id, title, vector) VALUES (%s, "  # noqa: S608  # nosec B608
    "array_to_tsvector(%s::text[]), array_to_tsvector(%s::text[]) || array_to_tsvector(%s::text[]))"
)


def pg_row(pk: int, title: list[str], body: list[str]) -> tuple:
    title_terms = list(dict.fromkeys(title))
    return (pk, title_terms, title_terms, list(dict.fromkeys(body))[:MAX_PG_TERMS])


def index_document(document) -> None:
    """(Re)write the item's row in the search index, inside the caller's transaction."""
    title, body = _title_and_body(document)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {PG_TABLE} WHERE document_id = %s", [document.pk])  # noqa: S608  # nosec B608
            cursor.execute(PG_INSERT, pg_row(document.pk, title, body))
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [document.pk])  # noqa: S608  # nosec B608
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608  # nosec B608
                [document.pk, " ".join(title), " ".join(body)],
            )


def _sqlite_match(words: list[str]) -> str:
    # Every term a quoted string: FTS5 reads nothing of the user's input as its query syntax.
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _pg_tsquery(words: list[str], operator: str = "&") -> str:
    # Lexemes quoted for a tsquery literal (cast, not to_tsquery: no parsing, no stemming).
    return f" {operator} ".join(
        "'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words
    )


def pg_rank_sql(table: str = PG_TABLE) -> str:
    """The rank of a match on PostgreSQL, its parameter the query's terms joined by `|`."""
    return f"ts_rank({table}.title, %s::tsquery)"


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
            select={"rank": pg_rank_sql()},
            select_params=[_pg_tsquery(words, "|")],
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
