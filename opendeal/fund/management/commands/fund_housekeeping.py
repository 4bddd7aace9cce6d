"""`opendeal fund_housekeeping`: email funded organisations about monitoring reports due
within two weeks, and again once overdue. Safe to run as often as you like (e.g. daily from
cron): each reminder is sent once."""

from django.core.management.base import BaseCommand

from opendeal.fund import awards


class Command(BaseCommand):
    help = "Send reminders of grant monitoring reports that are due soon or overdue."

    def handle(self, *args, **options) -> None:
        reminded = awards.send_monitoring_reminders()
        self.stdout.write(f"Sent {reminded} monitoring report reminders.")
