"""The Django side of the benchmark, run in a subprocess per step (so that each step's peak
memory is its own, and the database is the one of DATABASE_URL):

    python -m bench.worker setup                 migrate, `pantau setup`; prints the indicators
    python -m bench.worker import FILE           services.run_import as the operator; prints
                                                 the seconds it took and its counts
    python -m bench.worker read FILE             the import's reading of FILE alone (every row
                                                 parsed and checked, nothing compared or
                                                 written); prints the seconds (bench/floors.py)
    python -m bench.worker refresh               the published totals rebuilt from the stored
                                                 values (`pantau statistics refresh-totals`),
                                                 as a publication does; prints the seconds
    python -m bench.worker aggregate N           N requests to the API and N runs of the same
                                                 GROUP BY in SQL; prints both medians (ms)
    python -m bench.worker documents N           N synthetic published clearinghouse items
                                                 stored and indexed for full-text search
    python -m bench.worker search Q              Q full-text queries as the browse page makes
                                                 them, and the same match in bare SQL; prints
                                                 both medians and p99 (ms)
    python -m bench.worker entry N               N saves of a full data-entry form (every cell
                                                 changed) as its Member State's focal point;
                                                 prints the median and p90 of the POST (ms)

Each prints one JSON object on its last line of output."""

import json
import os
import resource
import statistics
import sys
import time

AGGREGATE_URL = "/api/v1/data/DRUG_SEIZURE?REF_AREA=ASEAN&group_by=REF_AREA,TIME_PERIOD"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def setup() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from pantau.site.setup import load_reference_and_catalogues
    from pantau.statistics.models import Indicator

    load_reference_and_catalogues()
    return {"indicators": dict(Indicator.objects.values_list("code", "pk"))}


def run_import(path: str) -> dict:
    from pantau.core.actors import SystemActor
    from pantau.statistics.ingest.pipeline import run_import

    start = time.perf_counter()
    result = run_import(
        acting_user=SystemActor("pantau import"),
        system=True,
        path=path,
        publish=True,
        source="Pantau benchmark (synthetic data)",
    )
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "counts": result.counts,
        "ok": result.ok,
        "problems": [p.as_dict() for p in result.problems[:5]],
    }


def read(path: str) -> dict:
    """The part of an import no database can take over: reading and checking every row."""
    from pathlib import Path

    from pantau.statistics.ingest.pipeline import _parse
    from pantau.statistics.snapshot import Structure

    # In this process (an import parses in a bounded child process and reads the rows back
    # from its spool: that hand-over is the import's own cost, not the floor's).
    start = time.perf_counter()
    rows = problems = 0
    for item in _parse(Path(path), Structure.load(), None):
        if isinstance(item[0], int):
            rows += 1
            problems += len(item[2])
    return {"seconds": time.perf_counter() - start, "rows": rows, "problems": problems}


def refresh() -> dict:
    """The stored values are bulk-loaded as published, outside the services: their totals are
    refreshed the way publication refreshes them (all of them at once)."""
    from pantau.statistics.read.totals import refresh_all_published_totals

    start = time.perf_counter()
    rows = refresh_all_published_totals()
    return {"seconds": time.perf_counter() - start, "rows": rows}


def raw_group_by_sql() -> str:
    """The database's own GROUP BY over the raw rows: the published annual values of the
    indicator at the totals of every dimension (what the API sums), per area, period and unit
    kind."""
    years_only = "time_period NOT LIKE %s"
    return (
        "SELECT ref_area, time_period, unit_kind, SUM(obs_value) "
        "FROM statistics_datavalue "
        "WHERE indicator_id = %s AND status = 'published' AND "
        "drug = '_T' AND precursor = '_T' AND sex = '_T' AND age = '_T' AND "
        "nationality = '_T' AND offence = '_T' AND crop = '_T' AND "
        f"{years_only} "
        "GROUP BY ref_area, time_period, unit_kind"
    )


def aggregate(n: int) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from pantau.statistics.models import Indicator
    from pantau.statistics.read.querysets import forget_versions

    indicator = Indicator.objects.get(code="DRUG_SEIZURE").pk
    sql = raw_group_by_sql()
    params: list[int | str] = [indicator, "%-%"]
    client = Client()

    def request() -> dict:
        response = client.get(AGGREGATE_URL)
        if response.status_code != 200:
            raise SystemExit(f"{AGGREGATE_URL}: {response.status_code} {response.content[:500]!r}")
        return response.json()

    def query() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def cold_request() -> dict:
        # Nothing kept from the previous request: the state is read again and the answer
        # built again from the published totals (for information, beside the figure).
        cache.clear()
        forget_versions()
        return request()

    # Warm both (connection, caches), then alternate so that noise hits both alike.
    api_rows = request()["observations"]
    sql_rows = query()
    api_times, sql_times, cold_times = [], [], []
    for _ in range(n):
        start = time.perf_counter()
        request()
        api_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        query()
        sql_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        cold_request()
        cold_times.append(time.perf_counter() - start)
    # The same figures: the API's regional sums are the sums of the raw groups.
    expected: dict[tuple[str, str], float] = {}
    for _area, period, kind, total in sql_rows:
        expected[(period, kind)] = expected.get((period, kind), 0.0) + total
    got = {
        (r["TIME_PERIOD"], kind): r["OBS_VALUE"]
        for r in api_rows
        for kind in [_KIND_OF_UNIT.get(r["UNIT_MEASURE"], r["UNIT_MEASURE"])]
    }
    mismatched = [
        k for k in expected if abs(got.get(k, -1) - expected[k]) > 1e-6 * max(1, expected[k])
    ]
    return {
        "api_ms": statistics.median(api_times) * 1000,
        "sql_ms": statistics.median(sql_times) * 1000,
        "cold_api_ms": statistics.median(cold_times) * 1000,
        "api_rows": len(api_rows),
        "sql_groups": len(sql_rows),
        "mismatched": [list(k) for k in mismatched[:5]],
    }


_KIND_OF_UNIT = {"KG": "mass", "L": "volume", "UNIT": "dosage"}


# --- clearinghouse search --------------------------------------------------------------------

SYLLABLES = [c + v for c in "bdgklmnprstw" for v in ("a", "e", "i", "o", "u", "ai", "ang")]


def _vocabulary(size: int = 30_000) -> list[str]:
    """Pronounceable words, distinct, ranked (the first are the commonest: Zipf draws)."""
    import random

    rng = random.Random(7)
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def _zipf_draws(rng, vocabulary: list[str], k: int) -> list[str]:
    import itertools

    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    return rng.choices(vocabulary, cum_weights=weights, k=k)


def documents(n: int) -> dict:
    """N published items of 8-word titles and 250-word texts (Zipf-distributed words), stored
    with bulk_create and indexed with the statements of clearinghouse.search.index_document,
    in batches."""
    import random

    from django.db import connection, transaction

    from pantau.clearinghouse import search
    from pantau.clearinghouse.models import Document

    rng = random.Random(11)
    vocabulary = _vocabulary()
    start = time.perf_counter()
    batch = 2000
    done = 0
    while done < n:
        size = min(batch, n - done)
        words = _zipf_draws(rng, vocabulary, size * 258)
        docs = [
            Document(
                title=" ".join(words[i * 258 : i * 258 + 8]).capitalize(),
                year=2016 + (done + i) % 10,
                type=("research", "evaluation", "guideline", "dataset")[(done + i) % 4],
                language=("en", "en", "id", "th", "vi")[(done + i) % 5],
                text=" ".join(words[i * 258 + 8 : (i + 1) * 258]),
                state="published",
            )
            for i in range(size)
        ]
        with transaction.atomic():
            created = Document.objects.bulk_create(docs)
            if connection.vendor == "sqlite" and created[0].pk is None:
                raise RuntimeError("bulk_create gave no primary keys")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.executemany(
                        search.PG_INSERT,
                        [
                            search.pg_row(d.pk, d.title.lower().split(), d.text.split())
                            for d in created
                        ],
                    )
                else:
                    cursor.executemany(
                        f"INSERT INTO {search.SQLITE_TABLE} (rowid, title, body) "  # nosec B608
                        "VALUES (%s, %s, %s)",
                        [(d.pk, d.title.lower(), d.text) for d in created],
                    )
        done += size
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as autovacuum does after so many inserts (PostgreSQL 13+):
        # until then no page is marked all-visible, so a search's index-only lookups of the
        # items it finds go to their rows (760 ms instead of 50 a query at 100,000 items).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"documents": n, "seconds": time.perf_counter() - start}


def search_queries(q: int) -> dict:
    """Q queries of one to three words drawn as people type them (common words more often):
    each as the browse page runs it (clearinghouse.querysets.search_documents as the public:
    the count, the first page of 20 ranked items, the facets), and the bare match in SQL (the
    matching ids, ranked, the first 20)."""
    import random

    from django.db import connection

    from pantau.clearinghouse import search
    from pantau.clearinghouse.querysets import Filters, search_documents
    from pantau.clearinghouse.text import query_terms

    rng = random.Random(13)
    vocabulary = _vocabulary()
    queries = [" ".join(_zipf_draws(rng, vocabulary[:3000], rng.randint(1, 3))) for _ in range(q)]

    def page(text: str) -> int:
        result = search_documents(None, Filters(q=text))
        count = result.total()  # as the browse page's paginator counts
        result.items("member_states")[0:20]
        return count

    def bare(text: str) -> int:
        words = query_terms(text)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT document_id, {search.pg_rank_sql()} AS r FROM {search.PG_TABLE} "  # nosec B608
                    "WHERE vector @@ %s::tsquery ORDER BY r DESC LIMIT 20",
                    [search._pg_tsquery(words, "|"), search._pg_tsquery(words)],
                )
            else:
                cursor.execute(
                    f"SELECT rowid FROM {search.SQLITE_TABLE} WHERE {search.SQLITE_TABLE} "  # nosec B608
                    f"MATCH %s ORDER BY bm25({search.SQLITE_TABLE}, 5.0, 1.0) LIMIT 20",
                    [search._sqlite_match(words)],
                )
            return len(cursor.fetchall())

    page(queries[0])  # warm-up
    page_ms, bare_ms, hits = [], [], []
    for text in queries:
        t0 = time.perf_counter()
        hits.append(page(text))
        t1 = time.perf_counter()
        bare(text)
        t2 = time.perf_counter()
        page_ms.append((t1 - t0) * 1000)
        bare_ms.append((t2 - t1) * 1000)

    def p99(values: list[float]) -> float:
        return sorted(values)[min(len(values) - 1, round(0.99 * (len(values) - 1)))]

    return {
        "queries": q,
        "page_median_ms": statistics.median(page_ms),
        "page_p99_ms": p99(page_ms),
        "bare_median_ms": statistics.median(bare_ms),
        "bare_p99_ms": p99(bare_ms),
        "median_hits": statistics.median(hits),
        "max_hits": max(hits),
    }


# --- data entry ----------------------------------------------------------------------------

ENTRY_STATE = "TH"
ENTRY_GROUP = "treatment"  # the largest form: admissions and users, every drug by sex


def _form_fields(page: str) -> dict[str, str]:
    """What a browser sends back: every input, and the selected option of every select."""
    import html
    import re

    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            data[name[1]] = html.unescape(value[1]) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]+)"[^>]*selected', options)
        first = re.search(r'<option value="([^"]+)"', options)
        data[name] = chosen[1] if chosen else (first[1] if first else "")
    return data


def entry(n: int) -> dict:
    """N saves of one full data-entry form as a focal point signed in (two factors verified):
    the treatment form (the largest: 90 cells) of a year of the state that has no published
    value in it (every cell is an input), every cell typed with a new value each time (a
    total of a by-sex row as female + male), so that each save writes every cell (a new
    version, the replaced one to its history). One warm-up save first (it
    creates the values). Only the POST is timed; the form is opened again before each save
    (as a browser would, for the versions)."""
    from urllib.parse import urlencode

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pantau.accounts.models import User
    from pantau.statistics.ingest.entry import entry_years

    user = User.objects.get(username=f"{ENTRY_STATE.lower()}.focal")
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # what django_otp.login records after the code
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    url = page = None
    for year in reversed(entry_years()):
        url = reverse("statistics:entry", args=[ENTRY_STATE, year, ENTRY_GROUP])
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        page = response.content.decode()
        if "readonly-value" not in page:
            break
    else:
        raise SystemExit("no entry form without published values")
    assert url is not None and page is not None
    cells = sorted(k for k in _form_fields(page) if k.endswith(".value"))
    times = []
    for i in range(n + 1):
        data = _form_fields(page)
        # A different figure in every cell at every save (no thousands separators).
        for j, name in enumerate(cells):
            data[name] = str(1000 + 7 * i + j)
        for name in cells:  # by sex: the total is checked against female + male
            stem = name.removesuffix(".F.value")
            if stem != name and f"{stem}._T.value" in data:
                female, male = int(data[name]), int(data[f"{stem}.M.value"])
                data[f"{stem}._T.value"] = str(female + male)
        body = urlencode(data)  # as the browser sends the form (not multipart)
        start = time.perf_counter()
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        elapsed = time.perf_counter() - start
        if response.status_code != 302 or response["Location"] != url:
            raise SystemExit(f"{url}: {response.status_code} {response.content[:2000]!r}")
        if i:  # the first save is the warm-up
            times.append(elapsed)
        page = client.get(url).content.decode()
    times.sort()
    return {
        "url": url,
        "cells": len(cells),
        "saves": n,
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": times[min(len(times) - 1, round(0.9 * (len(times) - 1)))] * 1000,
        "debug": settings.DEBUG,
    }


def peak_rss_mb() -> float:
    """The peak resident set of this process, from start to now. Linux: VmHWM, the high-water
    mark of this program's own memory. Not getrusage's ru_maxrss: Linux carries that across
    exec, so a worker started by a parent holding a million rows would report the parent's
    size."""
    try:
        for line in open("/proc/self/status"):  # noqa: SIM115 - read to the line and closed
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    _django()
    command = argv[0]
    if command == "setup":
        out = setup()
    elif command == "import":
        out = run_import(argv[1])
    elif command == "read":
        out = read(argv[1])
    elif command == "refresh":
        out = refresh()
    elif command == "aggregate":
        out = aggregate(int(argv[1]))
    elif command == "documents":
        out = documents(int(argv[1]))
    elif command == "search":
        out = search_queries(int(argv[1]))
    elif command == "entry":
        out = entry(int(argv[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    # The peak resident set of this process, from start to now (Linux: in kilobytes).
    out["max_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
