"""In a real browser (the system Chromium, a real `pantau serve` with the demo loaded, as in
pantau/site/tests/test_browser.py): the explore page and a target's page draw their Vega-Lite
chart (a canvas or an SVG appears, no script error, nothing blocked by the CSP), and the CSV
download holds exactly the rows of the table shown beside the chart."""

import csv
import io
from decimal import Decimal, InvalidOperation

import pytest

from pantau.site.tests import test_browser as real_browser

server = real_browser.server
browser = real_browser.browser
page = real_browser.page

pytestmark = pytest.mark.browser

EXPLORE = "/analytics/?indicator=DRUG_SEIZURE&area=ASEAN&area=TH&from=2016&to=2025&chart=line"


def _chart_drawn(page, errors: list[str]) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#chart canvas, #chart svg").first).to_be_visible(timeout=20_000)
    assert not errors, errors


def _plain(text: str) -> str:
    """A cell as the page shows it, compared with the file's: a number without its thousands
    separators and trailing zeros (273,944.80 and 273944.8 are one figure), text as it is."""
    text = text.replace(",", "").strip()
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


def test_the_explore_chart_renders_and_the_download_matches_the_table(page, server):
    url, _ = server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + EXPLORE)
    _chart_drawn(page, errors)

    table = page.locator("#explore-table")
    header = [_plain(t) for t in table.locator("thead th").all_inner_texts()]
    rows = [
        [_plain(t) for t in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    assert rows and len(rows[0]) == len(header), "the table has figures"

    href = page.locator("#download-csv").get_attribute("href")
    answer = page.request.get(url + "/analytics/" + href)
    assert answer.ok
    # The file opens with its notes (unit, source, coverage) as `#` lines, then the table.
    downloaded = [
        r for r in csv.reader(io.StringIO(answer.text())) if r and not r[0].startswith("#")
    ]
    assert [_plain(c) for c in downloaded[0]] == header
    assert [[_plain(c) for c in r] for r in downloaded[1:]] == rows


def test_a_target_page_draws_its_series(page, server):
    url, _ = server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/analytics/targets/")
    page.locator("main a[href*='/analytics/targets/']").first.click()
    _chart_drawn(page, errors)
    assert page.locator("#progress-table tbody tr").count() >= 1
    assert page.locator("#series-table").is_visible()
