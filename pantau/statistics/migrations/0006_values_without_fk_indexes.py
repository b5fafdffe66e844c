"""The values' table without the indexes of its foreign keys to the import and to the user who
wrote a value: no read filters on them, and each costs every import's insert (bench/README.md,
"Ingest and the values' table's indexes"). The foreign-key constraints stay.

Dropped by name rather than by AlterField: SQLite would rebuild the whole table (twice) for
what is a DROP INDEX."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "statistics_datavalue"
INDEXES = {
    "statistics_datavalue_data_import_id_caaa6634": "data_import_id",
    "statistics_datavalue_updated_by_id_04ba9eca": "updated_by_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0005_reference_values"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{TABLE}" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="datavalue",
                    name="data_import",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="values",
                        to="statistics.dataimport",
                    ),
                ),
                migrations.AlterField(
                    model_name="datavalue",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
