"""iCalendar files, parsed back with the icalendar package and checked field by field."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from opendeal.core.roles import Role
from opendeal.events import calendar, services
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def london(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def parse(content: bytes) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    parsed = icalendar.Calendar.from_ical(content)
    return parsed, parsed.walk("VEVENT")


def in_person_event():
    # 10:00-12:30 in June is 09:00-11:30 UTC (British Summer Time).
    return make_event(
        title="Fund workshop: writing a bid",
        summary="How to apply to the community fund.",
        starts_at=london(2031, 6, 12, 10, 0),
        ends_at=london(2031, 6, 12, 12, 30),
        registration_closes_at=london(2031, 6, 11, 17, 0),
    )


def test_a_registrations_file_has_a_stable_uid_utc_times_and_the_venue(settings, make_user):
    settings.OPENDEAL_BASE_URL = "https://deal.example.gov.uk"
    event = in_person_event()
    registration = act(
        services.register, event, name="Robin", email="", user=make_user(Role.RESIDENT)
    ).registration
    before = datetime.datetime.now(UTC).replace(microsecond=0)

    content = calendar.registration_ics(registration)

    parsed, [entry] = parse(content)
    assert str(parsed["version"]) == "2.0"
    assert str(parsed["prodid"]) == "-//Wigan Council//OpenDeal events//EN"
    assert str(parsed["method"]) == "PUBLISH"
    assert str(entry["uid"]) == f"registration-{registration.public_id}@deal.example.gov.uk"
    assert entry["dtstart"].dt == datetime.datetime(2031, 6, 12, 9, 0, tzinfo=UTC)
    assert entry["dtend"].dt == datetime.datetime(2031, 6, 12, 11, 30, tzinfo=UTC)
    assert b"DTSTART:20310612T090000Z" in content
    assert str(entry["summary"]) == "Fund workshop: writing a bid"
    assert str(entry["location"]) == "Wigan Life Centre, College Avenue, Wigan, WN1 1NJ"
    page = f"https://deal.example.gov.uk/events/{event.public_id}/"
    assert str(entry["url"]) == page
    assert str(entry["description"]) == (f"How to apply to the community fund.\n\nDetails: {page}")
    assert str(entry["status"]) == "CONFIRMED"
    assert before <= entry["dtstamp"].dt <= datetime.datetime.now(UTC)
    # The same registration always gets the same UID, so calendars update, not duplicate.
    assert parse(calendar.registration_ics(registration))[1][0]["uid"] == entry["uid"]


def test_the_joining_link_of_an_online_event_is_only_in_a_confirmed_places_file(make_user):
    event = make_event(
        venue_name="",
        venue_address="",
        venue_postcode="",
        online_url="https://meet.example.org/deal-network",
        capacity=1,
    )
    confirmed = act(
        services.register, event, name="Robin", email="", user=make_user(Role.RESIDENT)
    ).registration
    waiting = act(services.register, event, name="Sam", email="sam@example.org").registration

    _, [entry] = parse(calendar.registration_ics(confirmed))
    assert str(entry["location"]) == "Online"
    assert str(entry["url"]) == "https://meet.example.org/deal-network"
    assert "Join online: https://meet.example.org/deal-network" in str(entry["description"])

    raw = calendar.registration_ics(waiting)
    _, [entry] = parse(raw)
    assert str(entry["status"]) == "TENTATIVE"
    assert b"meet.example.org" not in raw


def test_a_pending_or_cancelled_registration_is_tentative_or_cancelled():
    event = in_person_event()
    registration = act(services.register, event, name="Sam", email="sam@example.org").registration
    assert str(parse(calendar.registration_ics(registration))[1][0]["status"]) == "TENTATIVE"

    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)
    registration.refresh_from_db()
    assert str(parse(calendar.registration_ics(registration))[1][0]["status"]) == "CANCELLED"


def test_the_feed_has_one_entry_per_event_and_no_joining_links(settings):
    settings.OPENDEAL_BASE_URL = "https://deal.example.gov.uk"
    workshop = in_person_event()
    online = make_event(
        title="Online network meeting",
        venue_name="",
        venue_address="",
        venue_postcode="",
        online_url="https://meet.example.org/secret-room",
        starts_at=london(2031, 12, 1, 18, 0),
        ends_at=london(2031, 12, 1, 19, 30),
        registration_closes_at=london(2031, 12, 1, 12, 0),
    )

    content = calendar.events_feed_ics([workshop, online])

    parsed, entries = parse(content)
    assert str(parsed["x-wr-calname"]) == "The Deal events"
    assert [str(entry["uid"]) for entry in entries] == [
        f"event-{workshop.public_id}@deal.example.gov.uk",
        f"event-{online.public_id}@deal.example.gov.uk",
    ]
    # Winter: London time is UTC.
    assert entries[1]["dtstart"].dt == datetime.datetime(2031, 12, 1, 18, 0, tzinfo=UTC)
    assert entries[1]["dtend"].dt == datetime.datetime(2031, 12, 1, 19, 30, tzinfo=UTC)
    assert [str(entry["location"]) for entry in entries] == [
        "Wigan Life Centre, College Avenue, Wigan, WN1 1NJ",
        "Online",
    ]
    assert str(entries[1]["url"]) == f"https://deal.example.gov.uk/events/{online.public_id}/"
    assert b"secret-room" not in content


def test_an_empty_feed_is_still_a_calendar():
    parsed, entries = parse(calendar.events_feed_ics([]))
    assert entries == []
    assert str(parsed["version"]) == "2.0"
