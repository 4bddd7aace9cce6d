"""A web server killed mid-request loses nothing it acknowledged and leaves nothing half-done.

gunicorn serves the test database (SQLite file or PostgreSQL) with the database task queue, as
in production. Registrations pour in; part way through, every gunicorn process is killed
(SIGKILL: no clean shutdown), then a new server takes the rest. Afterwards the database must
hold every registration that was answered 201, with the status it was told; no more places
held than the event has, and none left empty while people wait; a waiting list in arrival
order; and a confirmation email queued for every registration, no more and no fewer.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from opendeal.events.models import Registration

from .factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1"
PLACES = 20
ATTEMPTS = 120
TASK_PATH = "opendeal.events.emails.send_registration_email"


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    return f"postgres://{user}@{host}:{port or 5432}/{settings_dict['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_server(var_dir: Path, port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        # Every request comes from 127.0.0.1: lift the per-network-address limit.
        "OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR": "100000",
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.base",
        "DATABASE_URL": _database_url(),
        "OPENDEAL_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "OPENDEAL_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }
    (var_dir / "static").mkdir(exist_ok=True)
    server = subprocess.Popen(
        [
            Path(sys.executable).parent / "gunicorn",
            "opendeal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
        ],
        env=environment,
        start_new_session=True,  # its own process group, so it can be killed whole
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection(HOST, port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    pytest.fail("gunicorn did not start")


def _register(port: int, event_id: str, number: int) -> tuple[int, dict | None]:
    body = json.dumps({"name": f"Person {number}", "email": f"person{number}@example.org"})
    try:
        connection_ = http.client.HTTPConnection(HOST, port, timeout=30)
        connection_.request(
            "POST",
            f"/api/events/{event_id}/registrations",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        response = connection_.getresponse()
        return response.status, json.loads(response.read() or b"null")
    except (OSError, http.client.HTTPException, ValueError):
        return 0, None  # the server died under this request


def test_killing_the_server_mid_request_loses_nothing_acknowledged(tmp_path):
    event = make_event(capacity=PLACES, questions=())
    event_id = str(event.public_id)

    server = _start_server(tmp_path, port := _free_port())
    with ThreadPoolExecutor(max_workers=16) as pool:
        first = [pool.submit(_register, port, event_id, number) for number in range(ATTEMPTS)]
        # Kill every gunicorn process once some registrations are through and more are in
        # flight: some requests die before, during or after their transaction.
        deadline = time.monotonic() + 60
        while sum(future.done() for future in first) < ATTEMPTS // 4:
            assert time.monotonic() < deadline, "registrations did not get through"
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        answers = [future.result() for future in first]

    server = _start_server(tmp_path, port := _free_port())
    try:
        unanswered = [number for number, (status, _) in enumerate(answers) if status == 0]
        retried = {number: _register(port, event_id, number) for number in unanswered}
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    acknowledged = {
        body["id"]: body["status"] for status, body in answers if status == 201 and body
    }
    assert acknowledged, "no registration was answered before the kill"
    assert unanswered, "the kill came too late to catch any request in flight"
    rows = {str(row.public_id): row for row in Registration.objects.filter(event=event)}

    # Every acknowledged registration is there, as it was told.
    for public_id, status in acknowledged.items():
        assert rows[public_id].status == status
    # A request cut off either committed whole or not at all: retrying finds it already
    # registered (409) or registers it now (201) — never a half-made row.
    for number, (status, body) in retried.items():
        assert status in (201, 409), (number, status, body)
    assert all(row.name and row.email and row.status for row in rows.values())
    assert len(rows) == ATTEMPTS

    holding = [row for row in rows.values() if row.status == "pending_confirmation"]
    waiting = sorted(
        (row for row in rows.values() if row.status == "waitlisted"),
        key=lambda row: row.sequence,
    )
    assert len(holding) == PLACES  # never more, and none left empty while people wait
    assert len(waiting) == ATTEMPTS - PLACES
    # Every registration has exactly one confirmation email queued, in its own transaction.
    emails = DBTaskResult.objects.filter(task_path=TASK_PATH)
    queued_for = sorted(task.args_kwargs["kwargs"]["registration_id"] for task in emails)
    assert queued_for == sorted(rows)
