"""Emails about a registration, sent by a background task queued with the change.

The task is given the registration's public id and which email to send, never the address:
the task queue is stored in the database and should hold no personal data. It reads the
registration when it runs, so links and the .ics file are those of the registration as it is,
and it sends nothing if the registration has moved on since the email was queued (a reminder
to someone who has cancelled since, say): see STILL_APPLIES.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from opendeal.core.mail import (
    EmailNotSent,
    enqueue_with_transaction,
)

from .calendar import location_text, registration_ics
from .models import Registration, RegistrationStatus
from .selectors import waitlist_position
from .tokens import registration_link

SUBJECTS = {
    "confirm_place": "Confirm your place at {title}",
    "confirm_waitlist": "Confirm your email address for the {title} waiting list",
    "confirmed": "Your place at {title} is confirmed",
    "waitlisted": "You are on the waiting list for {title}",
    "promoted": "A place has come up for you at {title}",
    "promoted_confirm": "A place has come up for you at {title}: confirm it to keep it",
    "reminder": "Reminder: {title} on {date}",
    "cancelled": "Your registration for {title} is cancelled",
    "expired": "Your registration for {title} has lapsed",
}
# Emails about a held, confirmed place carry the event as an .ics file and the online link.
WITH_PLACE = {"confirmed", "promoted", "reminder"}
CONFIRM_LINK = {"confirm_place", "confirm_waitlist", "promoted_confirm"}
CANCEL_LINK = {
    "confirm_place",
    "confirm_waitlist",
    "promoted_confirm",
    "confirmed",
    "waitlisted",
    "promoted",
    "reminder",
}
# The statuses in which each email still makes sense when the task runs; in any other the
# registration has moved on (confirmed, cancelled, lapsed, promoted) and the email is dropped.
STILL_APPLIES = {
    "confirm_place": {RegistrationStatus.PENDING_CONFIRMATION},
    "confirm_waitlist": {RegistrationStatus.WAITLISTED},
    "confirmed": {RegistrationStatus.CONFIRMED},
    "waitlisted": {RegistrationStatus.WAITLISTED},
    "promoted": {RegistrationStatus.CONFIRMED},
    "promoted_confirm": {RegistrationStatus.PENDING_CONFIRMATION},
    "reminder": {RegistrationStatus.CONFIRMED},
    "cancelled": {RegistrationStatus.CANCELLED},
    "expired": {RegistrationStatus.EXPIRED},
}


def still_applies(registration: Registration, message: str) -> bool:
    """Whether `message` still fits the registration as it is now."""
    if registration.status not in STILL_APPLIES[message]:
        return False
    # An email carrying a confirm link only makes sense while the address is unconfirmed.
    if message in CONFIRM_LINK and registration.confirmed_at is not None:
        return False
    # A reminder is about an event still to come.
    return not (message == "reminder" and registration.event.starts_at <= timezone.now())


def queue_registration_email(registration: Registration, message: str) -> None:
    """Send `message` (a key of SUBJECTS) about the registration if the transaction commits."""
    if message not in SUBJECTS:
        raise ValueError(f"Unknown registration email {message!r}")
    enqueue_with_transaction(
        send_registration_email, registration_id=str(registration.public_id), message=message
    )


@task()
def send_registration_email(registration_id: str, message: str) -> None:
    registration = (
        Registration.objects.select_related("event", "registration_type")
        .filter(public_id=registration_id)
        .first()
    )
    if registration is None or not registration.email:
        return  # deleted or erased since: nobody to write to
    if not still_applies(registration, message):
        return  # moved on since the email was queued (cancelled before a reminder, say)
    event = registration.event
    starts_at = timezone.localtime(event.starts_at)
    context = {
        "council": settings.OPENDEAL_COUNCIL,
        "registration": registration,
        "event": event,
        "starts_at": starts_at,
        "ends_at": timezone.localtime(event.ends_at),
        "where": location_text(event),
        "confirm_by": timezone.localtime(registration.confirm_by)
        if registration.confirm_by
        else None,
        "waitlist_position": waitlist_position(registration),
        "with_place": message in WITH_PLACE,
        "confirm_url": registration_link(registration, "confirm")
        if message in CONFIRM_LINK
        else "",
        "cancel_url": registration_link(registration, "cancel") if message in CANCEL_LINK else "",
        "calendar_url": registration_link(registration, "calendar")
        if message in WITH_PLACE
        else "",
    }
    email = EmailMultiAlternatives(
        subject=SUBJECTS[message].format(title=event.title, date=f"{starts_at:%-d %B %Y}"),
        body=render_to_string(f"events/email/{message}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    )
    if message in WITH_PLACE:
        email.attach("event.ics", registration_ics(registration), "text/calendar")
    try:
        email.send()
    except Exception:  # any failure: report it without the address
        raise EmailNotSent(f"Could not send the events/{message} email.") from None
