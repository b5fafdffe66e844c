"""In a real browser (the system Chromium, a real `pantau serve` with the demo loaded, as in
pantau/site/tests/test_browser.py): a figure typed far outside its plausible range is warned
about as it is typed, is saved all the same, is warned about again on the saved page, and the
checks that follow the save (the worker) record the finding."""

import re

import pytest

from pantau.site.tests import test_browser as real_browser
from pantau.site.tests.test_browser import _pantau, _sign_in

# The browser tests' own fixtures: a real server with the demo loaded, headless Chromium.
server = real_browser.server
browser = real_browser.browser
page = real_browser.page

pytestmark = pytest.mark.browser

FORM = "/statistics/entry/TH/2025/seizures/"
TYPED = "99999999999"


def test_a_figure_far_outside_its_range_is_warned_at_entry_saved_and_flagged(page, server):
    from playwright.sync_api import expect

    _, password = server
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, password, "th.focal", FORM)

    preferred = page.locator('input[name="DRUG_SEIZURE.NIMETAZEPAM.dosage.value"][data-high]')
    field = (
        preferred if preferred.count() else page.locator("input[data-plausible][data-high]").first
    )
    stem = field.get_attribute("name").removesuffix(".value")
    warning = page.locator(f'[id="w-{stem}"]')
    hint = page.locator(f'[id="h-{stem}"]')
    expect(hint).to_contain_text("plausible")
    expect(warning).to_be_hidden()

    field.fill("")
    field.press_sequentially(TYPED)
    # Warned as it is typed, before any save.
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Far outside the plausible range")
    field.blur()
    expect(field).to_have_value("99,999,999,999")  # shown with thousands separators

    page.get_by_role("button", name=re.compile(r"^Save ")).click()
    page.wait_for_url(f"**{FORM}")
    # Saved all the same, and warned about on the saved page.
    expect(page.locator("ul.messages")).to_contain_text("Saved:")
    expect(page.locator("ul.messages")).to_contain_text("far outside the plausible range")
    saved = page.locator(f'input[name="{stem}.value"]')
    expect(saved).to_have_value("99,999,999,999")
    expect(page.locator(f'[id="w-{stem}"]')).to_be_visible()

    # The checks run after the save, in the background: the worker records the finding.
    _pantau("worker", "--batch")
    page.goto("/statistics/findings/?ref_area=TH&year=2025")
    expect(page.locator("main")).to_contain_text("99,999,999,999")
    assert errors == [], errors
