"""The background worker: django-tasks-db's, plus heartbeats so no task is lost.

django-tasks-db claims a task by marking it RUNNING. If the worker then dies (killed, out of
memory, its machine lost), the task would stay RUNNING for ever. Each `opendeal worker` therefore
beats every OPENDEAL_WORKER_HEARTBEAT_SECONDS from a thread of its own, and every worker, at each
beat, puts back on the queue any RUNNING task whose worker has not beaten for
OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS. A task's database writes are in a transaction, so a
killed run leaves nothing half-written, and the task runs once more from the start.

A worker that is alive keeps beating while a long task runs, so its task is never taken from it.

The same thread keeps the housekeeping schedule (`opendeal.core.schedule`): every
OPENDEAL_SCHEDULE_TICK_SECONDS it queues the scheduled tasks that have fallen due, each run once
however many workers tick.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import schedule
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "host": socket.gethostname(), "pid": os.getpid()},
    )


def requeue_abandoned(now=None) -> int:
    """Put back on the queue the RUNNING tasks whose worker has stopped beating."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids", "started_at"
    )
    for task_id, worker_ids, started_at in running:
        if worker_ids and worker_ids[-1] in alive:
            continue
        if started_at is not None and started_at >= cutoff:
            continue  # claimed moments ago; its worker may not have beaten yet
        with transaction.atomic():
            # Only if no other worker has requeued or claimed it meanwhile.
            requeued += DBTaskResult.objects.filter(
                id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.READY, started_at=None)
        logger.warning("Requeued task %s: its worker stopped", task_id)
    return requeued


class HeartbeatWorker(Worker):
    """django-tasks-db's worker with a heartbeat thread that also requeues abandoned tasks and,
    unless `keeps_schedule` is off, queues scheduled tasks when they fall due."""

    keeps_schedule = True

    def run(self) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._beat_until, args=(stop,), daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            stop.set()
            thread.join(timeout=5)

    def _beat_until(self, stop: threading.Event) -> None:
        interval = settings.OPENDEAL_WORKER_HEARTBEAT_SECONDS
        next_tick = time.monotonic()
        while not stop.is_set():
            started = time.monotonic()
            try:
                close_old_connections()
                beat(self.worker_id)
                requeue_abandoned()
            except Exception:  # a lost database connection must not stop the beats for good
                logger.exception("Worker heartbeat failed")
            # schedule.tick() itself does nothing while OPENDEAL_SCHEDULE is off.
            if self.keeps_schedule and started >= next_tick:
                next_tick = started + settings.OPENDEAL_SCHEDULE_TICK_SECONDS
                try:
                    schedule.tick()
                except Exception:
                    logger.exception("Scheduling housekeeping failed")
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
        connection.close()
