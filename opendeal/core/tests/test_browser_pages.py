"""The pages every instance has, in a real browser: accessible, and usable without JavaScript."""

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "The Deal"),
        ("/accessibility", "Accessibility statement for The Deal"),
        ("/cookies", "Cookies"),
        ("/privacy", "Privacy notice"),
        ("/no-such-page", "Page not found"),
    ],
)
def test_page_is_accessible(page, path, heading):
    page.goto(path)
    expect(page.locator("h1")).to_have_text(heading, use_inner_text=True)
    assert_accessible(page)


def test_styles_and_scripts_load_from_this_site_under_the_csp(page, live_server):
    failures = []
    page.on("console", lambda message: message.type == "error" and failures.append(message.text))
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.goto("/")
    # GOV.UK Frontend's JavaScript ran (it marks supported pages), from our own origin.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith("arial")  # not GDS Transport, which is for GOV.UK services only
    assert failures == []


def test_public_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    expect(page.locator("h1")).to_have_text("The Deal", use_inner_text=True)
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.locator("h1")).to_have_text(
        "Accessibility statement for The Deal", use_inner_text=True
    )
    context.close()
