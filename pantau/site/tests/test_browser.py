"""Browser tests: headless Chromium (the system's, never a downloaded one) drives a real
`pantau serve` with its own SQLite database in a temporary folder, set up the way `make run`
sets it up (migrate, setup, demo load). The test database is never touched."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[3]
PANTAU = Path(sys.executable).parent / "pantau"
STARTUP_TIMEOUT = 60
# The running server's environment, for `pantau` commands against its database.
SERVER_ENV: dict[str, str] = {}


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (Debian package chromium)"
    if os.environ.get("PANTAU_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on a free port; yields (base url, demo password)."""
    _require_browser()
    var = tmp_path_factory.mktemp("pantau-var")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PANTAU_ENV"}}
    env["PANTAU_VAR_DIR"] = str(var)
    SERVER_ENV.update(env)

    def pantau(*args: str) -> str:
        done = subprocess.run(
            [str(PANTAU), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"pantau {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
        return done.stdout

    pantau("migrate", "--noinput")
    pantau("setup")
    demo = pantau("demo", "load")
    password = re.search(r"password '([^']+)'", demo)
    assert password, f"`pantau demo load` printed no password:\n{demo}"

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (var / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(PANTAU), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{(var / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield url, password.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server[0])
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def row(page, code: str):
    # Activity codes contain dots: select by attribute, not by #id.
    return page.locator(f'tr[id="activity-{code}"]')


def test_workplan_page_shows_component_15_sub_activities(page):
    from playwright.sync_api import expect

    page.goto("/workplan/2016-2025/")
    sub_activities = [
        *(f"15.b.{n}" for n in ("i", "ii", "iii", "iv")),
        *(f"15.c.{n}" for n in ("i", "ii", "iii")),
        *(f"15.d.{n}" for n in ("i", "ii", "iii", "iv")),
    ]
    for code in sub_activities:
        expect(row(page, code)).to_be_visible()
    text = row(page, "15.d.iv").locator("td.child").inner_text()
    assert re.sub(r"^iv\.\s*", "", text).startswith(
        "develop an effective management information system"
    )
    expect(page.locator("#workplan-table thead th")).to_contain_text(["Implementation Status"])
    headers = page.locator("#workplan-table tr.section-row th").all_inner_texts()
    assert [h.split(".")[0] for h in headers] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    years = page.locator("#review-calendar tbody tr td:first-child").all_inner_texts()
    assert {"2018", "2020", "2022", "2024"} <= set(years)
    expect(page.locator(".demo-banner")).to_be_visible()


def test_focal_point_edits_own_agency_only(page, server):
    from playwright.sync_api import expect

    _, password = server
    page.goto("/accounts/login/?next=/members/TH/")
    page.get_by_label("Username").fill("th.focal")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/members/TH/")

    oncb = page.locator("table.data tbody tr", has_text="ONCB")
    oncb.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/members/TH/agencies/*/edit/")
    website = "https://www.oncb.go.th/browser-test"
    page.get_by_label("Website").fill(website)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/members/TH/")
    expect(page.locator("table.data tbody tr", has_text="ONCB")).to_contain_text(website)

    page.goto("/members/MY/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Malaysia")
    expect(page.locator("table.data").get_by_role("link", name="Edit")).to_have_count(0)


def test_api_docs_render_without_csp_or_load_errors(page):
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))

    page.goto("/api/v1/docs")
    page.locator("#swagger-ui .swagger-ui .info .title").wait_for()
    page.locator("#swagger-ui .opblock").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert failed == [], failed
    assert errors == [], errors


def _pantau(*args: str) -> str:
    done = subprocess.run(
        [str(PANTAU), *args], cwd=REPO, env=SERVER_ENV, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _verify_two_factor(page, username: str) -> None:
    """Enter `username`'s current demo code on the second factor's page. A code is good once
    (replay protection): when an earlier test of this module already used this time step's
    code, wait for the next step and enter its code."""
    for _attempt in range(2):
        page.get_by_label("Code from your authenticator app").fill(_pantau("otp", "code", username))
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()
        if "/accounts/2fa/verify/" not in page.url:
            return
        time.sleep(31 - time.time() % 30)


def test_secretariat_signs_in_with_a_demo_two_factor_code(page, server):
    from playwright.sync_api import expect

    _, password = server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/accounts/login/?next=/reporting/dashboard/")
    page.get_by_label("Username").fill("secretariat")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/verify/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-factor authentication")
    _verify_two_factor(page, "secretariat")
    page.wait_for_url("**/reporting/dashboard/")
    assert errors == [], errors


def test_two_factor_set_up_page_shows_the_qr_code_within_the_csp(page, server):
    from playwright.sync_api import expect

    _, password = server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("wg.le")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/accounts/2fa/setup/")
    expect(page.locator("svg.qr")).to_be_visible()
    assert page.locator("svg.qr").bounding_box()["width"] > 100  # styled by pantau.css
    expect(page.locator("code.secret")).to_contain_text(" ")
    assert errors == [], errors  # a CSP violation would be a console error


def _sign_in(page, password: str, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


def test_two_people_saving_one_entry_see_a_conflict_and_lose_nothing(browser, server):
    """Two sessions of the Thai focal point open section IV of the 2025 draft; the first saves
    15.a (htmx, in place), the second's save shows both versions and keeps its typed text."""
    from playwright.sync_api import expect

    base, password = server
    section = "/reporting/TH/2025/section/IV/"
    pages = []
    for _ in range(2):
        context = browser.new_context(base_url=base)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _sign_in(page, password, "th.focal", section)
        pages.append(page)
    first, second = pages
    entry = "#entry-15a-wrap"

    first.locator(f"{entry} select[name$=-status]").select_option("in_progress")
    first.locator(f"{entry} textarea[name$=-narrative]").fill(
        "Saved first: 12 new treatment centres."
    )
    first.get_by_role("button", name="Save 15.a").click()
    expect(first.locator(f"{entry} .saved")).to_contain_text("Saved")

    second.locator(f"{entry} select[name$=-status]").select_option("completed")
    second.locator(f"{entry} textarea[name$=-narrative]").fill(
        "Typed second: national coverage reached."
    )
    second.get_by_role("button", name="Save 15.a").click()
    conflict = second.locator(f"{entry} div.conflict")
    expect(conflict).to_contain_text("Somebody else saved 15.a")
    expect(conflict).to_contain_text("Saved first: 12 new treatment centres.")
    expect(second.locator(f"{entry} textarea[name$=-narrative]")).to_have_value(
        "Typed second: national coverage reached."
    )

    # Saving again, deliberately, on top of the other version.
    second.get_by_role("button", name="Save 15.a").click()
    expect(second.locator(f"{entry} .saved")).to_contain_text("Saved")
    first.reload()
    expect(first.locator(f"{entry} textarea[name$=-narrative]")).to_have_value(
        "Typed second: national coverage reached."
    )
    for page in pages:
        page.context.close()


def _sign_in_to_start(browser, server, username: str):
    """A fresh session signed in as `username` (with its demo 2FA code when asked), on the
    page the sign-in lands on: the start page."""
    base, password = server
    context = browser.new_context(base_url=base)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The sign-in answers with the second factor's page or the start page: wait for either
    # (the load state alone may still be the sign-in page's).
    page.wait_for_url(re.compile(r".*/(accounts/2fa/verify|start)/"))
    if "/accounts/2fa/verify/" in page.url:
        _verify_two_factor(page, username)
    page.wait_for_url("**/start/")
    return context, page


@pytest.mark.parametrize(
    ("username", "section", "own", "foreign"),
    [
        ("th.focal", "#country-work", "Thailand: country report 2025", "Malaysia"),
        ("th.approver", "#to-submit", "Thailand 2025", "Malaysia"),
        ("my.focal", "#country-work", "Malaysia: country report 2025", "Thailand"),
        ("secretariat", "#late", "Late countries", None),
        ("asod", "#to-approve", "Waiting for ASOD approval", None),
        ("wg.tr", "#working-group", "15.", None),
    ],
)
def test_each_role_lands_on_its_start_page(browser, server, username, section, own, foreign):
    from playwright.sync_api import expect

    context, page = _sign_in_to_start(browser, server, username)
    try:
        expect(page.locator(section)).to_contain_text(own)
        if foreign:
            # Nothing of another country's work: no link to its reports either.
            expect(page.locator("main")).not_to_contain_text(foreign)
            code = {"Malaysia": "MY", "Thailand": "TH"}[foreign]
            expect(page.locator(f'main a[href^="/reporting/{code}/"]')).to_have_count(0)
        if username == "th.focal":
            expect(page.locator("#country-work .filled")).to_contain_text("of 81 filled")
            expect(page.locator("#country-work .deadline")).to_contain_text("days left")
        if username == "wg.tr":
            expect(page.locator("#working-group th[scope=col]", has_text="MY")).to_have_count(1)
            expect(page.locator("#country-work")).to_have_count(0)
    finally:
        context.close()


def test_a_phone_gets_a_one_line_menu_and_no_sideways_scroll(browser, server):
    base, _ = server
    context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/workplan/2016-2025/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        header = page.locator("header.site").bounding_box()
        assert header["height"] < 110, header
    finally:
        context.close()
