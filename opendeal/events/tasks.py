"""Background tasks for events (django-tasks): the housekeeping a worker or cron runs.

Each returns how many registrations it changed. `opendeal events_housekeeping` runs all three
at once; schedule it (cron, a systemd timer) every few minutes, or enqueue these tasks.
"""

from django_tasks import task

from . import services


@task()
def release_expired() -> int:
    """Lapse registrations not confirmed in time; their places go to the waiting list."""
    return services.release_expired()


@task()
def send_reminders() -> int:
    """Remind confirmed registrations before their event, once each."""
    return services.send_reminders()


@task()
def erase_personal_data() -> int:
    """Erase attendees' personal details once an event's retention period has passed."""
    return services.erase_personal_data()
