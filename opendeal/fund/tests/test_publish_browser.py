"""A resident looks at the grants awarded, in a real browser with JavaScript off and on: the
totals, the ward map, a grant's own page and the downloads. Every page is checked with axe."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible

from .publish_factories import make_grant, make_priority, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grants():
    round_ = make_round()
    priority = make_priority(round_, "Tackling loneliness")
    return [
        make_grant(
            round_=round_,
            title=f"Project {number}",
            amount=Decimal("1000.00") * number,
            awarded_on=datetime.date(2023 + number % 2, 6, 1),
            priorities=(priority,),
        )
        for number in range(1, 4)
    ]


def test_grants_awarded_and_a_grants_page(page, grants):
    page.goto("/fund/awarded/")
    assert_accessible(page)
    expect(page.get_by_role("img", name="Money awarded by ward")).to_be_visible()
    expect(page.get_by_role("img", name="Money awarded by financial year")).to_be_visible()
    # The first visit queued the files' build (run at once by the tests' task backend).
    expect(page.get_by_text("Data as at")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Grants as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert "Project 3" in download.value.path().read_text("utf-8")
    page.get_by_role("link", name="Project 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project 2", use_inner_text=True)
    assert_accessible(page)


def test_the_page_works_without_javascript(browser, live_server, grants):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/fund/awarded/")
        expect(page.get_by_role("link", name="Project 3")).to_be_visible()
        expect(page.locator("svg.opendeal-map path")).to_have_count(25)
    finally:
        context.close()
