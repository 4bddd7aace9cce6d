"""A practitioner records a conversation in a real browser, from strengths to a connection with
a community service found in the directory. Every page is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from opendeal.care.models import Connection, Conversation, HeardNeed
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, signed_in

from .helpers import build_world, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_conversation_from_strengths_to_a_connection(page, live_server, sign_in, make_user):
    world = build_world(make_user)
    garden = make_service("Community garden", world.term, "53.542000", "-2.659000")
    make_service("Faraway allotments", world.term, "53.700000", "-2.300000")
    signed_in(page, live_server, sign_in(world.practitioner))

    page.goto("/care/")
    assert_accessible(page)
    page.get_by_role("link", name="Margaret Testperson").click()
    expect(page.locator("h1")).to_have_text("Margaret Testperson", use_inner_text=True)
    assert_accessible(page)

    follow(page.get_by_role("link", name="Record a conversation"))
    assert_accessible(page)
    # Nothing chosen: the error summary, accessible too, and nothing saved.
    page.get_by_role("button", name="Save the conversation").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert_accessible(page)
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Choose how the conversation ended"
        )
    ).to_be_visible()
    assert Conversation.objects.count() == 1

    page.get_by_label("Conversation 1: listen and connect").check()
    page.get_by_label("Phone").check()
    page.get_by_label("What are they good at, and what is going well?").fill(
        "Grew vegetables for forty years"
    )
    page.get_by_label("Who is around them?").fill("Her daughter Karen visits on Sundays")
    page.get_by_label("What matters to them?").fill("Getting back to the allotment")
    page.locator("#id_interests_0").check()
    page.get_by_label("What would they like help with?").fill("Someone to go with at first")
    page.get_by_label("Community connection").check()
    follow(page.get_by_role("button", name="Save the conversation"))

    assert page.locator("h1").inner_text().startswith("Conversation of")
    assert_accessible(page)
    conversation = Conversation.objects.get(strengths_heard="Grew vegetables for forty years")
    assert HeardNeed.objects.filter(conversation=conversation, kind="interest").count() == 1

    follow(page.get_by_role("link", name="Find a community service"))
    assert_accessible(page)
    page.get_by_label("Category").select_option(label="Gardening")
    page.get_by_label("Distance from their home").select_option(label="Within 2 km")
    page.get_by_role("button", name="Search the directory").click()
    expect(page.locator("h1")).to_have_text("Find a community service", use_inner_text=True)
    results = page.locator("main").inner_text()
    assert "2 services found" in results
    assert "Faraway allotments" not in results
    assert "Already connected" in results  # the allotment club, from an earlier conversation
    assert_accessible(page)
    follow(page.get_by_role("button", name="Connect to Community garden"))

    assert page.locator("h1").inner_text().startswith("Conversation of")
    assert_accessible(page)
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "is connected to Community garden" in banner
    connection = Connection.objects.get(conversation=conversation)
    assert (connection.service, connection.status) == (garden, "suggested")

    follow(page.get_by_role("link", name="Change status of Community garden"))
    assert_accessible(page)
    page.get_by_label("Attended").check()
    follow(page.get_by_role("button", name="Save"))
    connection.refresh_from_db()
    assert connection.status == "attended"
    assert connection.first_attended_on is not None

    # A service listed later that matches what she said shows among the new services.
    make_service("Seed swap", world.term, "53.540500", "-2.660500")
    page.goto("/care/")
    follow(page.get_by_role("link", name="New and updated services that match your people"))
    assert_accessible(page)
    assert "Seed swap" in page.locator("table").inner_text()
    follow(page.get_by_role("button", name="Connect Margaret Testperson to Seed swap"))
    assert page.locator("h1").inner_text().startswith("Conversation of")
    assert Connection.objects.filter(person=world.person, service__name="Seed swap").exists()


def test_a_manager_reads_wellbeing_the_trail_and_subject_access(
    page, live_server, sign_in, make_user
):
    world = build_world(make_user)
    signed_in(page, live_server, sign_in(world.manager))
    person = f"/care/people/{world.person.public_id}"

    page.goto(f"{person}/wellbeing/")
    assert_accessible(page)
    follow(page.get_by_role("link", name="Record SWEMWBS answers"))
    assert_accessible(page)
    # Six of seven answered: no score, and the error summary says which is missing.
    for group in page.locator(".govuk-radios").all()[:6]:
        group.locator("input").nth(3).check()
    page.get_by_role("button", name="Save and score").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert_accessible(page)
    assert "no score unless all 7 are answered" in page.locator(".govuk-error-summary").inner_text()
    assert world.person.swemwbs.count() == 1

    for path in ("/audit/", "/subject-access/", "/erase/", "/share/", "/close/"):
        page.goto(person + path)
        assert_accessible(page)
    assert world.person.erased_at is None


def test_a_caseload_search_keeps_names_and_nhs_numbers_out_of_the_address(
    page, live_server, sign_in, make_user
):
    world = build_world(make_user)
    signed_in(page, live_server, sign_in(world.practitioner))
    page.goto("/care/")
    page.get_by_label("Find by name, postcode or NHS number").fill("943 476 5919")
    follow(page.get_by_role("button", name="Search"))
    expect(page.get_by_role("link", name="Margaret Testperson")).to_be_visible()
    assert "943" not in page.url and "5919" not in page.url
    assert re.search(r"/care/\?search=[\w-]+$", page.url)
    assert_accessible(page)
    # Reloading the address (no form resubmitted) shows the same results.
    page.reload()
    expect(page.get_by_role("link", name="Margaret Testperson")).to_be_visible()
    follow(page.get_by_role("link", name="Clear the search"))
    expect(page.get_by_label("Find by name, postcode or NHS number")).to_have_value("")
