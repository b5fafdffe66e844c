"""PostgreSQL's search table gains the title's own small vector (the rank, see search.py) and
keeps the whole vector out of line: with toast_tuple_target at its minimum, a row is its id,
its title inline (storage MAIN) and a pointer, so a match that reads the GIN index and the
table never reads the body vectors. Every item is indexed again (the new column filled, the
rows rewritten under the new storage). Nothing changes on SQLite."""

from django.db import migrations

from pantau.clearinghouse.text import terms

TABLE = "clearinghouse_document_search"
BATCH = 500


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN title tsvector NOT NULL DEFAULT ''::tsvector"
    )
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN title SET STORAGE MAIN")
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    # As search.index_document writes a row (its statement repeated here: a migration keeps
    # the code of its day).
    insert = (
        f"INSERT INTO {TABLE} (document_id, title, vector) VALUES (%s, "  # noqa: S608  # nosec B608
        "array_to_tsvector(%s::text[]), array_to_tsvector(%s::text[]) || "
        "array_to_tsvector(%s::text[]))"
    )
    Document = apps.get_model("clearinghouse", "Document")
    fields = ("pk", "title", "abstract", "keywords", "authors", "text")
    rows = Document.objects.order_by("pk").values_list(*fields)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608  # nosec B608
        batch: list[tuple] = []
        for pk, title, abstract, keywords, authors, text in rows.iterator(chunk_size=BATCH):
            title_terms = list(dict.fromkeys(terms(title)))
            body = terms(" ".join([abstract, keywords, authors, text]))
            batch.append((pk, title_terms, title_terms, list(dict.fromkeys(body))[:50_000]))
            if len(batch) >= BATCH:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN title")


class Migration(migrations.Migration):
    dependencies = [("clearinghouse", "0002_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]
