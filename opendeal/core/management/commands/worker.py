"""`opendeal worker`: run background tasks (emails, reminders, housekeeping, jobs started from
the web such as CSV imports) from the database queue, and queue the housekeeping when it is due.

django-tasks-db's database worker under the project's own name, with heartbeats
(`opendeal.core.task_worker`): several workers on several machines share one PostgreSQL queue,
each task is claimed by one of them, and a task whose worker dies goes back on the queue. Each
worker also keeps the housekeeping schedule (`opendeal.core.schedule`) unless OPENDEAL_SCHEDULE
is off or it is started with --no-schedule; each due run is queued once whoever queues it.
"""

from argparse import ArgumentParser, BooleanOptionalAction

from django.conf import settings
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from opendeal.core.task_worker import HeartbeatWorker


class Command(DatabaseWorkerCommand):
    help = (
        "Run background tasks from the database queue (emails, reminders, housekeeping, imports), "
        "and queue the housekeeping when it is due."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule",
            action=BooleanOptionalAction,
            default=settings.OPENDEAL_SCHEDULE,
            help="Queue the scheduled housekeeping when due (default: OPENDEAL_SCHEDULE).",
        )

    def handle(self, *args, schedule: bool = True, **options) -> None:
        # django-tasks-db's command builds its worker from this module-level name; ours adds
        # the heartbeat and the schedule. Put back afterwards, so nothing else in the process
        # sees the change.
        original = db_worker.Worker
        db_worker.Worker = type("Worker", (HeartbeatWorker,), {"keeps_schedule": schedule})
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
