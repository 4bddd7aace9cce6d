"""`opendeal care_housekeeping`: erase care records closed for longer than the retention period
(OPENDEAL_CARE_RETENTION_YEARS). Run it daily from cron."""

from django.conf import settings
from django.core.management.base import BaseCommand

from opendeal.care.erasure import erase_expired, retention_cutoff


class Command(BaseCommand):
    help = "Erase adult social care records closed for longer than the retention period."

    def handle(self, *args, **options) -> None:
        cutoff = retention_cutoff()
        erased = erase_expired()
        self.stdout.write(
            f"Erased {erased} record{'s' if erased != 1 else ''} closed on or before "
            f"{cutoff:%-d %B %Y} ({settings.OPENDEAL_CARE_RETENTION_YEARS} years' retention)."
        )
