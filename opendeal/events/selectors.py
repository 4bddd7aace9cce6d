"""Reading events and registrations: what is coming up, places and the waiting list, and
attendance figures. Nothing here changes anything."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from opendeal.core.models import User

from .models import (
    PLACE_HOLDING_STATUSES,
    Event,
    Question,
    Registration,
    RegistrationStatus,
    RegistrationType,
)

HOLDING = Q(registrations__status__in=PLACE_HOLDING_STATUSES)


@dataclass(frozen=True)
class EventSummary:
    capacity: int
    confirmed: int
    pending: int
    waitlisted: int
    cancelled: int
    expired: int
    attended: int

    @property
    def places_taken(self) -> int:
        return self.confirmed + self.pending

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)


@dataclass(frozen=True)
class EventAttendance:
    event: Event
    registered: int  # confirmed places
    attended: int

    @property
    def no_shows(self) -> int:
        return self.registered - self.attended


@dataclass(frozen=True)
class MonthAttendance:
    month: datetime.date  # the first of the month
    events: int
    registered: int
    attended: int

    @property
    def no_shows(self) -> int:
        return self.registered - self.attended


def upcoming_events() -> QuerySet[Event]:
    """Published events that have not ended, soonest first, each annotated with
    `places_held` and with its registration types and questions prefetched."""
    return (
        Event.objects.filter(is_published=True, ends_at__gt=timezone.now())
        .annotate(places_held=Count("registrations", filter=HOLDING))
        .select_related("location")
        .prefetch_related(
            "location__addresses",
            Prefetch(
                "registration_types", queryset=RegistrationType.objects.order_by("position", "name")
            ),
            Prefetch("questions", queryset=Question.objects.order_by("position", "pk")),
        )
        .order_by("starts_at", "title")
    )


def places_left(event: Event) -> int:
    """Places not held by a confirmed or pending registration (never below zero)."""
    held = event.registrations.filter(status__in=PLACE_HOLDING_STATUSES).count()
    return max(event.capacity - held, 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list, and so on, in arrival order (`sequence`); None if
    not on it."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
        sequence__lt=registration.sequence,
    )
    return ahead.count() + 1


def event_summary(event: Event) -> EventSummary:
    """How an event's places stand, in one query."""

    def status_is(status: str) -> Count:
        return Count("pk", filter=Q(status=status))

    counts = event.registrations.aggregate(
        confirmed=status_is(RegistrationStatus.CONFIRMED),
        pending=status_is(RegistrationStatus.PENDING_CONFIRMATION),
        waitlisted=status_is(RegistrationStatus.WAITLISTED),
        cancelled=status_is(RegistrationStatus.CANCELLED),
        expired=status_is(RegistrationStatus.EXPIRED),
        attended=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, attended=True)),
    )
    return EventSummary(capacity=event.capacity, **counts)


def registrations_for_user(user: User) -> QuerySet[Registration]:
    """Everything a signed-in person registered for with their account, by event date."""
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "registration_type")
        .order_by("event__starts_at", "event_id", "sequence")
    )


def attendance_by_event(since: datetime.datetime | None = None) -> list[EventAttendance]:
    """For every event that has started (since `since`, if given), in date order: confirmed
    places, how many came, and no-shows. Still right after personal data is erased."""
    events = Event.objects.filter(starts_at__lte=timezone.now())
    if since is not None:
        events = events.filter(starts_at__gte=since)
    confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
    events = events.annotate(
        registered_count=Count("registrations", filter=confirmed),
        attended_count=Count("registrations", filter=confirmed & Q(registrations__attended=True)),
    ).order_by("starts_at", "pk")
    return [
        EventAttendance(
            event=event, registered=event.registered_count, attended=event.attended_count
        )
        for event in events
    ]


def attendance_by_month(months: int = 12) -> list[MonthAttendance]:
    """The last `months` calendar months (Europe/London) up to this one, oldest first, each
    with the events that started in it and their confirmed places, attendance and no-shows.
    Months without events are there with zeros, so a chart over time has no gaps."""
    today = timezone.localdate()
    firsts = [_add_months(today.replace(day=1), -back) for back in range(months - 1, -1, -1)]
    start = timezone.make_aware(datetime.datetime.combine(firsts[0], datetime.time()))
    totals = {first: [0, 0, 0] for first in firsts}
    for row in attendance_by_event(since=start):
        month = timezone.localtime(row.event.starts_at).date().replace(day=1)
        totals[month][0] += 1
        totals[month][1] += row.registered
        totals[month][2] += row.attended
    return [
        MonthAttendance(month=first, events=events, registered=registered, attended=attended)
        for first, (events, registered, attended) in totals.items()
    ]


def _add_months(first: datetime.date, count: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
