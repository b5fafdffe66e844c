"""For information (issue 23): the aggregate of `bench.run` in DuckDB, a columnar engine people
might pick for it, over the same rows, beside SQLite and PostgreSQL running the same query
over the same rows in the same kind of table (no index: each engine scans).

    .venv/bin/pip install -e '.[bench]'        # DuckDB is a benchmark-only dependency
    .venv/bin/python -m bench.duckdb_compare --stored 1000000 [--backends sqlite,postgresql]

Prints one table and writes the figures (name `aggregate_scan`, backend duckdb / sqlite /
postgresql) into bench/results.json. Pantau's API does not scan: it answers from the published
totals (`aggregate` in bench.run), which is why its figure is compared with the database's own
GROUP BY there; this one says what a scan costs in each engine."""

import argparse
import csv
import datetime
import json
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import data
from .run import COLUMNS, DEFAULT_POSTGRES, RESULTS, PostgreSQL, value_rows

# The raw GROUP BY of bench.worker.raw_group_by_sql, with the indicator's id inlined.
GROUP_BY = (
    "SELECT ref_area, time_period, unit_kind, SUM(obs_value) FROM bench_values "
    "WHERE indicator_id = {indicator} AND status = 'published' AND drug = '_T' AND "
    "precursor = '_T' AND sex = '_T' AND age = '_T' AND nationality = '_T' AND "
    "offence = '_T' AND crop = '_T' AND time_period NOT LIKE '%-%' "
    "GROUP BY ref_area, time_period, unit_kind"
)
TYPES = {
    "indicator_id": "INTEGER",
    "year": "INTEGER",
    "obs_value": "DOUBLE PRECISION",
    "reported_value": "DOUBLE PRECISION",
    "data_import_id": "INTEGER",
    "is_derived": "BOOLEAN",
    "is_demo": "BOOLEAN",
    "version": "INTEGER",
    "updated_at": "TIMESTAMP",
    "updated_by_id": "INTEGER",
}


def _create(columns: tuple[str, ...]) -> str:
    body = ", ".join(f"{c} {TYPES.get(c, 'TEXT')}" for c in columns)
    return f"CREATE TABLE bench_values ({body})"


def write_csv(path: Path, stored: int, indicators: dict[str, int]) -> None:
    now = datetime.datetime(2026, 1, 1)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for r in value_rows(data.Metadata(), stored, indicators, now):
            out.writerow(["" if v is None else v for v in r])


def _median_ms(run, n: int) -> tuple[float, int]:
    rows = run()  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(rows)


def duckdb_figure(path: Path, indicator: int, n: int) -> dict:
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(_create(COLUMNS))
    con.execute(
        "INSERT INTO bench_values SELECT * FROM read_csv(?, header = true, nullstr = '')",
        [str(path)],
    )
    load = time.perf_counter() - start
    sql = GROUP_BY.format(indicator=indicator)
    ms, groups = _median_ms(lambda: con.execute(sql).fetchall(), n)
    return {"backend": "duckdb", "ms": ms, "groups": groups, "load_s": load}


def sqlite_figure(path: Path, indicator: int, n: int, folder: Path) -> dict:
    import sqlite3

    con = sqlite3.connect(folder / "compare.sqlite3")
    con.execute(_create(COLUMNS))
    start = time.perf_counter()
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        marks = ", ".join("?" for _ in COLUMNS)
        con.executemany(
            f"INSERT INTO bench_values VALUES ({marks})",  # nosec B608
            ([v if v != "" else None for v in r] for r in reader),
        )
    con.commit()
    load = time.perf_counter() - start
    sql = GROUP_BY.format(indicator=indicator)
    ms, groups = _median_ms(lambda: con.execute(sql).fetchall(), n)
    con.close()
    return {"backend": "sqlite", "ms": ms, "groups": groups, "load_s": load}


def postgres_figure(path: Path, indicator: int, n: int) -> dict:
    import os

    with PostgreSQL(os.environ.get("DATABASE_URL", DEFAULT_POSTGRES)) as pg:
        import psycopg

        with psycopg.connect(pg.url, autocommit=True) as con:
            con.execute(_create(COLUMNS))
            start = time.perf_counter()
            with (
                con.cursor().copy(
                    "COPY bench_values FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            con.execute("ANALYZE bench_values")
            load = time.perf_counter() - start
            sql = GROUP_BY.format(indicator=indicator)
            ms, groups = _median_ms(lambda: con.execute(sql).fetchall(), n)
    return {"backend": "postgresql", "ms": ms, "groups": groups, "load_s": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args(argv)
    console = Console()
    meta = data.Metadata()
    # Stable ids for the indicators (the bench's own, not a database's).
    indicators = {d["code"]: i + 1 for i, d in enumerate(meta.indicators)}
    indicator = indicators["DRUG_SEIZURE"]
    found = []
    with tempfile.TemporaryDirectory(prefix="pantau-duckdb-") as tmp:
        folder = Path(tmp)
        path = folder / "values.csv"
        console.log(f"writing {args.stored:,} rows")
        write_csv(path, args.stored, indicators)
        console.log("duckdb")
        found.append(duckdb_figure(path, indicator, args.queries))
        if "sqlite" in args.backends:
            console.log("sqlite")
            found.append(sqlite_figure(path, indicator, args.queries, folder))
        if "postgresql" in args.backends:
            console.log("postgresql")
            found.append(postgres_figure(path, indicator, args.queries))
    groups = {f["groups"] for f in found}
    if len(groups) != 1:
        raise SystemExit(f"the engines disagree on the number of groups: {found}")
    duck = found[0]["ms"]
    table = Table(title=f"The aggregate's GROUP BY as a scan of {args.stored:,} rows")
    for column in ("engine", "median ms", "vs DuckDB", "load s"):
        table.add_column(column)
    for f in found:
        table.add_row(
            f["backend"], f"{f['ms']:,.1f}", f"{f['ms'] / duck:,.1f}", f"{f['load_s']:.1f}"
        )
    console.print(table)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if r.get("name") != "aggregate_scan"]
    for f in found:
        results.append(
            {
                "name": "aggregate_scan",
                "backend": f["backend"],
                "value": round(f["ms"], 2),
                "unit": "ms",
                "limit": round(duck, 2),
                "ratio": round(f["ms"] / duck, 3),
                "target": None,
                "met": None,
                "note": f"for information; {args.stored:,} rows, no index, median of "
                f"{args.queries}; {f['groups']} groups; loaded in {f['load_s']:.1f} s",
            }
        )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
