"""Cooperation as evidence in headless Chromium against a real `pantau serve` with the demo
(issue 22, item 3): on Thailand's open 2025 report, the focal point sees the illustrative
training recorded for 20.b suggested, links it, sees it linked with its participants, unlinks
it and sees it suggested again; Malaysia's focal point has no such buttons on Thailand's report."""

import pytest

from pantau.site.tests.test_browser import (  # noqa: F401  (fixtures)
    _sign_in_to_start,
    browser,
    server,
)

pytestmark = pytest.mark.browser

SECTION = "/reporting/TH/2025/section/VI/"
TRAINING = "Illustrative: regional training on precursor chemical control"


def _cooperation(page):
    # Activity codes contain dots: select by attribute, not by #id.
    entry = page.locator('section[id="entry-20.b"]')
    box = entry.locator("details.cooperation-evidence")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def test_focal_point_links_and_unlinks_a_suggested_training(browser, server):  # noqa: F811
    from playwright.sync_api import expect

    context, page = _sign_in_to_start(browser, server, "th.focal")
    page.goto(SECTION)
    box = _cooperation(page)
    expect(box.locator("summary")).to_contain_text("(0 + 0)")
    suggested = box.locator(".coop-suggested li", has_text=TRAINING)
    expect(suggested).to_be_visible()
    expect(suggested.locator(".badge.demo")).to_have_text("illustrative")

    with page.expect_navigation():
        suggested.get_by_role("button", name="Link").click()
    box = _cooperation(page)
    expect(box.locator("summary")).to_contain_text("(1 + 0)")
    linked = box.locator(".coop-linked li", has_text=TRAINING)
    # The training's reach: 32 Thai, 15 Lao, 13 Myanmar and 11 Cambodian participants.
    expect(linked).to_contain_text("71 participants")
    expect(box.locator(".coop-suggested li", has_text=TRAINING)).to_have_count(0)

    with page.expect_navigation():
        linked.get_by_role("button", name="Unlink").click()
    box = _cooperation(page)
    expect(box.locator("summary")).to_contain_text("(0 + 0)")
    expect(box.locator(".coop-linked")).to_contain_text("No event or funded project linked.")
    expect(box.locator(".coop-suggested li", has_text=TRAINING)).to_be_visible()
    context.close()

    # Another country's focal point reads Thailand's report (if at all) without the buttons.
    context, page = _sign_in_to_start(browser, server, "my.focal")
    response = page.goto(SECTION)
    assert response is not None
    if response.status == 200:
        box = page.locator('section[id="entry-20.b"] details.cooperation-evidence')
        assert box.get_by_role("button", name="Link").count() == 0
    else:
        assert response.status in (403, 404)
    context.close()
