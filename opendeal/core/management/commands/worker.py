"""`opendeal worker`: run background tasks (emails, imports, exports) from the database queue.

The database worker of django-tasks-db, under the project's own name; several workers on several
machines can share one PostgreSQL queue.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run background tasks from the database queue (emails, imports, exports)."
