"""Events (workshops, network meetings, the Deal conference) and registrations for them.

A place is held from the moment of registration (confirmed or waiting for email
confirmation); when the event is full, people join a waiting list in arrival order.
"""

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from opendeal.directory.models import Location


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    NETWORK_MEETING = "network_meeting", "Network meeting"
    CONFERENCE = "conference", "Conference"
    OTHER = "other", "Other event"


class Event(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.WORKSHOP)
    summary = models.CharField(
        max_length=300, help_text="One or two sentences for the list of events."
    )
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # In person: where, as a place in the community directory or, for a place not in it, by
    # name and address. Online: a joining link, sent to people with a confirmed place.
    location = models.ForeignKey(
        "directory.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    venue_postcode = models.CharField(max_length=10, blank=True)
    online_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    # An email-only registration not confirmed within this many hours gives its place up.
    confirmation_hours = models.PositiveIntegerField(default=48, validators=[MinValueValidator(1)])
    # Reminders go this many hours before the start.
    reminder_hours = models.PositiveIntegerField(default=24)
    # Attendees' personal details are deleted this many days after the event ends; counts remain.
    retention_days = models.PositiveIntegerField(default=30)
    deal_theme = models.ForeignKey(
        "deal.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # A fund's pre-application workshop or network meeting belongs to its round.
    fund_round = models.ForeignKey(
        "fund.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "title"]
        permissions = [
            ("manage_events", "Can create and edit events and see who registered"),
            ("check_in_attendees", "Can see check-in lists and mark attendance"),
        ]
        indexes = [models.Index(fields=["is_published", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and self.venue is None

    @property
    def venue(self) -> "Venue | None":
        """Where people go: the directory location when there is one, else the typed venue."""
        if self.location is not None:
            return Venue.of_location(self.location, name=self.venue_name)
        if self.venue_name:
            return Venue(
                name=self.venue_name,
                address_lines=tuple(self.venue_address.splitlines()),
                postcode=self.venue_postcode,
            )
        return None


@dataclass(frozen=True)
class Venue:
    name: str
    address_lines: tuple[str, ...]
    postcode: str
    location: "Location | None" = None

    @classmethod
    def of_location(cls, location: "Location", *, name: str = "") -> "Venue":
        """A directory location's name and first address (physical before postal); `name`
        overrides the location's own, e.g. "Room 2, Wigan Life Centre"."""
        addresses = sorted(
            location.addresses.all(), key=lambda address: address.address_type != "physical"
        )
        address = addresses[0] if addresses else None
        lines: tuple[str, ...] = ()
        if address is not None:
            parts = (address.address_1, address.address_2, address.city)
            lines = tuple(part for part in parts if part)
        return cls(
            name=name or location.name or (lines[0] if lines else "Directory location"),
            address_lines=lines,
            postcode=address.postal_code if address is not None else "",
            location=location,
        )


class RegistrationType(models.Model):
    """Who is coming, e.g. resident, community organisation, professional."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registration_types")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="events_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """Something asked of everyone who registers, e.g. access needs or dietary needs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    is_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class RegistrationStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", "Waiting for email confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Not confirmed in time"


# Statuses that hold one of the event's places.
PLACE_HOLDING_STATUSES = (RegistrationStatus.PENDING_CONFIRMATION, RegistrationStatus.CONFIRMED)


class Registration(models.Model):
    """One person's registration. Personal details (name, email, answers) are erased
    `retention_days` after the event; the row, its status and attendance stay for the counts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    registration_type = models.ForeignKey(
        RegistrationType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(max_length=200, blank=True)
    # Lower-cased. Blank once erased.
    email = models.EmailField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=25, choices=RegistrationStatus.choices)
    # Arrival order, for the places and the waiting list: 1 for the event's first registration,
    # and so on. The registering service takes the next number while it holds the event's lock
    # (the lock that guards capacity), so the order is the order registrations reached that
    # lock, whatever the clocks of the machines serving the requests say.
    sequence = models.PositiveIntegerField(editable=False)
    # When the registration was made, by the clock of the server that took it: for people to
    # read, never for ordering (servers' clocks can disagree).
    registered_at = models.DateTimeField(default=timezone.now)
    # Pending registrations give up their place after this.
    confirm_by = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "sequence"], name="events_one_arrival_per_sequence"
            ),
            # One live registration per person per event; cancelled or expired ones don't count,
            # nor erased ones (their address is blank once personal data is deleted).
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=models.Q(status__in=["pending_confirmation", "confirmed", "waitlisted"])
                & ~models.Q(email=""),
                name="events_one_live_registration_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "sequence"], name="events_reg_arrivals"),
            models.Index(fields=["status", "confirm_by"], name="events_reg_expiry"),
        ]

    def __str__(self) -> str:
        return f"Registration {self.public_id} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        # services.register numbers each registration under the event's lock. Anything else
        # that makes one (fixtures, a shell) gets the next number here, without that lock: the
        # unique constraint refuses a clash rather than letting two share a place in the queue.
        if self.sequence is None and self.event_id is not None:
            self.sequence = next_sequence(self.event_id)
        super().save(*args, **kwargs)


def next_sequence(event_id: int) -> int:
    """The arrival number the event's next registration takes (1 for its first)."""
    last = Registration.objects.filter(event_id=event_id).aggregate(last=models.Max("sequence"))
    return (last["last"] or 0) + 1
