"""Several `opendeal worker` processes share one queue; a killed worker loses no task.

Real worker processes against the test database (SQLite file or PostgreSQL), as on a council's
servers; the tests enqueue through the database backend and read the outcome from the tables.
"""

import datetime
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from opendeal.core.models import ImportRun, WorkerHeartbeat
from opendeal.core.task_worker import requeue_abandoned
from opendeal.core.tests.worker_tasks import record_once, write_two_rows

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WAIT_SECONDS = 120


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    return f"postgres://{user}@{host}:{port or 5432}/{settings_dict['NAME']}"


def _start_worker(
    var_dir, worker_id: str, *options: str, environment: dict[str, str] | None = None
) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.base",
        "DATABASE_URL": _database_url(),
        "OPENDEAL_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "OPENDEAL_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OPENDEAL_WORKER_HEARTBEAT_SECONDS": "0.5",
        "OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS": "3",
        "LOG_LEVEL": "WARNING",
        # These tests count the tasks they queue; the schedule's have tests of their own.
        "OPENDEAL_SCHEDULE": "0",
        **(environment or {}),
    }
    command = [sys.executable, "-m", "opendeal", "worker", "--no-reload", "--interval", "0.2"]
    return subprocess.Popen(
        [*command, "--worker-id", worker_id, *options],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.1)


def _stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        _, errors = worker.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, errors = worker.communicate()
    return errors


def test_workers_sharing_a_queue_run_each_task_exactly_once(tmp_path):
    labels = [f"task {number}" for number in range(30)]
    with override_settings(TASKS=DATABASE_QUEUE):
        for label in labels:
            record_once.enqueue(label)

    workers = [
        _start_worker(tmp_path, f"worker-{number}", "--batch", "--no-startup-delay")
        for number in range(3)
    ]
    for worker in workers:
        assert worker.wait(timeout=WAIT_SECONDS) == 0, worker.stderr.read()

    runs = Counter(
        ImportRun.objects.filter(importer="worker-test").values_list("source", flat=True)
    )
    assert runs == Counter(labels)  # every task ran, none twice
    tasks = list(DBTaskResult.objects.all())
    assert {task.status for task in tasks} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(task.worker_ids) == 1 for task in tasks)


def test_a_task_whose_worker_is_killed_runs_again_once_and_leaves_nothing_half_written(tmp_path):
    hold = tmp_path / "hold"
    hold.touch()
    with override_settings(TASKS=DATABASE_QUEUE):
        write_two_rows.enqueue("grant letter", str(hold))

    doomed = _start_worker(tmp_path, "doomed", "--no-startup-delay")
    try:
        _wait_for(lambda: (tmp_path / "hold.reached").exists(), "the task to start writing")
    finally:
        doomed.send_signal(signal.SIGKILL)  # mid-task, between its two writes
        doomed.wait(timeout=WAIT_SECONDS)

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.RUNNING
    assert not ImportRun.objects.filter(importer="worker-test").exists()  # part 1 rolled back

    hold.unlink()
    survivor = _start_worker(tmp_path, "survivor", "--no-startup-delay")
    try:
        _wait_for(
            lambda: DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL,
            "another worker to take over the abandoned task",
        )
    finally:
        errors = _stop(survivor)

    task.refresh_from_db()
    assert task.worker_ids == ["doomed", "survivor"]
    sources = sorted(
        ImportRun.objects.filter(importer="worker-test").values_list("source", flat=True)
    )
    assert sources == ["grant letter part 1", "grant letter part 2"], errors


def _running_task(worker_id: str, started_seconds_ago: float) -> DBTaskResult:
    with override_settings(TASKS=DATABASE_QUEUE):
        result = record_once.enqueue("x")
    task = DBTaskResult.objects.get(id=result.id)
    task.claim(worker_id)
    DBTaskResult.objects.filter(id=task.id).update(
        started_at=timezone.now() - datetime.timedelta(seconds=started_seconds_ago)
    )
    return task


@override_settings(OPENDEAL_WORKER_ABANDONED_AFTER_SECONDS=60)
def test_only_tasks_of_silent_workers_go_back_on_the_queue():
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", seen_at=now - datetime.timedelta(seconds=5))
    WorkerHeartbeat.objects.create(worker_id="silent", seen_at=now - datetime.timedelta(minutes=5))
    kept = _running_task("alive", started_seconds_ago=600)
    abandoned = _running_task("silent", started_seconds_ago=600)
    just_claimed = _running_task("never-beat-yet", started_seconds_ago=1)

    assert requeue_abandoned(now) == 1

    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[abandoned.id] == TaskResultStatus.READY
    assert statuses[kept.id] == TaskResultStatus.RUNNING
    assert statuses[just_claimed.id] == TaskResultStatus.RUNNING
