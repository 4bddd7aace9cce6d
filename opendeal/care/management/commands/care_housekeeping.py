"""`opendeal care_housekeeping`: erase care records closed for longer than the retention period
(OPENDEAL_CARE_RETENTION_YEARS), and put each complete quarter's figures from the care records
on the Deal measures linked to them (`Measure.care_series`). Run it daily from cron:

    opendeal care_housekeeping --record-deal-as analyst@council.example

The Deal's readings are recorded as that account (it must be allowed to record progress), so
the timeline and the audit trail name who is responsible for them."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opendeal.care.erasure import erase_expired, retention_cutoff
from opendeal.core.models import User
from opendeal.deal.models import Measure
from opendeal.deal.published_figures import refresh_care_measures
from opendeal.deal.services import can_record_progress


class Command(BaseCommand):
    help = (
        "Erase adult social care records closed for longer than the retention period, and "
        "record new quarters on the Deal measures that take their figures from the care records."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--record-deal-as",
            dest="deal_recorder",
            metavar="EMAIL",
            help="Email address of the account the Deal's readings from care are recorded as.",
        )

    def handle(self, *args, deal_recorder: str | None = None, **options) -> None:
        # Check the account first, so a mistyped address erases nothing before failing.
        recorder = self._recorder(deal_recorder) if deal_recorder else None
        cutoff = retention_cutoff()
        erased = erase_expired()
        self.stdout.write(
            f"Erased {erased} record{'s' if erased != 1 else ''} closed on or before "
            f"{cutoff:%-d %B %Y} ({settings.OPENDEAL_CARE_RETENTION_YEARS} years' retention)."
        )
        if recorder is not None:
            recorded = refresh_care_measures(recorder)
            self.stdout.write(
                f"Recorded {recorded} Deal figure{'s' if recorded != 1 else ''} from the care "
                "records."
            )
        elif Measure.objects.exclude(care_series="").exists():
            self.stdout.write(
                "Deal measures take figures from the care records, but no new quarters were "
                "recorded: give --record-deal-as EMAIL."
            )

    def _recorder(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active account with the email address {email}.")
        allowed, reason = can_record_progress(user)
        if not allowed:
            raise CommandError(reason)
        return user
