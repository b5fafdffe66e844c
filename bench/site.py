"""The figures of the site as people use it (issue 23): api, page, review and search, on SQLite
and PostgreSQL, each beside a limit measured in the same run. See README.md.

    python -m bench.site [--backends sqlite,postgresql] [--duration 10] [--documents 20000]
                         [--queries 100] [--saves 20] [--skip review,search,entry]

Each backend: a fresh database (bench.run's SQLite file or PostgreSQL database), `migrate`,
`pantau setup`, `pantau demo load` (the demo's illustrative data set: its published figures,
reports and reviews), then
- api: `pantau serve` (granian, as `make run` serves) and wrk, 64 connections on loopback, for
  `--duration` seconds, on the published-data call and on the public home page; the limit is a
  hello-world Django view served the same way (bench/hello.py: the same settings and
  middleware, its own URLconf), measured just before them. bench/http.py.
- page: /portal/ and /portal/TH/ in headless Chromium (Playwright, /usr/bin/chromium), a fresh
  context per load: load time (navigation start to the load event) and bytes transferred,
  median of 5; the limit is the hello-world page loaded the same way.
- review: `pantau review build --kind end-of-term --year 2025` (HTML, PDF, XLSX), seconds.
- search: N synthetic published clearinghouse items, then Q queries as the browse page makes
  them (bench/worker.py `search`); the limit is the index's own ranked match in SQL.
- entry: `--saves` saves of a full data-entry form (the treatment form, the largest, of a
  Thai year without published values, every cell changed at each save) as the state's focal
  point, Django's test Client in a worker process (bench/worker.py `entry`); the POST's
  median, in ms.

Results are merged into bench/results.json (the figures of the same name and backend replaced).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from . import http
from .run import RESULTS, ROOT, Backend, Figure, PostgreSQL, SQLite, machine, table, worker

PANTAU = Path(sys.executable).parent / "pantau"


def pantau(env: dict, *args: str, timeout: float = 900) -> float:
    """Run `pantau ARGS`; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(PANTAU), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pantau {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return time.perf_counter() - start


def run_backend(backend: Backend, args, console: Console) -> list[Figure]:
    figures: list[Figure] = []
    var_dir = Path(tempfile.mkdtemp(prefix="pantau-bench-var-"))
    env = os.environ | {
        "DATABASE_URL": backend.url,
        "PANTAU_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    try:
        console.log(f"{backend.name}: migrate, setup, demo load")
        pantau(env, "migrate", "--noinput")
        pantau(env, "setup")
        pantau(env, "demo", "load")
        skip = set(args.skip.split(",")) if args.skip else set()
        if "api" not in skip or "page" not in skip:
            figures += http.measure(backend.name, env, args.duration, console, skip)
        if "review" not in skip:
            console.log(f"{backend.name}: pantau review build (end of term)")
            out = var_dir / "review-out"
            seconds = pantau(
                env,
                "review",
                "build",
                "--kind",
                "end-of-term",
                "--year",
                "2025",
                "--out",
                str(out),
            )
            files = sorted(p.name for p in out.iterdir()) if out.exists() else []
            figures.append(
                Figure(
                    "review",
                    backend.name,
                    seconds,
                    "s",
                    None,
                    None,
                    60,
                    "<=",
                    f"the demo data set; the command's wall time, Django's start included; "
                    f"files: {', '.join(files)}",
                )
            )
        if "entry" not in skip:
            console.log(f"{backend.name}: {args.saves} saves of a full data-entry form")
            saved = worker(backend, var_dir, "entry", str(args.saves)).out
            figures.append(
                Figure(
                    "entry",
                    backend.name,
                    saved["median_ms"],
                    "ms",
                    None,
                    None,
                    200,
                    "<=",
                    f"median of {saved['saves']} POSTs after a warm-up, each changing all "
                    f"{saved['cells']} cells of {saved['url']} (p90 {saved['p90_ms']:.0f} ms); "
                    "test Client, DEBUG off",
                    target_on_value=True,
                )
            )
        if "search" not in skip:
            console.log(f"{backend.name}: {args.documents:,} clearinghouse items")
            stored = worker(backend, var_dir, "documents", str(args.documents)).out
            console.log(
                f"{backend.name}: stored and indexed in {stored['seconds']:.0f} s; "
                f"{args.queries} queries"
            )
            result = worker(backend, var_dir, "search", str(args.queries)).out
            note = (
                f"{args.documents:,} items; {args.queries} queries of 1-3 words; "
                f"hits median {result['median_hits']:,.0f}, max {result['max_hits']:,}"
            )
            figures += [
                Figure(
                    "search",
                    backend.name,
                    result["page_median_ms"],
                    "ms",
                    result["bare_median_ms"],
                    result["page_median_ms"] / result["bare_median_ms"],
                    50,
                    "<=",
                    "median; " + note,
                    target_on_value=True,
                ),
                Figure(
                    "search_p99",
                    backend.name,
                    result["page_p99_ms"],
                    "ms",
                    result["bare_p99_ms"],
                    result["page_p99_ms"] / result["bare_p99_ms"],
                    None,
                    "<=",
                    "p99, for information; " + note,
                ),
            ]
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return figures


def merge(figures: list[Figure], info: dict, output: Path) -> None:
    """bench/results.json keeps every figure: those measured now replace the same name and
    backend."""
    try:
        kept = json.loads(output.read_text())
    except (OSError, ValueError):
        kept = []
    new = {(f.name, f.backend) for f in figures}
    kept = [f for f in kept if (f["name"], f["backend"]) not in new]
    output.write_text(
        json.dumps(kept + [f.as_dict() | {"run": info} for f in figures], indent=1) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--saves", type=int, default=20, help="saves of the entry form")
    parser.add_argument("--skip", default="", help="api,page,review,search,entry")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 150))
    started = time.perf_counter()
    figures: list[Figure] = []
    for name in args.backends.split(","):
        if name not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown backend {name!r}")
        backend: Backend = (
            SQLite()
            if name == "sqlite"
            else PostgreSQL(
                os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x"
            )
        )
        with backend:
            figures += run_backend(backend, args, console)
    console.print(table(figures, "Pantau benchmark: the site"))
    info = machine() | {
        "bench": "site",
        "duration": args.duration,
        "documents": args.documents,
        "queries": args.queries,
        "saves": args.saves,
        "seconds": round(time.perf_counter() - started),
    }
    console.print(info)
    merge(figures, info, args.output)
    console.print(f"written: {args.output}")
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
