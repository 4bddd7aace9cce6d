"""`opendeal worker`: run background tasks (emails, imports, exports) from the database queue.

django-tasks-db's database worker under the project's own name, with heartbeats
(`opendeal.core.task_worker`): several workers on several machines share one PostgreSQL queue,
each task is claimed by one of them, and a task whose worker dies goes back on the queue.
"""

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from opendeal.core.task_worker import HeartbeatWorker


class Command(DatabaseWorkerCommand):
    help = "Run background tasks from the database queue (emails, imports, exports)."

    def handle(self, *args, **options) -> None:
        # django-tasks-db's command builds its worker from this module-level name; ours adds
        # the heartbeat. Put back afterwards, so nothing else in the process sees the change.
        original = db_worker.Worker
        db_worker.Worker = HeartbeatWorker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
