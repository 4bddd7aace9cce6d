"""The public Deal in a real browser: the Deal, a theme, a commitment and the scorecard are
accessible (axe, WCAG 2.2 AA), and the scorecard's filters work without JavaScript."""

import pytest

from opendeal.core.testing.axe import assert_accessible
from opendeal.deal.tests.public_deal_data import build_public_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deal_theme_commitment_and_scorecard_are_accessible(page):
    build_public_deal()

    page.goto("/deal/")
    assert page.locator("h1").inner_text() == "The Deal for Testborough"
    assert_accessible(page)

    page.get_by_role("link", name="Health and wellbeing").first.click()
    assert page.locator("h1").inner_text() == "Health and wellbeing"
    assert_accessible(page)

    page.get_by_role("link", name="HW1: Help more adults be active").click()
    assert page.locator("h1").inner_text() == "HW1: Help more adults be active"
    chart = page.get_by_role("img", name="Adults who are active: figures over time")
    assert chart.count() == 1
    assert_accessible(page)

    page.goto("/deal/scorecard/")
    assert page.locator("h1").inner_text() == "Scorecard"
    assert page.get_by_role("img", name="Our part commitments by status").count() == 1
    assert_accessible(page)


def test_scorecard_filters_without_javascript(browser, live_server, page):
    build_public_deal()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    no_script = context.new_page()

    no_script.goto("/deal/scorecard/")
    no_script.get_by_label("Status (optional)").select_option("off_track")
    no_script.get_by_role("button", name="Show commitments").click()

    assert "status=off_track" in no_script.url
    assert no_script.get_by_text("Showing 1 of 4 commitments.").count() == 1
    assert no_script.get_by_role("link", name="CO1: Fewer people smoke").count() == 1
    assert no_script.get_by_role("link", name="HW1: Help more adults be active").count() == 0
    filtered_url = no_script.url
    context.close()
    # axe needs JavaScript: check the same filtered page in a browser that runs it.
    page.goto(filtered_url)
    assert_accessible(page)
