"""`opendeal demo`: load the demo borough into the configured database, idempotently."""

from django.conf import settings
from django.core.management.base import BaseCommand

from opendeal.core.demo import DEMO_PASSWORD, load_demo_accounts
from opendeal.deal.demo import load_demo_deal
from opendeal.events.demo import load_demo_events


class Command(BaseCommand):
    help = "Load the demo borough (fictional people, real public data) and print demo logins."

    def handle(self, *args, **options) -> None:
        council = settings.OPENDEAL_COUNCIL
        self.stdout.write(
            f"Loading the demo borough for {council['name']} ({council['gss_code']})…"
        )
        logins = load_demo_accounts()
        report = load_demo_deal(log=self.stderr)
        self.stdout.write(self.style.SUCCESS(report))
        self.stdout.write(self.style.SUCCESS(load_demo_events()))
        self.stdout.write("")
        self.stdout.write("Demo logins (fictional people), all with the password " + DEMO_PASSWORD)
        for login in logins:
            line = f"  {login.role.label:<31} {login.email:<42}"
            if login.totp_secret:
                line += f"2FA secret {login.totp_secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Staff roles also need a 6-digit code: add the 2FA secret to an authenticator app, "
            "or run `opendeal totp EMAIL` for the current code."
        )
