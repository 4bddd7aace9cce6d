"""`opendeal totp EMAIL`: the code a demo account's authenticator app would show now."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendeal.core.accounts.two_factor import confirmed_authenticator, current_code
from opendeal.core.models import User


class Command(BaseCommand):
    help = (
        "Print the current sign-in code of a demo account's authenticator, so the demo's staff "
        "logins can be tried without a phone. Refuses real (non-demo) accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="Email address of a demo account")

    def handle(self, *args, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no account with the email address {email}.")
        if not user.is_demo:
            raise CommandError(
                f"{user.email} is not a demo account: codes are only shown for demo accounts, "
                "because anyone who can run this command could otherwise sign in as real staff."
            )
        device = confirmed_authenticator(user)
        if device is None:
            raise CommandError(f"{user.email} has no authenticator set up.")
        self.stdout.write(current_code(device))
