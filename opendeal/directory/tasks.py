"""Background tasks for the directory (django-tasks). `opendeal directory_housekeeping` runs the
same work; schedule either daily."""

from django_tasks import task

from . import reminders


@task()
def send_review_reminders() -> int:
    """Remind owners, once, about listings that have gone 12 months without review."""
    return reminders.send_review_reminders()
