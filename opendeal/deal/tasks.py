"""Background tasks for the Deal (django-tasks). The workers queue `record_published_figures`
daily (`opendeal.core.schedule`, "deal.housekeeping"); `opendeal deal_housekeeping
--record-as EMAIL` runs the same work, for cron."""

import logging

from django.conf import settings
from django_tasks import task

from opendeal.core.management.accounts import find_active_account

from .published_figures import refresh_linked_measures
from .services import can_record_progress

logger = logging.getLogger(__name__)


@task()
def record_published_figures() -> dict[str, int] | None:
    """Put newly published figures on the measures linked to a series, recorded as the account
    OPENDEAL_HOUSEKEEPING_ACCOUNT names. Without one (or if it may not record progress), it
    records nothing and says why in the log, once a day, rather than fail."""
    email = settings.OPENDEAL_HOUSEKEEPING_ACCOUNT
    if not email:
        logger.warning(
            "Deal housekeeping skipped: set OPENDEAL_HOUSEKEEPING_ACCOUNT to the account that "
            "records published figures on the Deal's measures."
        )
        return None
    recorder = find_active_account(email)
    if recorder is None:
        logger.warning(
            "Deal housekeeping skipped: OPENDEAL_HOUSEKEEPING_ACCOUNT names no active account."
        )
        return None
    allowed, reason = can_record_progress(recorder)
    if not allowed:
        logger.warning("Deal housekeeping skipped: the housekeeping account is refused: %s", reason)
        return None
    recorded = refresh_linked_measures(recorder)
    return {"care": recorded.care, "observatory": recorded.observatory}
