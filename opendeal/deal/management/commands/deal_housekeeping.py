"""`opendeal deal_housekeeping --record-as EMAIL`: put the newly published figures on the Deal
measures that take them from a series: each complete quarter from the care records
(`Measure.care_series`) and each period of the latest observatory release
(`Measure.observatory_indicator`). Run it daily from cron, after the imports:

    opendeal deal_housekeeping --record-as analyst@council.example

The readings are recorded as that account (it must be allowed to record progress), so the
timeline and the audit trail name who is responsible for them. Running it again records
nothing new."""

from django.core.management.base import BaseCommand, CommandError

from opendeal.core.management.accounts import active_account
from opendeal.deal.published_figures import refresh_linked_measures
from opendeal.deal.services import can_record_progress


class Command(BaseCommand):
    help = "Record new figures on the Deal measures linked to the care records or the observatory."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--record-as",
            dest="recorder",
            metavar="EMAIL",
            required=True,
            help="Email address of the account the readings are recorded as.",
        )

    def handle(self, *args, recorder: str, **options) -> None:
        user = active_account(recorder)
        allowed, reason = can_record_progress(user)
        if not allowed:
            raise CommandError(reason)
        recorded = refresh_linked_measures(user)
        self.stdout.write(
            f"Recorded {recorded.care} figure{'s' if recorded.care != 1 else ''} from the care "
            f"records and {recorded.observatory} from the observatory."
        )
