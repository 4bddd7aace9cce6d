"""The evidence report in a real browser: read a claim's finding, its chart's table, and try
another year; checked with axe."""

import io

import pytest

from opendeal.core.testing.axe import assert_accessible
from opendeal.observatory.importers.fingertips import import_fingertips

from .conftest import HLE_2024, shared
from .test_evidence import CANCER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_evidence_report(page):
    for relative in (HLE_2024, CANCER):
        import_fingertips(shared(relative), progress=io.StringIO())

    page.goto("/observatory/evidence/")
    assert page.get_by_role("heading", level=1).inner_text() == "Evidence report: Wigan"
    assert_accessible(page)
    summary = page.get_by_role("table", name="Summary")
    assert summary.locator("tbody tr").count() == 10
    page.get_by_role(
        "link", name="Premature deaths from cancer fell faster than in England."
    ).click()
    assert page.url.endswith("#cancer-mortality-persons")
    section = page.get_by_role("region", name="Premature mortality from cancer", exact=True)
    assert section.get_by_role("img").count() == 1
    assert "Synthetic control" in section.inner_text()
    assert "Placebo p-value" in section.inner_text()

    page.get_by_label("Year the approach changed").fill("2013")
    page.get_by_role("button", name="Update").click()
    assert "dated from 2013" in page.locator("main").inner_text()
    assert_accessible(page)
