"""The language switcher in headless Chromium, against a real `pantau serve` with the demo
loaded (the site's browser fixtures): a visitor turns the portal into Bahasa Indonesia, and
the choice holds on the next pages, inside and outside the portal, until they switch back."""

import pytest

from pantau.site.tests.test_browser import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server[0], locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_visitor_switches_to_bahasa_indonesia_and_the_choice_holds(page):
    from playwright.sync_api import expect

    page.goto("/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.wait_for_url("**/id/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik narkoba ASEAN")
    expect(page.get_by_role("link", name="Data terbuka").first).to_be_visible()

    # The next page, outside the portal's /id/ addresses: the cookie keeps the choice.
    page.get_by_role("link", name="Masuk", exact=True).click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    expect(page.get_by_label("Kata sandi")).to_be_visible()
    page.goto("/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Negara Anggota ASEAN")

    # And back to English, on the same page.
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/members/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("ASEAN Member States")
