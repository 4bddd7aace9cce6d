"""Why an action on a registration was refused, in words for people and a code for programs."""

from django.conf import settings


class RegistrationRefused(Exception):
    """A registration, confirmation or cancellation that the rules do not allow.

    `reason` is a sentence to show the person; `code` says which rule, for the API and views:
    "closed", "not_open", "duplicate", "invalid_type", "missing_answer", "not_published",
    "invalid_link", "no_place" (attendance for someone without a place), "too_many" (an
    anonymous registration over an hourly limit: from one network address, or emails to one
    address).
    """

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class InvalidLink(RegistrationRefused):
    """A confirm, cancel or calendar link that was tampered with, cut short, is too old, or
    belongs to a registration that is no longer there (lapsed, or its details erased)."""

    def __init__(self, reason: str | None = None, *, is_expired: bool = False) -> None:
        if reason is None:
            reason = (
                f"This link has expired. Links to confirm a place work for "
                f"{settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS} days."
                if is_expired
                else "This link does not work. Check you copied the whole link from the email."
            )
        super().__init__(reason, "invalid_link")
        self.is_expired = is_expired
