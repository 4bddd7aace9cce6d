"""iCalendar (RFC 5545) files: one for a registration, and a feed of upcoming events.

Times are written in UTC ("Z"), which every calendar converts to local time. UIDs are stable
(the registration's or the event's public id at this site's host), so a calendar that imports
the file again updates the entry instead of adding a second one. An online event's joining link
goes only into the file of a registration with a confirmed place, never into the public feed.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from opendeal.core.mail import absolute_url

from .models import Event, Registration, RegistrationStatus

ICS_STATUS = {
    RegistrationStatus.CONFIRMED: "CONFIRMED",
    RegistrationStatus.PENDING_CONFIRMATION: "TENTATIVE",
    RegistrationStatus.WAITLISTED: "TENTATIVE",
    RegistrationStatus.CANCELLED: "CANCELLED",
    RegistrationStatus.EXPIRED: "CANCELLED",
}


def registration_ics(registration: Registration) -> bytes:
    """The event as the registered person's calendar should show it."""
    event = registration.event
    has_place = registration.status == RegistrationStatus.CONFIRMED
    entry = _event_entry(
        event,
        uid=f"registration-{registration.public_id}@{_host()}",
        status=ICS_STATUS[registration.status],
        joining_link=event.online_url if has_place else "",
    )
    return _calendar([entry], name=event.title).to_ical()


def events_feed_ics(events: Iterable[Event]) -> bytes:
    """A subscribable feed of events (the caller passes the upcoming published ones)."""
    entries = [
        _event_entry(event, uid=f"event-{event.public_id}@{_host()}", status="CONFIRMED")
        for event in events
    ]
    name = f"{settings.OPENDEAL_COUNCIL['service_name']} events"
    return _calendar(entries, name=name).to_ical()


def _calendar(entries: list[icalendar.Event], name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.OPENDEAL_COUNCIL['name']}//OpenDeal events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(entry)
    return calendar


def _event_entry(event: Event, *, uid: str, status: str, joining_link: str = "") -> icalendar.Event:
    page = absolute_url(reverse("events:detail", args=[event.public_id]))
    entry = icalendar.Event()
    entry.add("uid", uid)
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    entry.add("dtstart", _utc(event.starts_at))
    entry.add("dtend", _utc(event.ends_at))
    entry.add("summary", event.title)
    description = [event.summary, f"Details: {page}"]
    if joining_link:
        description.append(f"Join online: {joining_link}")
    entry.add("description", "\n\n".join(description))
    entry.add("location", location_text(event))
    entry.add("url", joining_link or page)
    entry.add("status", status)
    return entry


def location_text(event: Event) -> str:
    venue = event.venue
    if venue is not None:
        parts = [venue.name, *venue.address_lines, venue.postcode]
        return ", ".join(part.strip() for part in parts if part.strip())
    return "Online"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _host() -> str:
    return urlsplit(settings.OPENDEAL_BASE_URL).hostname or "opendeal"
