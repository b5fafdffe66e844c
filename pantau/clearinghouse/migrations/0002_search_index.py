"""The full-text index, in each database's own kind: an FTS5 virtual table on SQLite, a table
of tsvectors with a GIN index on PostgreSQL (see search.py). Both hold the pre-computed
terms of text.py; the tokenizer `unicode61 remove_diacritics 2` applies no stemming."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE clearinghouse_document_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS clearinghouse_document_fts"]
POSTGRESQL = [
    "CREATE TABLE clearinghouse_document_search ("
    "document_id bigint PRIMARY KEY REFERENCES clearinghouse_document (id) "
    "DEFERRABLE INITIALLY DEFERRED, vector tsvector NOT NULL)",
    "CREATE INDEX clearinghouse_document_search_gin ON clearinghouse_document_search "
    "USING GIN (vector)",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS clearinghouse_document_search"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("clearinghouse", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
