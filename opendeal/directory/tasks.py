"""Background tasks for the directory (django-tasks). The workers queue `send_review_reminders`
daily (`opendeal.core.schedule`, "directory.review_reminders"); `opendeal
directory_housekeeping` runs the same work, for cron."""

from django_tasks import task

from . import reminders


@task()
def send_review_reminders() -> int:
    """Remind owners, once, about listings that have gone 12 months without review."""
    return reminders.send_review_reminders()
