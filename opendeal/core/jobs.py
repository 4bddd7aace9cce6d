"""Long work started from the web, run by a background task, followed on a status page.

A view calls `start_job`, which records a `Job` and queues its kind's task in one transaction,
then sends the person to the job's status page (/account/jobs/<public_id>/). The task calls
`run_job` with the function that does the work; that function reports how far it has got
through a `Progress`, returns a summary of what it did, or raises `JobFailed` with the problems
to list. The status page refreshes itself while the job waits or runs.

Progress is written from a database connection of its own while the work's transaction is open,
so the page sees it move before the work commits (on PostgreSQL; SQLite has one writer at a
time, so there the figure moves between the work's transactions only). A worker killed mid-job
leaves the job running; its task goes back on the queue (`opendeal.core.task_worker`) and the
work starts again from the beginning, its earlier transaction having been rolled back.
"""

import copy
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone
from django_tasks.base import Task

from .mail import enqueue_with_transaction
from .models import Job, JobStatus, User
from .roles import Role

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The status page's words for a job that stopped on an error nobody foresaw (the error itself
# goes to the log, redacted, not to the page).
UNEXPECTED_FAILURE = (
    "Something went wrong and the job stopped. Nothing was changed. Try again later."
)


class JobFailed(Exception):
    """The work could not be done: `summary` says so in a sentence; `errors` lists each problem
    (e.g. "march.csv: Row 3, column date: …"). Raise it after undoing any writes."""

    def __init__(self, summary: str, errors: Iterable[str] = ()) -> None:
        self.summary = summary
        self.errors = list(errors)
        super().__init__(summary)


def start_job(
    task: Task,
    *,
    kind: str,
    title: str,
    started_by: User,
    parameters: dict[str, Any],
    next_url: str = "",
) -> Job:
    """Record a job and queue `task(job_id=…)` to run it, both or neither."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            started_by=started_by,
            parameters=parameters,
            next_url=next_url,
        )
        enqueue_with_transaction(task, job_id=str(job.public_id))
    return job


def can_view_job(user: User, job: Job) -> bool:
    """Only the person who started a job, and administrators, may see it."""
    if not user.is_authenticated:
        return False
    return job.started_by_id == user.pk or user.has_role(Role.ADMINISTRATOR)


class Progress:
    """How far a job has got: `start(total)`, then `advance()` per item (or `track(items)`).
    Written at most every `every_seconds`, and always when the last item is done."""

    def __init__(self, job: Job, every_seconds: float = 0.5) -> None:
        self.job_id = job.pk
        self.done = 0
        self.total: int | None = None
        self.every_seconds = every_seconds
        self._written_at = 0.0
        self._side: BaseDatabaseWrapper | None = None

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._write(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._write(force=self.done == self.total)

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Each item, counted as done once the caller has finished with it."""
        for item in items:
            yield item
            self.advance()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < self.every_seconds:
            return
        self._written_at = now
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(done=self.done, total=self.total)
        elif connection.vendor == "postgresql":
            self._write_beside_transaction()
        # On SQLite the open transaction holds the only write lock: the figure waits.

    def _write_beside_transaction(self) -> None:
        """Commit the figure from a second connection, so it is seen before the work commits.
        Best effort: a progress figure is never worth failing the work for."""
        try:
            if self._side is None:
                settings_dict = copy.deepcopy(connection.settings_dict)
                backend = load_backend(settings_dict["ENGINE"])
                self._side = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
            table = self._side.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s WHERE id = %s",
                    [self.done, self.total, self.job_id],
                )
        except Exception:
            logger.warning("Could not record a job's progress", exc_info=True)
            self.close()


def _claim(job_id: str) -> Job | None:
    """Mark the job running, unless it has already finished (a task run twice)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.done = 0
        job.save(update_fields=["status", "started_at", "done"])
    return job


def _finish(job: Job, status: str, summary: str, errors: list[str], progress: Progress) -> None:
    job.status = status
    job.summary = summary
    job.errors = errors
    job.done = progress.done
    job.total = progress.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "errors", "done", "total", "finished_at"])


def run_job(job_id: str, work: Callable[[Job, Progress], str]) -> str:
    """The body of a job's task: run `work(job, progress)` and record how it ended. Returns the
    job's final status (the task's result)."""
    job = _claim(job_id)
    if job is None:
        logger.info("Job %s has already finished or does not exist", job_id)
        return "skipped"
    progress = Progress(job)
    try:
        summary = work(job, progress)
    except JobFailed as failure:
        _finish(job, JobStatus.FAILED, failure.summary, failure.errors, progress)
    except Exception:
        _finish(job, JobStatus.FAILED, UNEXPECTED_FAILURE, [], progress)
        raise  # the task is marked failed, and the error logged
    else:
        _finish(job, JobStatus.SUCCEEDED, summary, [], progress)
    finally:
        progress.close()
    return job.status
