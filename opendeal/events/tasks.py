"""Background tasks for events (django-tasks): the housekeeping a worker or cron runs.

Each returns how many registrations it changed. `housekeeping` runs all three, as
`opendeal events_housekeeping` does; the workers queue it every few minutes
(`opendeal.core.schedule`, "events.housekeeping"), or cron runs the command instead.
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


@task()
def housekeeping() -> dict[str, int]:
    """All three, as `opendeal events_housekeeping` runs them."""
    return services.housekeeping()
