"""Background tasks for grants (django-tasks): the housekeeping a worker or cron runs.

`opendeal fund_housekeeping` runs the same; schedule it (cron, a systemd timer) daily, or
enqueue this task.
"""

from django_tasks import task

from . import awards


@task()
def send_monitoring_reminders() -> int:
    """Remind funded organisations of monitoring reports due soon or overdue, once each."""
    return awards.send_monitoring_reminders()
