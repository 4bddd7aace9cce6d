"""Issue 7's audit: anonymous registering is rate-limited (per network address, and the
confirmation email per address), a confirm link works until the registration's own deadline,
queued emails are dropped once the registration has moved on, and the staff registrations page
runs the same number of queries however many have registered."""

import datetime
import re
import time
from unittest.mock import patch

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opendeal.core.roles import Role
from opendeal.events import services
from opendeal.events.emails import send_registration_email
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act, sent_to, token_in

pytestmark = pytest.mark.django_db


def api_register(client, event, email: str, **headers):
    return client.post(
        f"/api/events/{event.public_id}/registrations",
        {"name": "Sam Jones", "email": email},
        content_type="application/json",
        **headers,
    )


# 1. Throttling anonymous registrations ---------------------------------------------------------


def test_the_api_answers_429_once_a_network_address_has_registered_too_often(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR = 2
    event = make_event()

    with django_capture_on_commit_callbacks(execute=True):
        first = api_register(client, event, "one@example.org")
        second = api_register(client, event, "two@example.org")
        third = api_register(client, event, "three@example.org")

    assert [first.status_code, second.status_code] == [201, 201]
    assert third.status_code == 429
    assert third["Content-Type"] == "application/problem+json"
    assert third["Retry-After"] == "3600"
    body = third.json()
    assert (body["status"], body["code"], body["title"]) == (429, "too_many", "Too many requests")
    assert "too many registrations from your network" in body["detail"]
    assert not Registration.objects.filter(email="three@example.org").exists()
    assert sent_to("three@example.org") == []

    # Another network address is counted on its own.
    with django_capture_on_commit_callbacks(execute=True):
        other = api_register(client, event, "three@example.org", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 201


def test_the_api_answers_429_once_an_address_has_had_too_many_confirmation_emails(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR = 2
    events = [make_event() for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            api_register(client, event, "target@example.org", REMOTE_ADDR=f"192.0.2.{number}")
            for number, event in enumerate(events, start=1)
        ]

    assert [response.status_code for response in responses] == [201, 201, 429]
    assert responses[2].json()["code"] == "too_many"
    assert "too many emails to this address" in responses[2].json()["detail"]
    assert len(sent_to("target@example.org")) == 2
    assert not events[2].registrations.exists()


def test_a_refused_registration_does_not_count_against_the_address(client, settings):
    settings.OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR = 1
    event = make_event()
    closed = make_event(registration_closes_at=timezone.now() - datetime.timedelta(minutes=1))

    assert api_register(client, closed, "sam@example.org").status_code == 409
    assert api_register(client, event, "sam@example.org").status_code == 201
    assert api_register(client, event, "sam@example.org").json()["code"] == "duplicate"


def test_the_form_shows_an_error_summary_once_a_network_address_has_registered_too_often(
    client, settings
):
    settings.OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR = 1
    event = make_event(registration_types=(), questions=())
    url = reverse("events:detail", args=[event.public_id])
    data = {"name": "Sam Jones"}

    assert client.post(url, {**data, "email": "one@example.org"}).status_code == 302
    response = client.post(url, {**data, "email": "two@example.org"})

    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', text).group(0)
    assert "There is a problem" in summary
    assert "too many registrations from your network" in summary
    assert list(event.registrations.values_list("email", flat=True)) == ["one@example.org"]


def test_signed_in_people_are_not_limited(settings, make_user):
    settings.OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR = 1
    settings.OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR = 1
    user = make_user()
    for _ in range(3):
        result = services.register(
            make_event(), name="", email="", user=user, client_address="192.0.2.1"
        )
        assert result.registration.status == RegistrationStatus.CONFIRMED


# 2. Confirm links last until the registration's deadline --------------------------------------


def test_a_confirm_link_works_until_a_deadline_later_than_the_usual_link_age(settings):
    settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS = 7
    event = make_event(
        starts_at=timezone.now() + datetime.timedelta(days=30), confirmation_hours=10 * 24
    )
    eight_days_ago = time.time() - 8 * 24 * 60 * 60
    with patch("time.time", return_value=eight_days_ago):
        act(services.register, event, name="Sam Jones", email="sam@example.org")
    registration = Registration.objects.get()
    # Registered eight days ago with ten days to confirm: two days left.
    Registration.objects.filter(pk=registration.pk).update(
        registered_at=timezone.now() - datetime.timedelta(days=8),
        confirm_by=timezone.now() + datetime.timedelta(days=2),
    )
    token = token_in(sent_to("sam@example.org")[0], "confirm")

    confirmed = act(services.confirm_registration, token)

    assert confirmed.status == RegistrationStatus.CONFIRMED


def test_an_old_confirm_link_past_the_deadline_is_expired(settings):
    settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS = 7
    event = make_event(starts_at=timezone.now() + datetime.timedelta(days=30))
    registration = services.register(event, name="Sam", email="sam@example.org").registration
    with patch("time.time", return_value=time.time() - 8 * 24 * 60 * 60):
        token = services.make_registration_token(registration, "confirm")
    Registration.objects.filter(pk=registration.pk).update(
        confirm_by=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(services.InvalidLink) as refusal:
        services.read_registration_token(token, "confirm")

    assert refusal.value.is_expired


def test_a_tampered_old_confirm_link_is_still_just_invalid():
    registration = services.register(make_event(), name="Sam", email="sam@example.org").registration
    token = services.make_registration_token(registration, "confirm")

    with pytest.raises(services.InvalidLink) as refusal:
        services.read_registration_token(token[:-2] + "xx", "confirm")

    assert not refusal.value.is_expired


# 3. Queued emails recheck the registration --------------------------------------------------------


def test_a_reminder_queued_before_a_cancellation_is_not_sent(make_user):
    user = make_user(email="sam@example.org")
    registration = act(services.register, make_event(), name="", email="", user=user).registration
    act(services.cancel_own_registration, user, registration)
    mail.outbox.clear()

    send_registration_email.call(str(registration.public_id), "reminder")
    send_registration_email.call(str(registration.public_id), "confirmed")

    assert mail.outbox == []


def test_a_reminder_for_a_confirmed_place_is_still_sent(make_user):
    user = make_user(email="sam@example.org")
    registration = act(services.register, make_event(), name="", email="", user=user).registration
    mail.outbox.clear()

    send_registration_email.call(str(registration.public_id), "reminder")

    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Reminder"]


def test_a_confirm_email_is_not_sent_once_the_place_is_confirmed_or_lapsed():
    event = make_event()
    registration = services.register(event, name="Sam", email="sam@example.org").registration
    public_id = str(registration.public_id)

    Registration.objects.update(status=RegistrationStatus.CONFIRMED, confirmed_at=timezone.now())
    send_registration_email.call(public_id, "confirm_place")
    Registration.objects.update(status=RegistrationStatus.EXPIRED, confirmed_at=None)
    send_registration_email.call(public_id, "confirm_place")
    send_registration_email.call(public_id, "promoted")

    assert mail.outbox == []
    send_registration_email.call(public_id, "expired")
    assert len(mail.outbox) == 1


# 4. The staff registrations page -----------------------------------------------------------------


def _fill(event, count: int, status: str, start: int) -> None:
    for number in range(start, start + count):
        Registration.objects.create(
            event=event,
            name=f"Person {number}",
            email=f"person{number}@example.org",
            status=status,
            sequence=number,
        )


def test_the_registrations_page_runs_the_same_queries_however_many_registered(
    sign_in, make_user, django_assert_num_queries
):
    client = sign_in(make_user(Role.FUND_OFFICER))
    event = make_event(capacity=2)
    url = reverse("events:registrations", args=[event.public_id])
    _fill(event, 2, RegistrationStatus.CONFIRMED, 1)
    _fill(event, 2, RegistrationStatus.WAITLISTED, 3)
    client.get(url)  # warm up the session and anything cached once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    _fill(event, 20, RegistrationStatus.WAITLISTED, 5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    last = re.search(r"Person 24</th>(.*?)</tr>", text).group(1)
    assert 'govuk-table__cell--numeric">22</td>' in last
