"""`opendeal demo`: load the demo borough into the configured database, idempotently."""

from django.conf import settings
from django.core.management.base import BaseCommand

from opendeal.care.demo import load_demo_care
from opendeal.care.demo_loop import load_demo_funded_connections, load_demo_gap_people
from opendeal.core.demo import DEMO_PASSWORD, load_demo_accounts
from opendeal.deal.demo import load_demo_care_measure, load_demo_deal
from opendeal.directory.demo import load_demo_directory
from opendeal.events.demo import load_demo_events
from opendeal.fund.demo import load_demo_fund
from opendeal.fund.demo_awards import load_demo_awards
from opendeal.observatory.demo import load_demo_observatory


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
        # After the Deal: its health measures are linked to observatory series.
        self.stdout.write(self.style.SUCCESS(load_demo_observatory(log=self.stderr)))
        self.stdout.write(self.style.SUCCESS(load_demo_directory()))
        # After the directory: people are connected to its services, at its postcodes.
        self.stdout.write(self.style.SUCCESS(load_demo_care()))
        # The loop (care/demo_loop.py): people who asked for food in Hindley before Round 1.
        self.stdout.write(self.style.SUCCESS(load_demo_gap_people()))
        # After the Deal (priorities link to its themes), the directory (its postcodes) and
        # care (Round 1's priority made from the gap those people left on the gap map).
        self.stdout.write(self.style.SUCCESS(load_demo_fund()))
        # After the fund (its closed round's applications) and the directory (its taxonomy).
        self.stdout.write(self.style.SUCCESS(load_demo_awards()))
        # After the awards: the people are connected to the funded project once it is listed.
        self.stdout.write(self.style.SUCCESS(load_demo_funded_connections()))
        # After every connection: a Deal measure takes its quarters from the care records.
        self.stdout.write(self.style.SUCCESS(load_demo_care_measure()))
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
