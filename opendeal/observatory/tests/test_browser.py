"""An indicator page in a real browser: choose an area, change the sex and the baseline, read
the chart's table; every page visited is checked with axe."""

import io
import re

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.importers.neighbours import import_ons_neighbours

from .conftest import HLE_2025, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_indicator_page_for_an_area_against_england_and_neighbours(page):
    import_fingertips(shared(HLE_2025), label="2025 release", progress=io.StringIO())
    import_ons_neighbours(shared("observatory/neighbours"))

    page.goto("/observatory/")
    assert_accessible(page)
    follow(
        page.get_by_role(
            "link", name="Other areas and releases of Healthy life expectancy at birth"
        )
    )
    assert_accessible(page)
    page.get_by_label("Choose an area").select_option("E08000018")  # Rotherham
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_url(
        re.compile(re.escape("/observatory/fingertips-90362/E08000018/") + "$")
    )
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Healthy life expectancy at birth: Rotherham"
    )
    assert_accessible(page)

    page.get_by_label("Sex").select_option("Male")
    page.get_by_label("Baseline period").select_option("2015 - 17")
    follow(page.get_by_role("button", name="Update"))
    assert "Change since 2015 - 17" in page.locator(".govuk-summary-list").inner_text()
    expect(
        page.get_by_role("img", name="Healthy life expectancy at birth, Rotherham, Male")
    ).to_be_visible()
    table = page.get_by_role("table", name="Figures by period, Male (years)")
    expect(table.locator("tbody tr")).to_have_count(11)
    assert "England" in table.locator("thead").inner_text()
    assert_accessible(page)
