"""`opendeal directory_housekeeping`: remind owners about listings that have gone 12 months
without review. Safe to run as often as you like (e.g. daily from cron): each listing's owners
are emailed once until it is reviewed again."""

from django.core.management.base import BaseCommand

from opendeal.directory import reminders


class Command(BaseCommand):
    help = "Email owners of listings that have gone 12 months without review (once each)."

    def handle(self, *args, **options) -> None:
        reminded = reminders.send_review_reminders()
        stale = reminders.stale_services().count()
        self.stdout.write(
            f"Sent review reminders for {reminded} listings; {stale} listings are stale in all."
        )
