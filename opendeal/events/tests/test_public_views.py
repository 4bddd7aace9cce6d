"""The public events pages through HTTP: what they show, what they refuse, and what they never
change."""

import datetime
import re
import time
import uuid
from unittest.mock import patch

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.deal.tests.factories import make_small_deal
from opendeal.events import services
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import token_in

# 14 June 2030 is a Friday in British Summer Time: 17:30 UTC is 6:30pm in London.
SUMMER_EVENING = datetime.datetime(2030, 6, 14, 17, 30, tzinfo=datetime.UTC)


@pytest.fixture
def post_and_send(client, django_capture_on_commit_callbacks):
    """POST as the anonymous client, sending the emails the request queues after its commit."""

    def post(url: str, data: dict | None = None, *, as_client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (as_client or client).post(url, data or {})

    return post


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response) -> str:
    """The page's own content, without the header and footer every page shares."""
    return re.search(r"<main .*</main>", text_of(response)).group(0)


def detail_url(event) -> str:
    return reverse("events:detail", args=[event.public_id])


def registration_data(event, **overrides) -> dict:
    """A valid form: the first registration type, and an answer to every question."""
    data = {"name": "Sam Jones", "email": "Sam.Jones@Example.org"}
    first_type = event.registration_types.first()
    if first_type is not None:
        data["registration_type"] = str(first_type.public_id)
    for question in event.questions.all():
        data[f"question-{question.public_id}"] = f"Answer to {question.text}"
    return {**data, **overrides}


def register_directly(event, email: str, *, user=None, name: str = "Someone") -> Registration:
    return services.register(event, name=name, email=email, user=user).registration


def registration_rows(event) -> list[tuple]:
    return list(
        Registration.objects.filter(event=event).order_by("sequence").values_list("email", "status")
    )


# The list of events ---------------------------------------------------------------------------


def test_the_list_shows_upcoming_published_events_with_london_times_places_and_venues(client, db):
    evening = make_event(title="Fund workshop", kind="workshop", starts_at=SUMMER_EVENING)
    online = make_event(
        title="Online network meeting",
        starts_at=SUMMER_EVENING + datetime.timedelta(days=1),
        venue_name="",
        venue_address="",
        venue_postcode="",
        online_url="https://meet.example.org/network",
        capacity=1,
    )
    register_directly(online, "first@example.org")
    make_event(title="A draft event", is_published=False)
    make_event(
        title="A past event",
        starts_at=timezone.now() - datetime.timedelta(days=2),
        registration_opens_at=timezone.now() - datetime.timedelta(days=10),
        registration_closes_at=timezone.now() - datetime.timedelta(days=3),
    )

    response = client.get(reverse("events:list"))

    assert response.status_code == 200
    main = main_of(response)
    assert "A draft event" not in main
    assert "A past event" not in main
    assert main.index("Fund workshop") < main.index("Online network meeting")
    workshop = main[main.index(f"event-{evening.public_id}") :]
    assert "Workshop</span>" in workshop
    assert "Friday 14 June 2030, 6:30pm to 8:30pm" in workshop
    assert "Wigan Life Centre<br>College Avenue<br>Wigan<br>WN1 1NJ" in workshop
    assert "10 places left" in workshop
    meeting = main[main.index(f"event-{online.public_id}") :]
    assert "Network meeting</span>" in meeting
    assert "Saturday 15 June 2030, 6:30pm to 8:30pm" in meeting
    assert '<dd class="govuk-summary-list__value">Online</dd>' in meeting
    assert "Full – join the waiting list" in meeting
    assert f'href="{reverse("events:feed")}"' in main


def test_the_list_filters_by_kind_and_ignores_an_unknown_kind(client, db):
    make_event(title="Fund workshop", kind="workshop")
    make_event(title="Deal conference", kind="conference")

    conferences = main_of(client.get(reverse("events:list"), {"kind": "conference"}))
    assert "Deal conference" in conferences
    assert "Fund workshop" not in conferences
    assert '<option value="conference" selected>' in conferences

    unknown = main_of(client.get(reverse("events:list"), {"kind": "party"}))
    assert "Deal conference" in unknown and "Fund workshop" in unknown


def test_the_feed_is_an_icalendar_file_of_upcoming_published_events(client, db):
    make_event(title="Fund workshop", starts_at=SUMMER_EVENING)
    make_event(title="A draft event", is_published=False)

    response = client.get(reverse("events:feed"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Fund workshop" in body
    assert "DTSTART:20300614T173000Z" in body


# One event ------------------------------------------------------------------------------------


def test_the_event_page_shows_when_where_the_window_places_and_the_deal_theme(client, db):
    theme = make_small_deal().theme
    event = make_event(
        title="Fund workshop",
        starts_at=SUMMER_EVENING,
        registration_closes_at=SUMMER_EVENING - datetime.timedelta(hours=6),
        capacity=5,
        deal_theme=theme,
    )
    register_directly(event, "first@example.org")

    response = client.get(detail_url(event))

    assert response.status_code == 200
    main = main_of(response)
    assert '<h1 class="govuk-heading-xl">Fund workshop</h1>' in main
    assert "Friday 14 June 2030, 6:30pm to 8:30pm" in main
    assert "Open until 14 June 2030 at 12:30pm" in main
    assert '<dd class="govuk-summary-list__value" id="places-left">4 of 5</dd>' in main
    assert f'<a class="govuk-link" href="/deal/themes/{theme.slug}/">Health</a>' in main
    # The form: name, email, each registration type, each question (optional ones marked).
    assert 'name="name"' in main and 'name="email"' in main
    assert main.count('name="registration_type"') == 2
    assert "Access needs (optional)" in main
    assert "Book my place</button>" in main


def test_drafts_are_hidden_from_the_public_but_people_who_manage_events_can_preview_them(
    client, db, sign_in, make_user
):
    draft = make_event(title="A draft event", is_published=False)

    assert client.get(detail_url(draft)).status_code == 404
    assert sign_in(make_user(Role.RESIDENT)).get(detail_url(draft)).status_code == 404
    preview = sign_in(make_user(Role.FUND_OFFICER)).get(detail_url(draft))
    assert preview.status_code == 200
    assert "Draft: only people who manage events can see this page" in text_of(preview)


def test_a_full_event_offers_the_waiting_list(client, db):
    event = make_event(capacity=1)
    register_directly(event, "first@example.org")

    main = main_of(client.get(detail_url(event)))

    assert "Full – join the waiting list" in main
    assert "Join the waiting list</button>" in main


def test_before_the_window_opens_and_after_it_closes_there_is_no_form(client, db):
    now = timezone.now()
    not_yet = make_event(registration_opens_at=now + datetime.timedelta(days=1))
    closed = make_event(registration_closes_at=now - datetime.timedelta(minutes=1))

    not_yet_page = main_of(client.get(detail_url(not_yet)))
    closed_page = main_of(client.get(detail_url(closed)))

    assert "You can book a place from" in not_yet_page
    assert '<form method="post"' not in not_yet_page
    assert "Registration for this event has closed." in closed_page
    assert '<form method="post"' not in closed_page


# Registering ----------------------------------------------------------------------------------


def test_registering_with_an_email_address_asks_to_confirm_it_and_sets_no_session(
    client, db, post_and_send
):
    event = make_event()

    response = post_and_send(detail_url(event), registration_data(event))

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.email == "sam.jones@example.org"
    assert registration.status == RegistrationStatus.PENDING_CONFIRMATION
    assert "sam" not in response.url.lower() and "example" not in response.url
    assert "sessionid" not in response.cookies
    assert [message.to for message in mail.outbox] == [["sam.jones@example.org"]]

    result = client.get(response.url)
    assert result.status_code == 200
    main = main_of(result)
    assert '<h1 class="govuk-heading-xl">Check your email to confirm your place</h1>' in main
    assert "sessionid" not in result.cookies


def test_the_registration_keeps_the_type_and_the_answers(client, db, post_and_send):
    event = make_event(questions=[("Access needs", False), ("Dietary needs", True)])
    data = registration_data(event)
    access, dietary = event.questions.all()
    data[f"question-{access.public_id}"] = ""
    data[f"question-{dietary.public_id}"] = "  Vegetarian  "

    post_and_send(detail_url(event), data)

    registration = Registration.objects.get()
    assert registration.registration_type.name == "Resident"
    assert registration.answers == {str(dietary.public_id): "Vegetarian"}
    assert registration.name == "Sam Jones"


def test_signed_in_people_register_with_their_account_and_are_booked_at_once(
    db, sign_in, resident, post_and_send
):
    event = make_event(title="Fund workshop")
    client = sign_in(resident)
    page = main_of(client.get(detail_url(event)))
    assert 'name="email"' not in page
    assert resident.email in page

    response = post_and_send(
        detail_url(event),
        registration_data(event, email="someone.else@example.org"),
        as_client=client,
    )

    registration = Registration.objects.get()
    assert (registration.email, registration.user, registration.status) == (
        resident.email,
        resident,
        RegistrationStatus.CONFIRMED,
    )
    main = main_of(client.get(response.url))
    assert '<h1 class="govuk-panel__title">You’re booked</h1>' in main
    assert "Your place at Fund workshop is confirmed" in main
    assert reverse("events:yours") in main
    calendar_path = re.search(r'href="(/events/calendar/[^"]+)"', main).group(1)
    assert client.get(calendar_path)["Content-Type"] == "text/calendar"


def test_when_the_event_is_full_people_are_told_their_place_on_the_waiting_list(
    client, db, post_and_send
):
    event = make_event(capacity=1)
    register_directly(event, "first@example.org")
    register_directly(event, "second@example.org")

    response = post_and_send(detail_url(event), registration_data(event))

    assert Registration.objects.get(email="sam.jones@example.org").status == "waitlisted"
    main = main_of(client.get(response.url))
    assert '<h1 class="govuk-heading-xl">You’re on the waiting list: number 2</h1>' in main
    assert "confirm your address" in main


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter your full name"),
        ({"email": ""}, "Enter your email address"),
        ({"email": "not-an-address"}, "Enter an email address in the correct format"),
        ({"registration_type": ""}, "Select how you are coming"),
        ({"registration_type": str(uuid.uuid4())}, "Select one of the options"),
        ("dietary", "Answer the question “Dietary needs”"),
    ],
)
def test_form_errors_show_the_error_summary_and_save_nothing(client, db, change, message):
    event = make_event(questions=[("Dietary needs", True)])
    data = registration_data(event)
    if change == "dietary":
        data[f"question-{event.questions.get().public_id}"] = "  "
    else:
        data.update(change)

    response = client.post(detail_url(event), data)

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: " in text
    assert 'class="govuk-error-summary"' in text
    assert message in text
    assert Registration.objects.count() == 0
    assert len(mail.outbox) == 0


def test_a_refusal_is_shown_in_the_error_summary_and_nothing_changes(client, db, post_and_send):
    event = make_event()
    register_directly(event, "sam.jones@example.org")
    before = registration_rows(event)

    response = post_and_send(detail_url(event), registration_data(event))

    assert response.status_code == 200
    text = text_of(response)
    assert 'class="govuk-error-summary"' in text
    assert "This email address is already registered for this event." in text
    assert registration_rows(event) == before
    assert len(mail.outbox) == 0


def test_registering_after_the_window_is_refused(client, db, post_and_send):
    event = make_event(registration_closes_at=timezone.now() - datetime.timedelta(minutes=1))

    response = post_and_send(detail_url(event), registration_data(event))

    assert response.status_code == 200
    assert "Registration for this event has closed." in text_of(response)
    assert Registration.objects.count() == 0


def test_a_result_page_with_a_tampered_receipt_is_not_found(client, db, post_and_send):
    event = make_event()
    response = post_and_send(detail_url(event), registration_data(event))

    assert client.get(response.url[:-3] + "xyz/").status_code == 404


# Confirming by the emailed link ---------------------------------------------------------------


def emailed_token(purpose: str, address: str = "sam.jones@example.org") -> str:
    messages = [message for message in mail.outbox if message.to == [address]]
    return token_in(messages[-1], purpose)


def test_opening_the_confirm_link_changes_nothing_and_the_button_confirms(
    client, db, post_and_send
):
    event = make_event(title="Fund workshop")
    post_and_send(detail_url(event), registration_data(event))
    url = reverse("events:confirm", args=[emailed_token("confirm")])

    page = client.get(url)

    assert page.status_code == 200
    assert "Confirm my place</button>" in text_of(page)
    assert Registration.objects.get().status == RegistrationStatus.PENDING_CONFIRMATION

    response = post_and_send(url)

    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED
    main = main_of(client.get(response.url))
    assert '<h1 class="govuk-panel__title">You’re booked</h1>' in main
    assert "cancel with the link in the email" in main


def test_a_waiting_list_registration_confirms_its_address_from_the_link(client, db, post_and_send):
    event = make_event(capacity=1)
    register_directly(event, "first@example.org")
    post_and_send(detail_url(event), registration_data(event))
    url = reverse("events:confirm", args=[emailed_token("confirm")])

    assert "Confirm</button>" in text_of(client.get(url))
    post_and_send(url)

    registration = Registration.objects.get(email="sam.jones@example.org")
    assert registration.status == RegistrationStatus.WAITLISTED
    assert registration.confirmed_at is not None
    assert "Your email address is confirmed. You are number 1" in text_of(client.get(url))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("view", ["events:confirm", "events:cancel", "events:registration-ics"])
def test_a_tampered_link_is_refused_and_changes_nothing(client, db, post_and_send, method, view):
    event = make_event()
    post_and_send(detail_url(event), registration_data(event))
    if view == "events:registration-ics":
        token = services.make_registration_token(Registration.objects.get(), "calendar")
        assert client.get(reverse(view, args=[token])).status_code == 200
    else:
        token = emailed_token(view.removeprefix("events:"))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = getattr(client, method)(reverse(view, args=[tampered]))

    if view == "events:registration-ics" and method == "post":
        assert response.status_code == 405
    else:
        assert response.status_code == 400
        text = text_of(response)
        assert "This link does not work" in text
        assert "Nothing has been changed." in text
    assert Registration.objects.get().status == RegistrationStatus.PENDING_CONFIRMATION


def test_an_expired_confirm_link_is_refused_and_changes_nothing(client, db):
    registration = register_directly(make_event(), "sam@example.org")
    with patch("time.time", return_value=time.time() - 8 * 24 * 60 * 60):
        token = services.make_registration_token(registration, "confirm")
    # As if registered eight days ago with the usual 48 hours to confirm (the link is past
    # both its own age and the deadline; housekeeping has not run yet).
    Registration.objects.filter(pk=registration.pk).update(
        confirm_by=timezone.now() - datetime.timedelta(days=6)
    )

    for method in ("get", "post"):
        response = getattr(client, method)(reverse("events:confirm", args=[token]))

        assert response.status_code == 400
        text = text_of(response)
        assert '<h1 class="govuk-heading-xl">This link has expired</h1>' in text
        assert "Nothing has been changed." in text
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_CONFIRMATION


def test_a_confirm_link_cannot_cancel(client, db, post_and_send):
    event = make_event()
    post_and_send(detail_url(event), registration_data(event))

    response = client.post(reverse("events:cancel", args=[emailed_token("confirm")]))

    assert response.status_code == 400
    assert Registration.objects.get().status == RegistrationStatus.PENDING_CONFIRMATION


# Cancelling by the emailed link ---------------------------------------------------------------


def test_opening_the_cancel_link_changes_nothing_and_the_button_cancels_and_promotes(
    client, db, post_and_send
):
    event = make_event(capacity=1)
    post_and_send(detail_url(event), registration_data(event))
    waiting = services.register(
        event, name="Next", email="next@example.org", user=None
    ).registration
    waiting.confirmed_at = timezone.now()  # their address is confirmed, so they can move up
    waiting.save(update_fields=["confirmed_at"])
    url = reverse("events:cancel", args=[emailed_token("cancel")])

    page = client.get(url)

    assert page.status_code == 200
    assert "Cancel my booking</button>" in text_of(page)
    assert "Sam Jones" in text_of(page)
    assert registration_rows(event) == [
        ("sam.jones@example.org", RegistrationStatus.PENDING_CONFIRMATION),
        ("next@example.org", RegistrationStatus.WAITLISTED),
    ]

    response = post_and_send(url)

    assert response.status_code == 302
    assert response.url == url
    assert registration_rows(event) == [
        ("sam.jones@example.org", RegistrationStatus.CANCELLED),
        ("next@example.org", RegistrationStatus.CONFIRMED),
    ]
    after = main_of(client.get(url))
    assert '<h1 class="govuk-panel__title">Your booking has been cancelled</h1>' in after
    assert "Cancel my booking</button>" not in after


def test_cancelling_once_the_event_has_started_is_refused(client, db, post_and_send):
    event = make_event()
    post_and_send(detail_url(event), registration_data(event))
    url = reverse("events:cancel", args=[emailed_token("cancel")])
    event.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    event.save(update_fields=["starts_at"])

    response = client.post(url)

    assert response.status_code == 409
    assert "This event has started" in text_of(response)
    assert "Nothing has been changed." in text_of(response)
    assert Registration.objects.get().status == RegistrationStatus.PENDING_CONFIRMATION


# Your bookings --------------------------------------------------------------------------------


def test_your_bookings_needs_an_account(client, db):
    response = client.get(reverse("events:yours"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:sign-in"))


def test_your_bookings_lists_your_registrations_and_cancels_them(
    db, sign_in, resident, make_user, post_and_send
):
    workshop = make_event(title="Fund workshop")
    conference = make_event(title="Deal conference", capacity=1)
    register_directly(conference, "first@example.org")
    booked = register_directly(workshop, resident.email, user=resident)
    waiting = register_directly(conference, resident.email, user=resident)
    register_directly(
        workshop, "other@example.org", user=make_user(Role.RESIDENT, email="other@example.org")
    )
    client = sign_in(resident)

    main = main_of(client.get(reverse("events:yours")))

    assert "Fund workshop" in main and "Deal conference" in main
    assert "Booked" in main
    assert "Waiting list: number 1" in main
    assert main.count("Cancel<span") == 2
    assert "other@example.org" not in main

    response = post_and_send(
        reverse("events:cancel-yours", args=[booked.public_id]), as_client=client
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    waiting.refresh_from_db()
    assert (booked.status, waiting.status) == ("cancelled", "waitlisted")
    banner = main_of(client.get(response.url))
    assert "You have cancelled your booking for Fund workshop" in banner
    assert banner.count("Cancel<span") == 1


def test_nobody_can_cancel_someone_elses_booking_from_their_account(db, sign_in, make_user):
    event = make_event()
    owner = make_user(Role.RESIDENT)
    registration = register_directly(event, owner.email, user=owner)

    response = sign_in(make_user(Role.RESIDENT)).post(
        reverse("events:cancel-yours", args=[registration.public_id])
    )

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not AuditEvent.objects.filter(action="events.registration.cancelled").exists()


# The menu -------------------------------------------------------------------------------------


def current_menu_item(response) -> list[str]:
    return re.findall(r'aria-current="page"><strong[^>]*>([^<]+)</strong>', text_of(response))


def test_the_menu_highlights_events_on_public_pages_and_manage_events_on_staff_pages(
    client, db, sign_in, make_user
):
    staff = sign_in(make_user(Role.FUND_OFFICER))

    assert current_menu_item(client.get(reverse("events:list"))) == ["Events"]
    assert current_menu_item(staff.get(reverse("events:list"))) == ["Events"]
    assert current_menu_item(staff.get(reverse("events:manage"))) == ["Manage events"]
    assert current_menu_item(staff.get(reverse("events:attendance"))) == ["Manage events"]
    assert "Manage events" not in text_of(client.get(reverse("events:list")))


def test_signed_in_people_already_booked_see_their_booking_instead_of_the_form(
    db, sign_in, resident
):
    event = make_event(capacity=1)
    register_directly(event, "first@example.org")
    register_directly(event, resident.email, user=resident)

    main = main_of(sign_in(resident).get(detail_url(event)))

    assert "Waiting list: number 1" in main
    assert "You have already registered for this event with your account." in main
    assert 'name="name"' not in main


def test_no_theme_link_when_the_themes_deal_is_not_the_one_the_public_sees(client, db):
    theme = make_small_deal().theme
    theme.deal.is_published = False
    theme.deal.save(update_fields=["is_published"])
    event = make_event(deal_theme=theme)

    main = main_of(client.get(detail_url(event)))

    assert "Part of the Deal" not in main
    assert "/deal/themes/" not in main
