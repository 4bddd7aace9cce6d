"""The public Deal in a real browser: the Deal, a theme, a commitment and the scorecard are
accessible (axe, WCAG 2.2 AA), and the scorecard's filters work without JavaScript."""

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible
from opendeal.deal.tests.public_deal_data import build_public_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deal_theme_commitment_and_scorecard_are_accessible(page):
    build_public_deal()

    page.goto("/deal/")
    expect(page.locator("h1")).to_have_text("The Deal for Testborough", use_inner_text=True)
    assert_accessible(page)

    page.get_by_role("link", name="Health and wellbeing").first.click()
    expect(page.locator("h1")).to_have_text("Health and wellbeing", use_inner_text=True)
    assert_accessible(page)

    page.get_by_role("link", name="HW1: Help more adults be active").click()
    expect(page.locator("h1")).to_have_text("HW1: Help more adults be active", use_inner_text=True)
    chart = page.get_by_role("img", name="Adults who are active: figures over time")
    expect(chart).to_have_count(1)
    assert_accessible(page)

    page.goto("/deal/scorecard/")
    expect(page.locator("h1")).to_have_text("Scorecard", use_inner_text=True)
    expect(page.get_by_role("img", name="Our part commitments by status")).to_have_count(1)
    assert_accessible(page)


def test_scorecard_filters_without_javascript(browser, live_server, page):
    build_public_deal()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    no_script = context.new_page()

    no_script.goto("/deal/scorecard/")
    no_script.get_by_label("Status (optional)").select_option("off_track")
    no_script.get_by_role("button", name="Show commitments").click()

    assert "status=off_track" in no_script.url
    expect(no_script.get_by_text("Showing 1 of 4 commitments.")).to_have_count(1)
    expect(no_script.get_by_role("link", name="CO1: Fewer people smoke")).to_have_count(1)
    expect(no_script.get_by_role("link", name="HW1: Help more adults be active")).to_have_count(0)
    filtered_url = no_script.url
    context.close()
    # axe needs JavaScript: check the same filtered page in a browser that runs it.
    page.goto(filtered_url)
    assert_accessible(page)
