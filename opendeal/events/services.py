"""Registering for events, confirming, cancelling, the waiting list, attendance, and the
housekeeping a background task runs (lapsed confirmations, reminders, erasing personal data).

Rules:
- A place is held from the moment of registration. With an account the registration is
  confirmed at once; with only an email address it is pending until the person confirms it
  from the signed link emailed to them, by `confirm_by` (`event.confirmation_hours` after
  registering, and never later than the start). Unconfirmed by then, it lapses ("expired")
  and its place goes to the waiting list.
- Arrival order is `sequence`: each registration takes the event's next number while the
  event is locked, so it is the order registrations reached the lock, not what any web
  server's clock said (`registered_at` is for people to read).
- When no place is free, or anyone is already waiting, people join the waiting list in
  arrival order: a newcomer never takes a place while someone waits. Someone registering with
  only an email address must confirm their address from the link too, within the same time,
  or the registration lapses and leaves the list; confirming keeps their position. Account
  holders' addresses are known, so `confirmed_at` is set when they register: on a waiting-list
  registration it records that the address is confirmed.
- When a place frees (a cancellation, a lapsed confirmation, more capacity, an address
  confirmed while a place stood free), `_promote`, the one routine that hands places on,
  gives it to the head of the waiting list in arrival order, confirmed or not. A confirmed
  address gets the place confirmed and is told by email with a cancel link and the .ics file;
  an unconfirmed one gets it held as pending_confirmation with a fresh `confirm_by` and is
  emailed the link to confirm it by then, or it lapses and passes on in turn. Promotion stops
  at the start.
- Capacity is never exceeded. Every change to an event's registrations first locks the event
  row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already holds
  the database's one write lock), so counting places and taking one are a single step.
- One live registration per address per event: registering again is refused as "duplicate"
  and changes nothing. Cancelled and lapsed registrations do not count.
- Anonymous registering is throttled, so nobody can hold every place with made-up addresses
  or flood an inbox: at most OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR attempts from
  one network address an hour, and the confirmation email counts against the site-wide
  OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR limit for its address; over either, the registration
  is refused as "too_many" and changes nothing.
- Emails and the audit trail never hold an address: emails are queued by registration id
  after the commit, and audit details hold ids and counts only.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.mail import within_unsolicited_email_limit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require
from opendeal.core.rate_limits import within_hourly_limit

from .emails import queue_registration_email
from .errors import InvalidLink, RegistrationRefused
from .models import (
    PLACE_HOLDING_STATUSES,
    Event,
    Registration,
    RegistrationStatus,
    RegistrationType,
)
from .selectors import places_left, waitlist_position
from .tokens import make_registration_token, read_registration_token, registration_link

__all__ = [
    "InvalidLink",
    "RegistrationRefused",
    "RegistrationResult",
    "cancel_own_registration",
    "cancel_registration",
    "confirm_registration",
    "erase_personal_data",
    "housekeeping",
    "make_registration_token",
    "mark_attendance",
    "places_left",
    "promote_waiting_list",
    "read_registration_token",
    "register",
    "registration_link",
    "release_expired",
    "send_reminders",
    "waitlist_position",
]

LIVE_STATUSES = (*PLACE_HOLDING_STATUSES, RegistrationStatus.WAITLISTED)
MAX_ANSWER_LENGTH = 2000
TOO_MANY_FROM_CLIENT = (
    "There have been too many registrations from your network in the last hour. "
    "Try again later, or sign in to register."
)
TOO_MANY_EMAILS = (
    "We have sent too many emails to this address in the last hour. "
    "Try again later, or sign in to register."
)


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    waitlist_position: int | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


# Registering


def register(
    event: Event,
    *,
    name: str,
    email: str,
    registration_type: RegistrationType | None = None,
    answers: dict[str, str] | None = None,
    user: User | None = None,
    client_address: str | None = None,
) -> RegistrationResult:
    """Register someone for an event: with `user` (signed in) under the account's address,
    confirmed at once if a place is free; otherwise under `email`, pending confirmation by the
    emailed link. With no place free, on the waiting list. Raises ValidationError for a blank
    name or a malformed address or answer, RegistrationRefused when the rules say no; either
    way nothing changes.

    `client_address` (the request's network address) is counted against the hourly limit on
    anonymous registrations; pass it from every public form and API call."""
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and client_address is not None and not _within_client_limit(client_address):
        raise RegistrationRefused(TOO_MANY_FROM_CLIENT, "too_many")
    # Say a closed event is closed before finding fault with the details; checked again below,
    # under the lock, against the event as it is then.
    _check_open(event, timezone.now())
    address = normalise_email(user.email if user is not None else email or "")
    name = (name or "").strip() or (user.full_name if user is not None else "")
    _check_details(name, address)
    if registration_type is not None and registration_type.event_id != event.pk:
        raise RegistrationRefused("Choose one of this event's registration types.", "invalid_type")
    clean_answers = _check_answers(event, answers or {})
    with transaction.atomic():
        event = _lock_event(event.pk)
        now = timezone.now()
        _check_open(event, now)
        status, position, sequence = _place_for_newcomer(event, address, user, now)
        # Last, so that refusals above cost the address nothing.
        if user is None and not within_unsolicited_email_limit(address):
            raise RegistrationRefused(TOO_MANY_EMAILS, "too_many")
        registration = Registration.objects.create(
            event=event,
            registration_type=registration_type,
            user=user,
            name=name,
            email=address,
            answers=clean_answers,
            status=status,
            sequence=sequence,
            registered_at=now,
            confirmed_at=now if user is not None else None,
            confirm_by=None if user is not None else _confirm_by(event, now),
        )
        audit.record(
            user,
            "events.registration.created",
            registration,
            event=str(event.public_id),
            status=status,
            with_account=user is not None,
        )
        queue_registration_email(registration, _first_email(registration))
    return RegistrationResult(registration, position)


def _within_client_limit(client_address: str) -> bool:
    """Count one anonymous registration attempt from `client_address` this hour."""
    return within_hourly_limit(
        "event-registrations",
        client_address,
        settings.OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR,
    )


def _check_details(name: str, address: str) -> None:
    errors = {}
    if not name:
        errors["name"] = "Enter your name"
    elif len(name) > Registration._meta.get_field("name").max_length:
        errors["name"] = "Name must be 200 characters or fewer"
    if not address:
        errors["email"] = "Enter your email address"
    else:
        try:
            validate_email(address)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if errors:
        raise ValidationError(errors)


def _check_answers(event: Event, answers: dict[str, str]) -> dict[str, str]:
    """Answers keyed by question public id (as str), trimmed, blank ones left out."""
    questions = {str(question.public_id): question for question in event.questions.all()}
    unknown = set(map(str, answers)) - set(questions)
    if unknown:
        raise ValidationError({"answers": "Answer only this event's questions"})
    clean = {}
    for key, value in answers.items():
        text = str(value or "").strip()
        if len(text) > MAX_ANSWER_LENGTH:
            raise ValidationError(
                {"answers": f"Answers must be {MAX_ANSWER_LENGTH} characters or fewer"}
            )
        if text:
            clean[str(key)] = text
    for key, question in questions.items():
        if question.is_required and key not in clean:
            raise RegistrationRefused(f"Answer the question: {question.text}", "missing_answer")
    return clean


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _check_open(event: Event, now: datetime.datetime) -> None:
    if not event.is_published:
        raise RegistrationRefused("This event is not open for registration.", "not_published")
    if now < event.registration_opens_at:
        opens = timezone.localtime(event.registration_opens_at)
        raise RegistrationRefused(
            f"Registration opens on {opens:%-d %B %Y at %H:%M}.".replace(" at 00:00", ""),
            "not_open",
        )
    if now >= event.registration_closes_at or now >= event.starts_at:
        raise RegistrationRefused("Registration for this event has closed.", "closed")


def _confirm_by(event: Event, now: datetime.datetime) -> datetime.datetime:
    return min(now + datetime.timedelta(hours=event.confirmation_hours), event.starts_at)


def _held_places(event: Event) -> int:
    return event.registrations.filter(status__in=PLACE_HOLDING_STATUSES).count()


def _place_for_newcomer(
    event: Event, address: str, user: User | None, now: datetime.datetime
) -> tuple[str, int | None, int]:
    """The new registration's status, its waiting-list position if it waits (it is last), and
    its arrival number. Refuses a second live registration for the address. One query in the
    usual case: this runs while the event is locked, and every round trip there holds up
    everyone else. The arrival number is taken here, under that lock, so numbers follow the
    order registrations reach it."""
    counts = event.registrations.aggregate(
        held=Count("pk", filter=Q(status__in=PLACE_HOLDING_STATUSES)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        same_address=Count("pk", filter=Q(status__in=LIVE_STATUSES, email=address)),
        last=Max("sequence"),
    )
    if counts["same_address"]:
        raise RegistrationRefused(
            "This email address is already registered for this event. "
            "Use the link in the email we sent to see or cancel the registration.",
            "duplicate",
        )
    sequence = (counts["last"] or 0) + 1
    held, waiting = counts["held"], counts["waiting"]
    if held < event.capacity and waiting:
        # A place free while people wait (not yet handed on): theirs before anyone new's.
        _promote(event, now)
        waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).count()
        held = _held_places(event)
    if waiting or held >= event.capacity:
        return RegistrationStatus.WAITLISTED, waiting + 1, sequence
    if user is not None:
        return RegistrationStatus.CONFIRMED, None, sequence
    return RegistrationStatus.PENDING_CONFIRMATION, None, sequence


def _first_email(registration: Registration) -> str:
    if registration.status == RegistrationStatus.CONFIRMED:
        return "confirmed"
    if registration.status == RegistrationStatus.PENDING_CONFIRMATION:
        return "confirm_place"
    if registration.confirmed_at is None:
        return "confirm_waitlist"
    return "waitlisted"


# Confirming and cancelling


def confirm_registration(token: str) -> Registration:
    """Confirm a registration from its emailed link: a pending one is confirmed; one on the
    waiting list has its address confirmed and keeps its position (and if a place stands
    free, the waiting list is promoted in order). Using the link again changes nothing.
    Raises InvalidLink for a bad link or a registration that has lapsed, and then changes
    nothing."""
    registration = read_registration_token(token, "confirm")
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        now = timezone.now()
        status = registration.status
        if status == RegistrationStatus.EXPIRED or (
            status in (RegistrationStatus.PENDING_CONFIRMATION, RegistrationStatus.WAITLISTED)
            and registration.confirmed_at is None
            and registration.confirm_by is not None
            and now >= registration.confirm_by
        ):
            raise InvalidLink(
                "This registration was not confirmed in time, so it has lapsed. "
                "Register again if places are left.",
                is_expired=True,
            )
        if status == RegistrationStatus.PENDING_CONFIRMATION:
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
            registration.confirm_by = None
            registration.save(update_fields=["status", "confirmed_at", "confirm_by"])
            audit.record(None, "events.registration.confirmed", registration)
            queue_registration_email(registration, "confirmed")
        elif status == RegistrationStatus.WAITLISTED and registration.confirmed_at is None:
            registration.confirmed_at = now
            registration.confirm_by = None
            registration.save(update_fields=["confirmed_at", "confirm_by"])
            audit.record(None, "events.registration.address_confirmed", registration)
            _promote(event, now)
            registration.refresh_from_db()
    return registration


def cancel_registration(token: str) -> Registration:
    """Cancel a registration from its emailed link (anyone holding the link may). The freed
    place goes to the waiting list. Cancelling twice is fine. Raises InvalidLink for a bad
    link, RegistrationRefused ("closed") once the event has started."""
    return _cancel(read_registration_token(token, "cancel"), actor=None)


def cancel_own_registration(user: User, registration: Registration) -> Registration:
    """Cancel a registration made with the signed-in user's account. Raises PermissionDenied
    for anyone else's, RegistrationRefused ("closed") once the event has started."""
    if not user.is_authenticated or registration.user_id != user.pk:
        raise PermissionDenied("You can only cancel your own registrations.")
    return _cancel(registration, actor=user)


def _cancel(registration: Registration, actor: User | None) -> Registration:
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in LIVE_STATUSES:
            return registration
        now = timezone.now()
        if now >= event.starts_at:
            raise RegistrationRefused(
                "This event has started, so the registration can no longer be cancelled.",
                "closed",
            )
        held_a_place = registration.status in PLACE_HOLDING_STATUSES
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        audit.record(actor, "events.registration.cancelled", registration, held_place=held_a_place)
        queue_registration_email(registration, "cancelled")
        if held_a_place:
            _promote(event, now)
    return registration


# The waiting list


def promote_waiting_list(event: Event) -> list[Registration]:
    """Hand any free places to the waiting list, e.g. after the capacity was raised (the
    caller may already hold the event's lock in its transaction).
    Returns the registrations promoted."""
    with transaction.atomic():
        return _promote(_lock_event(event.pk), timezone.now())


def _promote(event: Event, now: datetime.datetime) -> list[Registration]:
    """Give every free place to the head of the waiting list, in arrival order, whether or
    not their address is confirmed: the one routine that moves anyone off the waiting list,
    run after anything that may free a place. A confirmed address gets the place confirmed;
    an unconfirmed one gets it held, pending confirmation by a fresh `confirm_by`, and is
    emailed the link. Anyone whose time to confirm has already run out lapses first, as
    housekeeping would have lapsed them. The caller holds the event's lock."""
    if now >= event.starts_at:
        return []
    free = event.capacity - _held_places(event)
    if free <= 0:
        return []
    if _lapse(event, now):
        free = event.capacity - _held_places(event)
    promoted = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("sequence")[:free]
    )
    for registration in promoted:
        registration.promoted_at = now
        if registration.confirmed_at is not None:
            registration.status = RegistrationStatus.CONFIRMED
            registration.save(update_fields=["status", "promoted_at"])
            message = "promoted"
        else:
            registration.status = RegistrationStatus.PENDING_CONFIRMATION
            registration.confirm_by = _confirm_by(event, now)
            registration.save(update_fields=["status", "promoted_at", "confirm_by"])
            message = "promoted_confirm"
        audit.record(None, "events.registration.promoted", registration, status=registration.status)
        queue_registration_email(registration, message)
    return promoted


def _lapse(event: Event, now: datetime.datetime) -> list[Registration]:
    """Registrations of the event made with an email address and not confirmed by their
    `confirm_by` lapse ("expired"): off the waiting list, or their held place freed (the
    caller then promotes). The caller holds the event's lock."""
    lapsed = list(event.registrations.filter(_lapsed(now)))
    for registration in lapsed:
        registration.status = RegistrationStatus.EXPIRED
        registration.save(update_fields=["status"])
        audit.record(None, "events.registration.expired", registration)
        queue_registration_email(registration, "expired")
    return lapsed


def _lapsed(now: datetime.datetime) -> Q:
    return Q(
        status__in=[RegistrationStatus.PENDING_CONFIRMATION, RegistrationStatus.WAITLISTED],
        confirmed_at__isnull=True,
        confirm_by__lte=now,
    )


# Attendance


def mark_attendance(actor: User, registration: Registration, attended: bool) -> Registration:
    """Record whether someone with a confirmed place came. Needs events.check_in_attendees."""
    require(
        check_permission(
            actor,
            "events.check_in_attendees",
            to="mark attendance",
            role_lacks="marking attendance",
        )
    )
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise RegistrationRefused(
                "Only people with a confirmed place can be marked as attending.", "no_place"
            )
        registration.attended = attended
        registration.save(update_fields=["attended"])
        audit.record(actor, "events.registration.attendance", registration, attended=attended)
    return registration


# Housekeeping (run by tasks.py and `opendeal events_housekeeping`)


def release_expired(now: datetime.datetime | None = None) -> int:
    """Registrations made with an email address and not confirmed by their `confirm_by`
    lapse: a held place goes to the waiting list. Returns how many lapsed."""
    now = now or timezone.now()
    event_ids = set(Registration.objects.filter(_lapsed(now)).values_list("event_id", flat=True))
    released = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = _lock_event(event_id)
            released += len(_lapse(event, now))
            _promote(event, now)
    if released:
        audit.record(None, "events.housekeeping.released", registrations=released)
    return released


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Email a reminder, once, to every confirmed registration of a published event that
    starts within its `reminder_hours`. Returns how many were sent. Safe to run often and
    from several workers: each reminder is claimed by a conditional update first."""
    now = now or timezone.now()
    upcoming = Event.objects.filter(is_published=True, starts_at__gt=now, reminder_hours__gt=0)
    longest = upcoming.aggregate(hours=Max("reminder_hours"))["hours"]
    if not longest:
        return 0
    candidates = _due_reminders(now, longest).select_related("event")
    sent = 0
    with transaction.atomic():
        for registration in candidates:
            event = registration.event
            if event.starts_at - datetime.timedelta(hours=event.reminder_hours) > now:
                continue
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True, status=RegistrationStatus.CONFIRMED
            ).update(reminded_at=now)
            if claimed:
                queue_registration_email(registration, "reminder")
                sent += 1
        if sent:
            audit.record(None, "events.housekeeping.reminded", registrations=sent)
    return sent


def _due_reminders(now: datetime.datetime, hours: int) -> QuerySet[Registration]:
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminded_at__isnull=True,
        erased_at__isnull=True,
        event__is_published=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + datetime.timedelta(hours=hours),
    ).order_by("event__starts_at", "event_id", "sequence")


def erase_personal_data(now: datetime.datetime | None = None) -> int:
    """Blank the name, address and answers of every registration for an event that ended more
    than its `retention_days` ago, and unlink the account. Statuses and attendance stay, so
    the counts do. Returns how many registrations were erased."""
    now = now or timezone.now()
    ended_ids = set(
        Registration.objects.filter(erased_at__isnull=True, event__ends_at__lte=now).values_list(
            "event_id", flat=True
        )
    )
    erased = 0
    erased_events = []
    for event in Event.objects.filter(pk__in=ended_ids).order_by("ends_at", "pk"):
        if event.ends_at + datetime.timedelta(days=event.retention_days) > now:
            continue
        count = event.registrations.filter(erased_at__isnull=True).update(
            name="", email="", answers={}, user=None, erased_at=now
        )
        erased += count
        erased_events.append(str(event.public_id))
    if erased:
        audit.record(None, "events.housekeeping.erased", registrations=erased, events=erased_events)
    return erased


def housekeeping() -> dict[str, int]:
    """What falls due with time, in order: lapse unconfirmed places (passing them on), remind,
    erase; how many registrations each step changed."""
    return {
        "released": release_expired(),
        "reminded": send_reminders(),
        "erased": erase_personal_data(),
    }
