"""Signed links for a registration: confirm it, cancel it, or add it to a calendar.

As with pledges, a link names the registration by public id and carries a keyed digest of the
address it was made with, never the address itself: a signed value is only base64, readable by
anyone, and links end up in access logs and browser history. The digest also means a link
stops working once the registration's personal details are erased.

Confirm links expire after OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS, or at the registration's
`confirm_by` if that is later (an event's `confirmation_hours` may be longer than the link's
usual life, and a link must work for as long as the person is told they have to use it). Cancel and calendar links last as long as the registration does,
since they are sent weeks before the event; cancelling is refused once the event has started.
"""

import datetime
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from opendeal.core.mail import absolute_url

from .errors import InvalidLink
from .models import Registration

EMAIL_DIGEST_SALT = "opendeal.events.registration.email"
# The page each link opens (URL names in events/urls.py); each takes the token as its argument.
LINK_URL_NAMES = {
    "confirm": "events:confirm",
    "cancel": "events:cancel",
    "calendar": "events:registration-ics",
}
EXPIRING_PURPOSES = {"confirm"}


def _salt(purpose: str) -> str:
    if purpose not in LINK_URL_NAMES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    return f"opendeal.events.registration.{purpose}"


def _email_digest(email: str) -> str:
    return salted_hmac(EMAIL_DIGEST_SALT, email).hexdigest()[:24]


def make_registration_token(registration: Registration, purpose: str) -> str:
    payload = {"r": str(registration.public_id), "e": _email_digest(registration.email)}
    return signing.dumps(payload, salt=_salt(purpose))


def registration_link(registration: Registration, purpose: str) -> str:
    """The absolute URL of the page that confirms ("confirm"), cancels ("cancel") or serves
    the .ics file of ("calendar") this registration."""
    token = make_registration_token(registration, purpose)
    return absolute_url(reverse(LINK_URL_NAMES[purpose], args=[token]))


def read_registration_token(token: str, purpose: str) -> Registration:
    """The registration a link is for. Raises InvalidLink for a tampered, truncated or expired
    token, one made for another purpose, or one whose registration no longer has that address."""
    max_age = (
        datetime.timedelta(days=settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS)
        if purpose in EXPIRING_PURPOSES
        else None
    )
    past_max_age = False
    try:
        try:
            payload = signing.loads(token, salt=_salt(purpose), max_age=max_age)
        except signing.SignatureExpired:
            # Genuine but older than the usual life: still good until the registration's
            # confirm-by deadline, checked below once the registration is found.
            past_max_age = True
            payload = signing.loads(token, salt=_salt(purpose))
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidLink() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise InvalidLink()
    try:
        public_id = uuid.UUID(str(payload.get("r")))
    except ValueError:
        raise InvalidLink() from None
    registration = (
        Registration.objects.select_related("event", "registration_type")
        .filter(public_id=public_id)
        .first()
    )
    if (
        registration is None
        or not registration.email
        or not constant_time_compare(_email_digest(registration.email), payload["e"])
    ):
        raise InvalidLink(is_expired=past_max_age)
    if past_max_age and not _before_confirm_by(registration):
        raise InvalidLink(is_expired=True)
    return registration


def _before_confirm_by(registration: Registration) -> bool:
    return registration.confirm_by is not None and timezone.now() < registration.confirm_by
