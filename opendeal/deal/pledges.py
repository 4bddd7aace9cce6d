"""Residents' pledges to "your part" of the Deal: signing, confirming by a signed link,
withdrawing, and the public totals.

Rules:
- One row per (commitment, email address), so signing twice never counts twice. Signing again
  re-uses the row: an active pledge stays active; a withdrawn one comes back as pending (email
  flow, until the link is confirmed) or active (signed in with an account).
- With an account the pledge is active at once. With only an email address it is pending
  until the resident confirms it from the signed link emailed to them.
- Only the postcode district (the outward code, e.g. "WN1") is ever stored.
- Only active pledges count. Totals never show a name, an email address or a postcode.
- Email addresses never go into the audit trail, the logs or a link: audit details hold ids
  only, and signed links name pledges by public id with a keyed digest of the address.
- Changes of mind are free: a pledge can be withdrawn at any time by its owner, signed in or
  through the "manage your pledges" link in every pledge email.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from localflavor.gb.forms import GBPostcodeField

from opendeal.core import audit
from opendeal.core.mail import absolute_url, send_email_after_commit
from opendeal.core.models import User

from .models import Commitment, Deal, Part, Pledge, PledgeStatus

CONFIRMATION_SALT = "opendeal.deal.pledges.confirm"
MANAGE_SALT = "opendeal.deal.pledges.manage"
EMAIL_DIGEST_SALT = "opendeal.deal.pledges.email"
NOT_GIVEN = "Not given"
INVALID_POSTCODE = "Enter a real postcode, like WN1 1AA"


class InvalidPledgeLink(Exception):
    """A confirmation or "manage your pledges" link that was tampered with, cut short or is
    too old. `reason` is "expired" or "invalid"; the message says what to do."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        if reason == "expired":
            message = (
                f"This link has expired. Links in our emails work for "
                f"{settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS} days."
            )
        else:
            message = "This link does not work. Check you copied the whole link from the email."
        super().__init__(message)


@dataclass(frozen=True)
class ConfirmationRequest:
    email: str
    pledge_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class PledgeTotals:
    total_pledges: int
    total_people: int
    by_commitment: dict[int, int]
    by_district: list[tuple[str, int]]


# Selectors


def pledgeable_commitments(deal: Deal | None = None) -> QuerySet[Commitment]:
    """ "Your part" commitments of published Deals (of one Deal if given), in Deal order."""
    commitments = Commitment.objects.filter(part=Part.YOURS, theme__deal__is_published=True)
    if deal is not None:
        commitments = commitments.filter(theme__deal=deal)
    return commitments.select_related("theme").order_by(
        "theme__position", "theme__title", "position", "reference"
    )


def pledges_for_user(user: User) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(user=user)
        .exclude(status=PledgeStatus.WITHDRAWN)
        .select_related("commitment__theme")
        .order_by("commitment__theme__position", "commitment__position", "commitment__reference")
    )


def pledges_for_email(email: str) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(email=normalise_email(email))
        .select_related("commitment__theme")
        .order_by("commitment__theme__position", "commitment__position", "commitment__reference")
    )


def pledge_totals(deal: Deal) -> PledgeTotals:
    """Active pledges of a Deal, by commitment and by postcode district, and how many people
    made them. Two aggregate queries that read only the covering indexes deal_pledge_totals and
    deal_pledge_people, plus one for the Deal's commitments; Python only adds up the grouped
    rows (at most commitments x districts of them), never loops over pledges."""
    commitment_ids = list(
        Commitment.objects.filter(theme__deal=deal, part=Part.YOURS).values_list("pk", flat=True)
    )
    active = Pledge.objects.filter(status=PledgeStatus.ACTIVE, commitment_id__in=commitment_ids)
    by_commitment = dict.fromkeys(commitment_ids, 0)
    by_district: dict[str, int] = {}
    grouped = active.values_list("commitment_id", "postcode_district").annotate(count=Count("pk"))
    for commitment_id, district, count in grouped.order_by():
        by_commitment[commitment_id] += count
        label = district or NOT_GIVEN
        by_district[label] = by_district.get(label, 0) + count
    # COUNT(*) over SELECT DISTINCT: PostgreSQL can hash it, where COUNT(DISTINCT) sorts.
    total_people = active.values("email").distinct().order_by().count()
    return PledgeTotals(
        total_pledges=sum(by_commitment.values()),
        total_people=total_people,
        by_commitment=by_commitment,
        by_district=sorted(by_district.items(), key=lambda item: (-item[1], item[0])),
    )


# Plain rules


def normalise_email(email: str) -> str:
    return email.strip().lower()


def postcode_district(postcode: str | None) -> str:
    """The outward code of a valid UK postcode ("wn1 1aa" -> "WN1"), or "" for none.
    Raises ValidationError for a postcode that is not real."""
    if not postcode or not postcode.strip():
        return ""
    field = GBPostcodeField(error_messages={"invalid": INVALID_POSTCODE})
    try:
        return field.clean(postcode).split(" ")[0]
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from None


def _link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS)


def _read_signed(token: str, salt: str) -> object:
    try:
        return signing.loads(token, salt=salt, max_age=_link_max_age())
    except signing.SignatureExpired:
        raise InvalidPledgeLink("expired") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidPledgeLink("invalid") from None


# Signed links. They name pledges by public id and carry a keyed digest of the address they
# were sent to, never the address itself: a signed value is only base64, readable by anyone,
# and links end up in server access logs and browser history.


def _email_digest(email: str) -> str:
    return salted_hmac(EMAIL_DIGEST_SALT, normalise_email(email)).hexdigest()[:24]


def _pledge_ids(values: object) -> tuple[uuid.UUID, ...]:
    if not isinstance(values, list) or not values:
        raise InvalidPledgeLink("invalid")
    try:
        return tuple(uuid.UUID(value) for value in values)
    except (TypeError, ValueError, AttributeError):
        raise InvalidPledgeLink("invalid") from None


def _address_of(pledge_ids: tuple[uuid.UUID, ...], digest: object) -> str:
    """The one address the named pledges were made with, if the link's digest is of it."""
    emails = set(Pledge.objects.filter(public_id__in=pledge_ids).values_list("email", flat=True))
    if len(emails) != 1 or not isinstance(digest, str):
        raise InvalidPledgeLink("invalid")
    email = emails.pop()
    if not constant_time_compare(_email_digest(email), digest):
        raise InvalidPledgeLink("invalid")
    return email


def make_confirmation_token(pledges: Iterable[Pledge]) -> str:
    """A link's token confirming these pledges, all made with one address."""
    pledges = list(pledges)
    payload = {
        "e": _email_digest(pledges[0].email),
        "p": [str(pledge.public_id) for pledge in pledges],
    }
    return signing.dumps(payload, salt=CONFIRMATION_SALT, compress=True)


def read_confirmation_token(token: str) -> ConfirmationRequest:
    """The email address and pledges a confirmation link is for. Raises InvalidPledgeLink."""
    payload = _read_signed(token, CONFIRMATION_SALT)
    if not isinstance(payload, dict):
        raise InvalidPledgeLink("invalid")
    pledge_ids = _pledge_ids(payload.get("p"))
    return ConfirmationRequest(_address_of(pledge_ids, payload.get("e")), pledge_ids)


def make_manage_token(pledge: Pledge) -> str:
    """A link's token for managing every pledge made with this pledge's address."""
    payload = {"e": _email_digest(pledge.email), "p": [str(pledge.public_id)]}
    return signing.dumps(payload, salt=MANAGE_SALT, compress=True)


def read_manage_token(token: str) -> str:
    """The email address a "manage your pledges" link is for. Raises InvalidPledgeLink."""
    payload = _read_signed(token, MANAGE_SALT)
    if not isinstance(payload, dict):
        raise InvalidPledgeLink("invalid")
    return _address_of(_pledge_ids(payload.get("p")), payload.get("e"))


def confirmation_pledges(request: ConfirmationRequest) -> QuerySet[Pledge]:
    """The pledges a valid confirmation link names, as they are now."""
    return (
        Pledge.objects.filter(public_id__in=request.pledge_ids, email=request.email)
        .select_related("commitment__theme")
        .order_by("commitment__theme__position", "commitment__position", "commitment__reference")
    )


def can_withdraw(
    pledge: Pledge, *, by_user: User | None = None, by_email: str | None = None
) -> tuple[bool, str]:
    if by_user is not None and by_user.is_authenticated and pledge.user_id == by_user.pk:
        return True, ""
    if by_email is not None and pledge.email == normalise_email(by_email):
        return True, ""
    return False, "You can only withdraw your own pledges."


# Actions


def _check_pledgeable(commitments: list[Commitment]) -> None:
    if not commitments:
        raise ValidationError({"commitments": "Select at least one pledge"})
    ids = {commitment.pk for commitment in commitments}
    if pledgeable_commitments().filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"commitments": "You can only pledge to your part of the Deal"})


def _sign_one(commitment: Commitment, email: str, district: str, user: User | None) -> Pledge:
    """Create or re-use the one row for this commitment and address. get_or_create catches
    the unique constraint's IntegrityError when a concurrent submit made the row first."""
    now = timezone.now()
    target = PledgeStatus.ACTIVE if user is not None else PledgeStatus.PENDING
    pledge, created = Pledge.objects.select_for_update().get_or_create(
        commitment=commitment,
        email=email,
        defaults={
            "status": target,
            "postcode_district": district,
            "user": user,
            "confirmed_at": now if user is not None else None,
        },
    )
    if created:
        return pledge
    if pledge.status == PledgeStatus.ACTIVE and user is None:
        # Someone typing this address cannot change a signed pledge: only its owner can,
        # by signing in or through the emailed link.
        return pledge
    if pledge.status != PledgeStatus.ACTIVE:
        pledge.status = target
        pledge.withdrawn_at = None
        pledge.confirmed_at = now if user is not None else None
    if user is not None:
        pledge.user = user
    if district:
        pledge.postcode_district = district
    pledge.save()
    return pledge


def sign_pledges(
    commitments: Iterable[Commitment],
    email: str | None,
    postcode: str | None = None,
    user: User | None = None,
) -> list[Pledge]:
    """Pledge to "your part" commitments. With `user` (signed in) the pledges are active at
    once under the account's address and `email` is ignored; otherwise they are pending and
    `email` is sent a signed link to confirm them. Raises ValidationError for bad input."""
    commitments = list(commitments)
    _check_pledgeable(commitments)
    if user is not None and not user.is_authenticated:
        user = None
    address = normalise_email(user.email if user is not None else email or "")
    if not address:
        raise ValidationError({"email": "Enter your email address"})
    district = postcode_district(postcode)
    with transaction.atomic():
        pledges = [_sign_one(commitment, address, district, user) for commitment in commitments]
        for pledge in pledges:
            audit.record(
                user,
                "deal.pledge.signed",
                pledge,
                commitment=str(pledge.commitment.public_id),
                status=pledge.status,
            )
        if user is None:
            _email_confirmation_link(address, pledges)
    return pledges


def _email_confirmation_link(email: str, pledges: list[Pledge]) -> None:
    token = make_confirmation_token(pledges)
    send_email_after_commit(
        email,
        "Confirm your pledges",
        "deal/email/confirm_pledges",
        {
            "pledges": [pledge.commitment.title for pledge in pledges],
            "confirm_url": absolute_url(reverse("deal:pledge-confirm", args=[token])),
            "manage_url": absolute_url(
                reverse("deal:pledge-manage", args=[make_manage_token(pledges[0])])
            ),
            "max_age_days": settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS,
        },
        unsolicited=True,
    )


def confirm_pledges(token: str) -> list[Pledge]:
    """Make the pending pledges a confirmation link names active. Returns the link's pledges
    that are active afterwards (withdrawn ones stay withdrawn: withdrawing came later).
    Raises InvalidPledgeLink and then changes nothing."""
    request = read_confirmation_token(token)
    now = timezone.now()
    with transaction.atomic():
        pledges = list(confirmation_pledges(request).select_for_update(of=("self",)))
        for pledge in pledges:
            if pledge.status != PledgeStatus.PENDING:
                continue
            pledge.status = PledgeStatus.ACTIVE
            pledge.confirmed_at = now
            pledge.save(update_fields=["status", "confirmed_at"])
            audit.record(
                None, "deal.pledge.confirmed", pledge, commitment=str(pledge.commitment.public_id)
            )
    return [pledge for pledge in pledges if pledge.status == PledgeStatus.ACTIVE]


def withdraw_pledge(
    pledge: Pledge, *, by_user: User | None = None, by_email: str | None = None
) -> Pledge:
    """Withdraw a pledge: by its signed-in owner, or by the address it was made with (read
    from a signed link). Raises PermissionDenied for anyone else. Withdrawing twice is fine."""
    allowed, reason = can_withdraw(pledge, by_user=by_user, by_email=by_email)
    if not allowed:
        raise PermissionDenied(reason)
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if pledge.status == PledgeStatus.WITHDRAWN:
            return pledge
        pledge.status = PledgeStatus.WITHDRAWN
        pledge.withdrawn_at = timezone.now()
        pledge.save(update_fields=["status", "withdrawn_at"])
        audit.record(
            by_user, "deal.pledge.withdrawn", pledge, commitment=str(pledge.commitment.public_id)
        )
    return pledge


def send_manage_link(email: str) -> None:
    """Email a "manage your pledges" link to an address that has pledges. Says nothing either
    way to the caller, so nobody can find out whether an address has pledged."""
    address = normalise_email(email)
    pledge = Pledge.objects.filter(email=address).first()
    if pledge is None:
        return
    send_email_after_commit(
        address,
        "Manage your pledges",
        "deal/email/manage_pledges",
        {
            "manage_url": absolute_url(
                reverse("deal:pledge-manage", args=[make_manage_token(pledge)])
            ),
            "max_age_days": settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS,
        },
        unsolicited=True,
    )
