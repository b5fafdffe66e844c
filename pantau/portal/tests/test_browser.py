"""The portal in headless Chromium (the system's), against a real `pantau serve` with the demo
loaded (the site's browser fixtures): the chart renders within the CSP, a country page shows
only published years, the language switcher, the keyboard, the phone width and axe-core."""

from pathlib import Path

import pytest

from pantau.site.tests.test_browser import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture
def page(browser, server):  # noqa: F811
    # axe-core is injected by the test, not served: the CSP would refuse an inline script.
    context = browser.new_context(base_url=server[0], bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def strict_page(browser, server):  # noqa: F811
    """A page under the site's CSP, collecting console errors (a CSP refusal is one)."""
    context = browser.new_context(base_url=server[0])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def test_home_renders_its_chart_within_the_csp(strict_page):
    from playwright.sync_api import expect

    strict_page.goto("/portal/")
    chart = strict_page.locator('[data-chart="chart-trend"]')
    chart.scroll_into_view_if_needed()  # drawn when it comes into view
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("svg").first).to_be_visible()
    expect(strict_page.locator("table.data caption").first).to_contain_text("Drug seizures")
    assert strict_page.errors == []


def test_country_page_shows_only_published_years(strict_page):
    from playwright.sync_api import expect

    strict_page.goto("/portal/TH/")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Thailand")
    years = set(strict_page.locator("table.data tbody th[scope=row]").all_inner_texts())
    assert "2024" in years and "2025" not in years  # the demo's 2025 figures are drafts
    expect(strict_page.locator("[data-chart][data-rendered=true]").first).to_be_visible()
    assert strict_page.errors == []


def test_country_page_draws_a_chart_when_it_comes_into_view(strict_page):
    """A country page has a dozen charts; each is drawn when it nears the screen (issue 23:
    drawing them all delayed the page), and every one is drawn once scrolled to."""
    from playwright.sync_api import expect

    strict_page.set_viewport_size({"width": 1000, "height": 700})
    strict_page.goto("/portal/TH/")
    charts = strict_page.locator("[data-chart]")
    assert charts.count() > 3
    expect(charts.first).to_have_attribute("data-rendered", "true")
    last = charts.last
    assert last.get_attribute("data-rendered") is None  # far below: not drawn yet
    last.scroll_into_view_if_needed()
    expect(last).to_have_attribute("data-rendered", "true")
    expect(last.locator("svg").first).to_be_visible()
    assert strict_page.errors == []


def test_language_switcher_turns_the_home_page_into_bahasa_indonesia(page):
    from playwright.sync_api import expect

    page.goto("/portal/")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.wait_for_url("**/id/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik narkoba ASEAN")
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_keyboard_reaches_the_menu_and_the_downloads(page):
    page.goto("/portal/")
    reached: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
        if reached[-1] == "CSV":
            break
    assert reached[0] == "Skip to content"
    assert "Public portal" in reached and "Open data" in reached
    assert reached[-1] == "CSV"


def test_no_horizontal_scroll_on_a_phone(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server[0], viewport={"width": 360, "height": 740})
    page = context.new_page()
    for url in ("/portal/", "/portal/TH/", "/portal/data/", "/portal/statistics/DRUG_SEIZURE/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    context.close()


@pytest.mark.parametrize("url", ["/portal/", "/portal/TH/", "/portal/data/"])
def test_axe_reports_no_serious_violation(page, url):
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
