"""A resident books a place at an event with only an email address, in a real browser:
confirms it from the email, sees the places left go down, and cancels from the emailed link.
Every page visited is checked with axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, visit
from opendeal.events import services
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def emailed_path(kind: str) -> str:
    """The path of the one confirm or cancel link in the latest email."""
    links = re.findall(rf"https?://[^/\s]+(/events/{kind}/[^/\s]+/)", mail.outbox[-1].body)
    assert len(links) == 1
    return links[0]


def test_book_with_an_email_address_confirm_and_cancel(page):
    event = make_event(title="Fund workshop", capacity=5)
    services.register(event, name="Already Booked", email="already@example.org")
    mail.outbox.clear()  # that person's own email
    event_path = f"/events/{event.public_id}/"
    places_left = page.locator("#places-left")

    visit(page, "/events/")
    expect(page.locator(f"#event-{event.public_id} .places-left")).to_have_text(
        "4 places left", use_inner_text=True
    )
    page.get_by_role("link", name="Fund workshop").click()
    page.wait_for_url(f"**{event_path}")
    assert_accessible(page)
    expect(places_left).to_have_text("4 of 5", use_inner_text=True)
    # Nothing filled in: the error summary, accessible too, and nothing saved.
    page.get_by_role("button", name="Book my place").click()
    expect(page).to_have_title(re.compile(r"^Error: Fund workshop"))
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your full name")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your email address")).to_be_visible()
    assert Registration.objects.count() == 1

    page.get_by_label("Full name").fill("Robin Resident")
    page.get_by_label("Email address").fill("Robin@Example.org")
    page.get_by_label("Resident", exact=True).check()
    page.get_by_label("Access needs (optional)").fill("A hearing loop")
    page.get_by_role("button", name="Book my place").click()

    expect(page.locator("h1")).to_have_text(
        "Check your email to confirm your place", use_inner_text=True
    )
    assert_accessible(page)
    assert "robin" not in page.url.lower()
    assert [message.to for message in mail.outbox] == [["robin@example.org"]]
    confirm_path = emailed_path("confirm")

    # The place is held from the moment of registration.
    visit(page, event_path)
    expect(places_left).to_have_text("3 of 5", use_inner_text=True)
    visit(page, confirm_path)
    expect(page.locator("h1")).to_have_text("Confirm your place", use_inner_text=True)
    registration = Registration.objects.get(email="robin@example.org")
    assert registration.status == RegistrationStatus.PENDING_CONFIRMATION
    page.get_by_role("button", name="Confirm my place").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("You’re booked", use_inner_text=True)
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED

    visit(page, event_path)
    expect(places_left).to_have_text("3 of 5", use_inner_text=True)
    # The confirmation email carries the cancel link.
    assert mail.outbox[-1].subject == "Your place at Fund workshop is confirmed"
    visit(page, emailed_path("cancel"))
    expect(page.locator("h1")).to_have_text("Cancel your booking", use_inner_text=True)
    page.get_by_role("button", name="Cancel my booking").click()

    expect(page.locator(".govuk-panel__title")).to_have_text(
        "Your booking has been cancelled", use_inner_text=True
    )
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    visit(page, event_path)
    expect(places_left).to_have_text("4 of 5", use_inner_text=True)


def test_a_signed_in_resident_books_joins_a_waiting_list_and_cancels(
    page, live_server, sign_in, make_user
):
    resident = make_user(Role.RESIDENT, full_name="Robin Resident")
    workshop = make_event(title="Fund workshop", questions=[])
    conference = make_event(title="Deal conference", capacity=1, questions=[])
    services.register(conference, name="First", email="first@example.org")
    client = sign_in(resident)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    visit(page, f"/events/{workshop.public_id}/")
    assert page.get_by_label("Full name").input_value() == "Robin Resident"
    page.get_by_label("Resident", exact=True).check()
    page.get_by_role("button", name="Book my place").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("You’re booked", use_inner_text=True)
    assert_accessible(page)

    visit(page, f"/events/{conference.public_id}/")
    page.get_by_label("Community organisation").check()
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("h1")).to_have_text(
        "You’re on the waiting list: number 1", use_inner_text=True
    )
    assert_accessible(page)

    visit(page, "/events/yours/")
    follow(page.get_by_role("button", name="Cancel your booking for Fund workshop"))
    assert (
        "You have cancelled your booking for Fund workshop"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert_accessible(page)
    assert Registration.objects.get(event=workshop).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(event=conference, user=resident).status == (
        RegistrationStatus.WAITLISTED
    )
