"""Background tasks for care (django-tasks). The workers queue `erase_expired_records` daily
(`opendeal.core.schedule`, "care.retention"); `opendeal care_housekeeping` runs the same work,
for cron."""

from django_tasks import task

from .erasure import erase_expired


@task()
def erase_expired_records() -> int:
    """Erase the care records closed for longer than OPENDEAL_CARE_RETENTION_YEARS; return how
    many. Each record is erased in a transaction of its own, and the audit trail says why."""
    return erase_expired()
