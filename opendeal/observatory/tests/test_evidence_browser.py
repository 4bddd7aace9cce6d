"""The evidence report in a real browser: read a claim's finding, its chart's table, and try
another year; checked with axe."""

import io
import re

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.observatory.importers.fingertips import import_fingertips

from .conftest import HLE_2024, shared
from .test_evidence import CANCER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_evidence_report(page):
    for relative in (HLE_2024, CANCER):
        import_fingertips(shared(relative), progress=io.StringIO())

    page.goto("/observatory/evidence/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Evidence report: Wigan", use_inner_text=True
    )
    assert_accessible(page)
    summary = page.get_by_role("table", name="Summary")
    expect(summary.locator("tbody tr")).to_have_count(10)
    page.get_by_role(
        "link", name="Premature deaths from cancer fell faster than in England."
    ).click()
    expect(page).to_have_url(re.compile(re.escape("#cancer-mortality-persons") + "$"))
    section = page.get_by_role("region", name="Premature mortality from cancer", exact=True)
    expect(section.get_by_role("img")).to_have_count(1)
    assert "Synthetic control" in section.inner_text()
    assert "Placebo p-value" in section.inner_text()
    # The chart's table carries every line it draws: the area, England and the synthetic
    # control.
    table = section.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Period", "Wigan", "England", "Synthetic control"]
    )
    first = table.get_by_role("row").nth(1)
    expect(first.get_by_role("cell")).to_have_count(3)
    assert all(
        text.strip() not in ("", "–") for text in first.get_by_role("cell").all_inner_texts()
    )
    # The figures are for preventable cancer only, standing in for all cancers.
    assert "A substitute for the claim's own measure" in section.inner_text()

    page.get_by_label("Year the approach changed").fill("2013")
    follow(page.get_by_role("button", name="Update"))
    assert "dated from 2013" in page.locator("main").inner_text()
    assert_accessible(page)
