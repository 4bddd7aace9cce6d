"""Background tasks for grants (django-tasks): the housekeeping a worker or cron runs.

The workers queue it daily (`opendeal.core.schedule`, "fund.monitoring_reminders");
`opendeal fund_housekeeping` runs the same, for cron.
"""

from django_tasks import task

from . import awards


@task()
def send_monitoring_reminders() -> int:
    """Remind funded organisations of monitoring reports due soon or overdue, once each."""
    return awards.send_monitoring_reminders()
