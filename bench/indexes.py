"""Which statements read the values' table, and which of its indexes each one uses.

    DATABASE_URL=... python -m bench.indexes [--stored 200000] [--draft 0.1]

On the database of DATABASE_URL (an empty one: it is migrated and set up, then loaded): the
stored observations of the benchmark's data set are bulk-loaded (a share `--draft` of them left
as drafts), analysed, then the application's own read paths run (the API's data calls, the
public pages, the import's comparison, the publication of a country-year, the data checks, the
exports, the analytics and the review's counts). Every statement they send that names the
values' table is captured and explained: `EXPLAIN (ANALYZE)` on PostgreSQL, `EXPLAIN QUERY
PLAN` on SQLite, and the indexes of the values' table the plan names are listed per statement.
Prints one JSON object on its last line: {index: [the paths whose statements use it]}."""

import argparse
import datetime
import json
import os
import re
import sys
from collections import defaultdict

TABLE = "statistics_datavalue"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def load(stored: int, draft: float) -> None:
    from django.db import connection

    from bench import data
    from bench.run import COLUMNS, value_rows
    from bench.worker import setup

    indicators = setup()["indicators"]
    utc = datetime.datetime.now(datetime.UTC)
    now: datetime.datetime | str = (
        utc.replace(tzinfo=None).isoformat(sep=" ") if connection.vendor == "sqlite" else utc
    )
    every = round(1 / draft) if draft else 0
    status = COLUMNS.index("status")
    rows = [
        (*row[:status], "draft", *row[status + 1 :]) if every and i % every == 0 else row
        for i, row in enumerate(value_rows(data.Metadata(), stored, indicators, now))
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})",  # nosec B608
                rows,
            )
        cursor.execute("ANALYZE")


def paths():
    """(name, callable) of each read path."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.db.models import Count, Q
    from django.test import Client

    from pantau.analytics.explore import explore
    from pantau.statistics.checks.tasks import run_checks_after_import
    from pantau.statistics.exchange.exports import read as export_read
    from pantau.statistics.exchange.exports import selection
    from pantau.statistics.ingest.staging import stored
    from pantau.statistics.models import DataValue, Indicator
    from pantau.statistics.read.services import values_of
    from pantau.statistics.read.totals import refresh_all_published_totals

    def page(url: str):
        def get() -> None:
            cache.clear()
            answer = Client().get(url)
            assert answer.status_code == 200, (url, answer.status_code)

        return get

    seizure = Indicator.objects.get(code="DRUG_SEIZURE")

    return [
        ("refresh published totals", refresh_all_published_totals),
        (
            "API data, ASEAN by area and period",
            page("/api/v1/data/DRUG_SEIZURE?REF_AREA=ASEAN&group_by=REF_AREA,TIME_PERIOD"),
        ),
        ("API data, one state", page("/api/v1/data/DRUG_SEIZURE?REF_AREA=TH")),
        ("portal home", page("/portal/")),
        ("portal country", page("/portal/TH/")),
        ("portal indicator", page("/portal/statistics/DRUG_SEIZURE/")),
        ("import comparison (staging.stored)", lambda: stored("TH", 2020)),
        (
            "publication (read.services.values_of drafts)",
            lambda: list(values_of("TH", 2020).filter(status="draft").values_list("id")),
        ),
        ("data checks after an import", lambda: run_checks_after_import.call(None, ["TH"], 2020)),
        (
            "export (exchange.exports.read)",
            lambda: list(
                export_read(
                    AnonymousUser(), selection(indicators="DRUG_SEIZURE", ref_areas="TH")
                ).rows
            ),
        ),
        (
            "analytics explore",
            lambda: explore(
                AnonymousUser(), seizure, areas=["TH", "MY", "ASEAN"], periods="2016:2020"
            ),
        ),
        (
            # The statement of reviews.snapshot._completeness (which needs a whole exercise).
            "review completeness",
            lambda: list(
                DataValue.objects.restrict(AnonymousUser())
                .published()
                .filter(year__gte=2016, year__lte=2020)
                .order_by()
                .values("ref_area", "year")
                .annotate(n=Count("id"))
            ),
        ),
        (
            # reporting.querysets: a country report's statistics, counted.
            "country report's statistics (reporting)",
            lambda: DataValue.objects.filter(
                Q(ref_area="TH") | Q(ref_area__startswith="TH-"), year=2020
            ).aggregate(
                indicators=Count("indicator", distinct=True),
                draft=Count("id", filter=Q(status="draft")),
            ),
        ),
        (
            # ingest.entry: the data-entry form's stored values and the earlier years'.
            "data-entry form",
            lambda: (
                list(
                    DataValue.objects.filter(
                        ref_area="TH", time_period="2020", indicator__in=[seizure.pk]
                    ).select_related("updated_by")
                ),
                list(
                    DataValue.objects.filter(
                        ref_area="TH", year__lt=2020, indicator__in=[seizure.pk], is_derived=False
                    )
                    .exclude(time_period__contains="-")
                    .values_list("obs_value")
                ),
                list(
                    DataValue.objects.filter(ref_area__in=["TH", "MY"], year__in=[2020])
                    .exclude(time_period__contains="-")
                    .order_by()
                    .values_list("ref_area", "year", "indicator__code")
                    .annotate(n=Count("id"))
                ),
            ),
        ),
        (
            "metadata: values of an indicator",
            lambda: DataValue.objects.filter(indicator=seizure).exists(),
        ),
    ]


INDEX_NAME = re.compile(
    r"(?:USING (?:COVERING )?INDEX|Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on)"
    r" \"?(\w+)"
)


def explain(sql: str, params) -> tuple[str, set[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
    return plan, set(INDEX_NAME.findall(plan))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=200_000)
    parser.add_argument("--draft", type=float, default=0.1)
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args(argv)
    _django()
    from django.db import connection

    if not args.no_load:
        load(args.stored, args.draft)
    used: dict[str, list[str]] = defaultdict(list)
    for name, run in paths():
        captured: list[tuple[str, object]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            if TABLE in sql and not many and sql.lstrip().upper().startswith("SELECT"):
                captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            try:
                run()
            except Exception as exc:  # reported; the other paths go on
                print(f"## {name}: failed: {exc!r}")
                continue
        print(f"## {name}: {len(captured)} statement(s) on the values' table")
        for sql, params in captured:
            plan, indexes = explain(sql, params)
            print(f"-- {sql[:300]}{'...' if len(sql) > 300 else ''}")
            print("   " + plan.replace("\n", "\n   "))
            for index in indexes:
                if name not in used[index]:
                    used[index].append(name)
    print(json.dumps(used))


if __name__ == "__main__":
    main(sys.argv[1:])
