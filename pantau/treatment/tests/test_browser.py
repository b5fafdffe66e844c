"""In a real browser (the system Chromium, a real `pantau serve` with the demo loaded, as in
pantau/site/tests/test_browser.py): a centre's staff open an episode with the keyboard-friendly
form, and the national coordinator sees it counted on the dashboard; another country's
coordinator does not."""

import datetime
import re

import pytest

from pantau.site.tests import test_browser as real_browser

server = real_browser.server
browser = real_browser.browser

pytestmark = pytest.mark.browser


def _signed_in(browser, server, username: str):
    url, password = server
    context = browser.new_context(base_url=url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/accounts/login/?next=/treatment/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/treatment/")
    return context, page


def _entries(page, state: str) -> int:
    page.goto(f"/treatment/?year={datetime.date.today().year}")
    text = page.locator(f"#monitoring-{state} + form + p.meta").inner_text()
    return int(re.search(r"([\d,]+) episodes? started", text).group(1).replace(",", ""))


def test_staff_record_an_episode_and_the_coordinator_sees_it_counted(browser, server):
    from playwright.sync_api import expect

    coordinator, coordinator_page = _signed_in(browser, server, "th.treatment")
    before = _entries(coordinator_page, "TH")
    assert before > 0
    expect(coordinator_page.get_by_text("Illustrative demo data.").first).to_be_visible()

    staff, page = _signed_in(browser, server, "th.centre1")
    page.locator('[name="centre"]').select_option(index=1)
    page.locator('[name="start_date"]').fill(datetime.date.today().isoformat())
    page.get_by_label("Client's initials").fill("BT")
    page.get_by_label("Client's date of birth").fill("1994-06-15")
    page.get_by_label("Client's sex").select_option("F")
    for name, value in {
        "previously_treated": "never",
        "referral_source": "compulsory_le",
        "living_status": "parents",
        "living_conditions": "stable",
        "labour_status": "employed",
        "education": "secondary",
        "primary_drug": "KRATOM",
        "route": "eat_drink",
        "frequency": "daily",
        "injected_ever": "no",
        "injected_12_months": "no",
        "injected_30_days": "no",
        "needle_sharing": "no",
    }.items():
        page.locator(f'[name="{name}"]').select_option(value)
    page.locator('[name="nationality"]').fill("TH")
    page.locator('[name="age_first_use"]').fill("19")
    page.get_by_role("button", name="Open the episode").click()
    expect(page.get_by_text(re.compile(r"Episode #\d+ opened for client"))).to_be_visible()
    staff.close()

    assert _entries(coordinator_page, "TH") == before + 1
    coordinator.close()

    other, other_page = _signed_in(browser, server, "my.treatment")
    expect(other_page.locator("#monitoring-TH")).to_have_count(0)
    other.close()
