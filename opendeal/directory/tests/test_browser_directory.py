"""The public directory in a real browser: a resident searches by postcode, sees the results
listed and on a map, opens a service's page and reports a problem; and the page still works when
the tile server cannot be reached. Every page is checked with axe.

The tile server is never really contacted: its requests are answered (with a plain tile) or
refused by the browser itself, so the tests need no network."""

import base64
import re

import pytest
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.directory.models import ListingProblemReport

from .public_listings import LEIGH, STANDISH, WIGAN, add_postcode, make_listing, weekly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 1 by 1 grey PNG, standing in for a map tile.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg=="
)
TILES = re.compile(r"^https://tile\.openstreetmap\.org/")


@pytest.fixture
def listings():
    add_postcode("WN1 1AA", WIGAN)
    walking = make_listing(
        "Walking group", "Gentle walks for everyone, starting at the library.", at=STANDISH
    )
    weekly(walking, "MO,TU,WE", "10:00", "12:00")
    make_listing("Leigh walking football", "Walking football for over 50s.", at=LEIGH)
    make_listing("Knitting circle", "Wool and tea.", at=STANDISH)
    return walking


def serve_tiles(page) -> list[str]:
    requested: list[str] = []

    def fulfil(route) -> None:
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route(TILES, fulfil)
    return requested


def test_search_by_postcode_then_open_a_service_and_report_a_problem(page, listings):
    requested = serve_tiles(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/directory/")
    assert_accessible(page)
    page.get_by_label("Keywords").fill("walking")
    page.get_by_label("Postcode", exact=True).fill("wn1 1aa")
    page.get_by_label("Distance from the postcode").select_option("10")
    page.get_by_role("button", name="Search").click()

    heading = page.locator("#results-heading")
    expect(heading).to_have_text(
        "2 services found within 10 miles of WN1 1AA, nearest first", use_inner_text=True
    )
    results = page.locator(".opendeal-result h3")
    assert results.all_inner_texts() == ["Walking group", "Leigh walking football"]
    # The map is drawn, with one marker per result, from tiles the policy lets through.
    map_element = page.locator("#results-map")
    map_element.wait_for(state="visible")
    assert map_element.get_attribute("data-map-ready") == "true"
    expect(page.locator("#results-map .leaflet-marker-icon")).to_have_count(2)
    page.wait_for_function(
        "document.querySelectorAll('#results-map .leaflet-tile-loaded').length > 0"
    )
    assert requested
    expect(page.locator("#results-map-tile-error")).to_be_hidden()
    assert_accessible(page)

    # A marker's popup links to the service page.
    page.locator("#results-map .leaflet-marker-icon[alt='Walking group']").click()
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Walking group", use_inner_text=True)
    assert popup_link.get_attribute("href") == f"/directory/services/{listings.id}/"

    page.locator(".opendeal-result").get_by_role("link", name="Walking group").click()
    page.wait_for_url(f"**/directory/services/{listings.id}/")
    expect(page.locator("h1")).to_have_text("Walking group", use_inner_text=True)
    assert "Monday to Wednesday, 10am to midday" in page.content()
    page.locator("#service-map").wait_for(state="visible")
    expect(page.locator("#service-map .leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page)

    follow(page.get_by_role("link", name="Report a problem with this listing"))
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Select what is wrong with the listing"
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The opening times are wrong").check()
    page.get_by_label("Tell us more (optional)").fill("It meets on Thursdays now.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("h1")).to_have_text("Report sent", use_inner_text=True)
    assert_accessible(page)
    report = ListingProblemReport.objects.get()
    assert (report.service_id, report.problem) == (listings.id, "opening_times")
    assert errors == []


def test_the_page_works_when_the_tile_server_is_unreachable(page, listings):
    refused: list[str] = []

    def refuse(route) -> None:
        refused.append(route.request.url)
        route.abort("connectionrefused")

    page.route(TILES, refuse)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/directory/?postcode=WN1+1AA&radius=10")
    # Every result is listed with its distance whatever the map does (the two in Standish are
    # equally far, so by name).
    assert page.locator(".opendeal-result h3").all_inner_texts() == [
        "Knitting circle",
        "Walking group",
        "Leigh walking football",
    ]
    expect(page.locator(".opendeal-result__distance")).to_have_count(3)
    # The map still shows the markers, and a note says the background could not be loaded. The
    # two in Standish would overlap, so they share one marker (WCAG 2.2 target size).
    note = page.locator("#results-map-tile-error")
    note.wait_for(state="visible")
    assert refused
    expect(page.locator("#results-map .leaflet-marker-icon")).to_have_count(2)
    expect(page.locator("#results-map .leaflet-marker-icon[alt^='2 services: ']")).to_have_count(1)
    assert_accessible(page)
    # Their marker's popup links to both.
    page.locator("#results-map .leaflet-marker-icon[alt^='2 services: ']").click()
    expect(page.locator(".leaflet-popup-content a")).to_have_count(2)

    # From the result list (the popup, still open, has a link of the same name; closing it
    # first raced the popup's pan into view, and the click could land on the marker again).
    page.locator(".opendeal-result").get_by_role("link", name="Walking group").click()
    expect(page.locator("h1")).to_have_text("Walking group", use_inner_text=True)
    page.locator("#service-map-tile-error").wait_for(state="visible")
    assert_accessible(page)
    assert errors == []


def test_without_javascript_the_results_are_the_page(browser, live_server, listings):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/directory/?q=walking&postcode=WN1+1AA&radius=10")
        assert page.locator(".opendeal-result h3").all_inner_texts() == [
            "Walking group",
            "Leigh walking football",
        ]
        expect(page.locator(".opendeal-result__distance")).to_have_count(2)
        expect(page.locator("#results-map")).to_be_hidden()
    finally:
        context.close()


def test_when_the_map_script_cannot_load_the_map_stays_hidden(page, listings):
    # axe needs JavaScript to run, so this is the script-less page it can check: the page's
    # own scripts (Leaflet, the map, GOV.UK Frontend) are refused.
    page.route(re.compile(r"/static/.*\.js$"), lambda route: route.abort())
    page.route(TILES, lambda route: route.abort())
    page.goto("/directory/?q=walking&postcode=WN1+1AA&radius=10")
    expect(page.locator(".opendeal-result h3")).to_have_count(2)
    expect(page.locator("#results-map")).to_be_hidden()
    expect(page.locator("#results-map-tile-error")).to_be_hidden()
    assert_accessible(page)
