"""`opendeal events_housekeeping`: lapse unconfirmed registrations, send reminders, and erase
personal details past their retention period. Safe to run as often as you like (e.g. from
cron every five minutes): each step only does what is due and is idempotent."""

from django.core.management.base import BaseCommand

from opendeal.events import services


class Command(BaseCommand):
    help = "Release lapsed registrations, send event reminders and erase old personal data."

    def handle(self, *args, **options) -> None:
        done = services.housekeeping()
        self.stdout.write(
            f"Released {done['released']} lapsed registrations, sent {done['reminded']} "
            f"reminders, erased personal details of {done['erased']} registrations."
        )
