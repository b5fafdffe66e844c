"""The `api` and `page` figures (bench/site.py): Pantau served by `pantau serve` (granian, as
`make run` serves it), loaded by wrk (64 connections on loopback) and by headless Chromium.

The limit of each is a hello-world Django view served the same way: `pantau serve` with
DJANGO_SETTINGS_MODULE=bench.hello (the application's settings and middleware, a URLconf with
`/bench-hello/` added; production never names it), measured in the same run, just before."""

import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .run import ROOT, Figure

PANTAU = Path(sys.executable).parent / "pantau"
WRK = "/usr/bin/wrk"
CHROMIUM = "/usr/bin/chromium"
CONNECTIONS = 64
DATA_CALL = "/api/v1/data/DRUG_SEIZURE?REF_AREA=ASEAN&group_by=REF_AREA,TIME_PERIOD"
PUBLIC_PAGE = "/portal/"
HELLO = "/bench-hello/"
PAGES = ["/portal/", "/portal/TH/"]
LOADS = 5
WARM_UP = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# As in production (docs/deploy.md): PANTAU_ENV=production, so `pantau serve` collects the
# static files, compressed, and WhiteNoise serves them gzip/brotli with far-future caching;
# plain HTTP on loopback (no TLS redirect: the proxy's business).
PRODUCTION = {
    "PANTAU_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "DEBUG": "0",
}


@contextmanager
def served(env: dict, settings: str = "config.settings"):
    """`pantau serve` on a free port, as in production, until the block ends; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [str(PANTAU), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env | PRODUCTION | {"DJANGO_SETTINGS_MODULE": settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310  # nosec B310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"pantau serve did not start: {process.stderr.read().decode()[-2000:]}"  # type: ignore[union-attr]
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, duration: int) -> dict:
    """wrk's requests/s, p99 latency (ms) and non-2xx/3xx answers, 64 connections."""
    urllib.request.urlopen(url, timeout=30).read()  # noqa: S310  # nosec B310 - it answers
    # Warm every worker process and thread first (WARM_UP s at the same concurrency, not
    # counted). One request warmed one worker only: the others loaded Django's URLconf during
    # the measured run, and wrk's correction for coordinated omission turned those few
    # seconds-long waits into a p99 of 0.7-4 s for the hello world itself.
    for seconds, latency in ((WARM_UP, []), (duration, ["--latency"])):
        out = subprocess.run(
            [WRK, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", *latency, "--timeout", "10s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p99_ms": p99,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def load_pages(base: str, paths: list[str]) -> dict[str, dict]:
    """Each path loaded LOADS times in headless Chromium, a fresh context (no cache) each time:
    the median time from navigation start to the load event (ms) and the bytes transferred
    (the document and every resource: the Performance API's transferSize)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for path in paths:
                times, sizes, requests = [], [], []
                for _ in range(LOADS + 1):  # the first is a warm-up
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(base + path, wait_until="load")
                    timing = page.evaluate(
                        """() => {
                          const nav = performance.getEntriesByType('navigation')[0];
                          const res = performance.getEntriesByType('resource');
                          return {
                            load: nav.loadEventEnd - nav.startTime,
                            bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
                            requests: 1 + res.length,
                          };
                        }"""
                    )
                    context.close()
                    times.append(timing["load"])
                    sizes.append(timing["bytes"])
                    requests.append(timing["requests"])
                out[path] = {
                    "load_ms": statistics.median(times[1:]),
                    "bytes": statistics.median(sizes[1:]),
                    "requests": max(requests),
                }
        finally:
            browser.close()
    return out


def measure(backend: str, env: dict, duration: int, console, skip: set[str]) -> list[Figure]:
    figures: list[Figure] = []
    with served(env, "bench.hello") as base:
        if "api" not in skip:
            console.log(f"{backend}: wrk {duration} s, hello-world view")
            hello = wrk(base + HELLO, duration)
        hello_page = load_pages(base, [HELLO])[HELLO] if "page" not in skip else None
    with served(env) as base:
        if "api" not in skip:
            for name, path in (("api", DATA_CALL), ("api_page", PUBLIC_PAGE)):
                console.log(f"{backend}: wrk {duration} s, {path}")
                got = wrk(base + path, duration)
                note = (
                    f"GET {path}; {CONNECTIONS} connections, {duration} s; hello-world "
                    f"{hello['rps']:,.0f} req/s, p99 {hello['p99_ms']:.0f} ms"
                )
                if got["non_2xx"] or got["socket_errors"]:
                    note += f"; non-2xx {got['non_2xx']}, socket errors {got['socket_errors']}"
                figures += [
                    Figure(
                        name,
                        backend,
                        got["rps"],
                        "req/s",
                        hello["rps"],
                        got["rps"] / hello["rps"],
                        0.6,
                        ">=",
                        note,
                    ),
                    Figure(
                        f"{name}_p99",
                        backend,
                        got["p99_ms"],
                        "ms",
                        hello["p99_ms"],
                        got["p99_ms"] / hello["p99_ms"],
                        100,
                        "<",
                        f"p99 latency; limit: the hello-world view's p99; GET {path}",
                        target_on_value=True,
                    ),
                ]
        if "page" not in skip and hello_page is not None:
            console.log(f"{backend}: Chromium, {', '.join(PAGES)}")
            for path, got in load_pages(base, PAGES).items():
                name = "page_home" if path == "/portal/" else "page_country"
                figures += [
                    Figure(
                        name,
                        backend,
                        got["load_ms"],
                        "ms",
                        hello_page["load_ms"],
                        got["load_ms"] / hello_page["load_ms"],
                        1000,
                        "<",
                        f"{path} in headless Chromium, navigation start to load, median of "
                        f"{LOADS}, no cache; {got['requests']} requests; limit: the hello-world "
                        "page loaded the same way",
                        target_on_value=True,
                    ),
                    Figure(
                        f"{name}_bytes",
                        backend,
                        got["bytes"] / 1000,
                        "kB",
                        None,
                        None,
                        1000,
                        "<",
                        f"{path}: bytes transferred, the page and every resource",
                    ),
                ]
    return figures
