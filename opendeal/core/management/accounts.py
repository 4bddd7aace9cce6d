"""What commands that act as a person share: finding that person's account."""

from django.core.management.base import CommandError

from opendeal.core.models import User


def active_account(email: str) -> User:
    """The active account with this email address (any case), or a CommandError naming it."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise CommandError(f"There is no active account with the email address {email}.")
    return user
