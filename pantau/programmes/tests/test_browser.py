"""A programme's life in headless Chromium against a real `pantau serve` with the demo: the
Thai focal point writes a draft, the public does not see it, the Thai approver publishes it,
the public sees it on the portal; axe-core finds nothing serious on the portal's page."""

import uuid
from pathlib import Path

import pytest

from pantau.site.tests.test_browser import (  # noqa: F401  (fixtures)
    _sign_in_to_start,
    browser,
    server,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


def test_focal_point_drafts_approver_publishes_public_sees_it(browser, server):  # noqa: F811
    from playwright.sync_api import expect

    title = f"Illustrative browser programme {uuid.uuid4().hex[:8]}"
    context, page = _sign_in_to_start(browser, server, "th.focal")
    page.get_by_role("link", name="Programmes", exact=True).first.click()
    page.wait_for_url("**/programmes/")
    page.get_by_role("link", name="New national programme").click()
    page.get_by_label("Member State").select_option("TH")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("Prevention in schools, written in the browser.")
    page.get_by_label("Lead agency").fill("Illustrative agency")
    page.get_by_label("Youth").check()
    page.get_by_label("From (year)").fill("2026")
    page.get_by_label("To (year)").fill("2030")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".badge.status-draft")).to_be_visible()
    assert page.get_by_role("button", name="Publish on the portal").count() == 0
    programme_url = page.url
    context.close()

    public = browser.new_context(base_url=server[0])
    anonymous = public.new_page()
    anonymous.goto("/portal/programmes/?country=TH")
    expect(anonymous.get_by_role("heading", level=1)).to_be_visible()
    assert title not in anonymous.content()

    context, page = _sign_in_to_start(browser, server, "th.approver")
    page.goto(programme_url)
    page.get_by_role("button", name="Publish on the portal").click()
    expect(page.locator(".badge.status-published")).to_be_visible()
    context.close()

    anonymous.goto("/portal/programmes/?country=TH&group=youth")
    expect(anonymous.get_by_role("heading", name=title)).to_be_visible()
    anonymous.goto("/portal/TH/")
    expect(anonymous.locator("#programmes")).to_contain_text(title)
    public.close()


def test_axe_reports_no_serious_violation_on_the_programmes_page(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server[0], bypass_csp=True)
    page = context.new_page()
    page.goto("/portal/programmes/")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


def test_the_programmes_page_fits_a_phone(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server[0], viewport={"width": 360, "height": 740})
    page = context.new_page()
    for url in ("/portal/programmes/", "/portal/TH/#programmes"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (url, width)
    context.close()
