"""In a real browser (the system Chromium, a real `pantau serve` with the demo loaded, as in
pantau/site/tests/test_browser.py): Myanmar's approver opens the cultivation surveys, sees the
open year's illustrative survey with its map drawn beside its data table, approves it, and
finds its potential production in the statistics of that year; Lao PDR's approver sees
neither the draft nor a way to approve it."""

import re

import pytest

from pantau.site.demo.reporting import OPEN_YEAR
from pantau.site.tests.test_browser import (  # noqa: F401  (fixtures)
    _sign_in_to_start,
    browser,
    server,
)

pytestmark = pytest.mark.browser

PRODUCTION = "Potential production of illicit crops"


def _number(text: str) -> float:
    """The first number of a cell, thousands separators dropped: '321,007.5 (…)' -> 321007.5."""
    match = re.search(r"\d[\d,]*(\.\d+)?", text)
    assert match, text
    return float(match.group(0).replace(",", ""))


def _production_row(page):
    page.goto(f"/statistics/areas/MM/{OPEN_YEAR}/")
    return page.locator("table.figures tbody tr").filter(
        has=page.get_by_role("rowheader", name=PRODUCTION, exact=True)
    )


def test_approver_sees_the_map_and_approves_the_survey_into_the_statistics(
    browser,  # noqa: F811
    server,  # noqa: F811
):
    from playwright.sync_api import expect

    context, page = _sign_in_to_start(browser, server, "mm.approver")
    row = _production_row(page)
    expect(row).to_contain_text("not reported")

    page.goto("/cultivation/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Illicit crop cultivation and alternative development"
    )
    surveys = page.locator("table.data").first
    draft = surveys.locator("tbody tr").filter(has_text="Myanmar").filter(has_text="Draft")
    expect(draft).to_have_count(1)
    expect(draft).to_contain_text("illustrative")
    draft.get_by_role("link", name=str(OPEN_YEAR), exact=True).click()
    page.wait_for_url("**/cultivation/surveys/*/")
    survey_url = page.url

    # Another Member State's approver sees neither the draft nor a way to approve it.
    other, other_page = _sign_in_to_start(browser, server, "la.approver")
    other_page.goto("/cultivation/")
    myanmar = other_page.locator("table.data").first.locator("tbody tr").filter(has_text="Myanmar")
    expect(myanmar.first).to_be_visible()  # Myanmar's approved surveys, for every reader
    expect(myanmar.filter(has_text="Draft")).to_have_count(0)
    response = other_page.goto(survey_url)
    assert response is not None and response.status == 404
    other.close()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Myanmar, {OPEN_YEAR}")
    expect(
        page.get_by_text("Illustrative demo survey: made-up figures of made-up areas.")
    ).to_be_visible()
    # The map is drawn (Vega renders an SVG or a canvas) beside its data table.
    drawn = page.locator("#map svg, #map canvas").first
    expect(drawn).to_be_visible()
    box = drawn.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50, box
    table = page.locator(".chart-with-table table.data")
    expect(table.locator("caption")).to_contain_text("Cultivation by area")
    assert table.locator("tbody tr").count() >= 2
    # National total of potential production: the 7th column of the footer.
    total_kg = _number(table.locator("tfoot td").nth(5).inner_text())
    assert total_kg > 0

    page.get_by_role(
        "button", name="Approve: write the national totals into the statistics"
    ).click()
    expect(
        page.get_by_text("Survey approved: its national totals are in the statistics.")
    ).to_be_visible()
    expect(page.locator("h1 + p.meta")).to_contain_text("Approved")
    expect(
        page.get_by_role("button", name="Approve: write the national totals into the statistics")
    ).to_have_count(0)

    row = _production_row(page)
    expect(row).not_to_contain_text("not reported")
    value = row.locator("td.num").inner_text()
    unit = row.locator("td").nth(1).inner_text()
    # The survey's table rounds to whole kilograms; the statistics keep the decimals.
    shown = _number(value) * (1000 if unit.strip().lower().startswith("tonne") else 1)
    assert abs(shown - total_kg) <= 1, (value, unit, total_kg)
    context.close()
