"""What commands and scheduled tasks that act as a person share: finding that person's
account."""

from django.core.management.base import CommandError

from opendeal.core.models import User


def find_active_account(email: str) -> User | None:
    """The active account with this email address (any case), if there is one."""
    return User.objects.filter(email__iexact=email, is_active=True).first()


def active_account(email: str) -> User:
    """The active account with this email address (any case), or a CommandError naming it."""
    user = find_active_account(email)
    if user is None:
        raise CommandError(f"There is no active account with the email address {email}.")
    return user
