"""Does registration hold under load? 1,000 concurrent attempts for 100 places on PostgreSQL
under gunicorn.

Makes a throwaway PostgreSQL database (opendeal_bench_<random>), migrates it, creates one
published event with 100 places, starts gunicorn on 127.0.0.1 (gthread workers), then fires
1,000 POSTs to /api/events/{id}/registrations from a thread pool, each with its own email
address, recording when each was sent and how long it took. Then it checks in the database:
- exactly 100 registrations hold a place (pending_confirmation: API registrations are by email
  address) and 900 are waitlisted, and every request was answered 201;
- the places went to the first 100 to arrive at the server, and the waiting list follows arrival
  order: ranked by registered_at, the waitlisted are positions 1..900, and each caller was told
  the position the database gives it.
It prints throughput, latency percentiles and the counts, drops the database, and exits 1 if a
check fails. Email goes to Django's dummy backend: nothing is sent. Loopback only; bounded in
requests and time.

    .venv/bin/python bench/registration.py
    .venv/bin/python bench/registration.py --server postgres://postgres@127.0.0.1:5432 \\
        --requests 1000 --places 100 --concurrency 50 --workers 2 --threads 4
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 30
STARTUP_TIMEOUT_SECONDS = 60


@dataclass
class Attempt:
    index: int
    sent_at: float
    seconds: float
    status: int
    body: dict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not 0 < args.requests <= 5000 or args.concurrency > 200:
        parser.error("keep it bounded: at most 5,000 requests and 200 concurrent")

    server_url = args.server.rstrip("/")
    name = f"opendeal_bench_{secrets.token_hex(4)}"
    database_url = f"{server_url}/{name}"
    with tempfile.TemporaryDirectory(prefix="opendeal-bench-") as var_dir:
        Path(var_dir, "static").mkdir()  # WhiteNoise's STATIC_ROOT; the API serves no files
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "opendeal.settings.base",
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "OPENDEAL_VAR_DIR": var_dir,
            "SECRET_KEY": secrets.token_urlsafe(40),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "OPENDEAL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "LOG_LEVEL": "WARNING",
        }
        _admin(server_url, f'CREATE DATABASE "{name}"')
        gunicorn = None
        try:
            print(f"database {name}: migrating", flush=True)
            subprocess.run(
                [BIN / "opendeal", "migrate", "--verbosity", "0"],
                env=env,
                check=True,
                cwd=PROJECT_DIR,
            )
            event_id = _create_event(env, args.places)
            port = _free_port()
            gunicorn = subprocess.Popen(
                [
                    BIN / "gunicorn",
                    "opendeal.wsgi:application",
                    "--bind",
                    f"{HOST}:{port}",
                    "--worker-class",
                    "gthread",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=PROJECT_DIR,
            )
            _wait_until_up(port, gunicorn)
            print(
                f"gunicorn on {HOST}:{port}: {args.workers} workers x {args.threads} threads; "
                f"{args.requests} registrations, {args.concurrency} at a time, for "
                f"{args.places} places",
                flush=True,
            )
            attempts, wall_seconds = _fire(port, event_id, args.requests, args.concurrency)
            return _report(database_url, event_id, attempts, wall_seconds, args)
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                try:
                    gunicorn.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    gunicorn.kill()
                    gunicorn.wait()
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"database {name} dropped")


def _admin(server_url: str, statement: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(statement)


CREATE_EVENT = """
import datetime
from django.utils import timezone
from opendeal.events.models import Event
now = timezone.now()
event = Event.objects.create(
    title="Deal conference", kind="conference", summary="The annual Deal conference.",
    starts_at=now + datetime.timedelta(days=7), ends_at=now + datetime.timedelta(days=7, hours=6),
    venue_name="Robin Park Arena", venue_postcode="WN5 0UH", capacity={places},
    registration_opens_at=now - datetime.timedelta(hours=1),
    registration_closes_at=now + datetime.timedelta(days=6), is_published=True,
)
print(event.public_id)
"""


def _create_event(env: dict, places: int) -> str:
    output = subprocess.run(
        [BIN / "opendeal", "shell", "-c", CREATE_EVENT.replace("{places}", str(places))],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    ).stdout
    return str(uuid.UUID(output.strip().splitlines()[-1]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, gunicorn: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if gunicorn.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _fire(port: int, event_id: str, requests: int, concurrency: int) -> tuple[list[Attempt], float]:
    """POST every registration; each thread keeps one keep-alive connection."""
    local = threading.local()
    path = f"/api/events/{event_id}/registrations"
    started = time.perf_counter()

    def attempt(index: int) -> Attempt:
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection(
                HOST, port, timeout=REQUEST_TIMEOUT_SECONDS
            )
        body = json.dumps({"name": f"Person {index}", "email": f"person{index}@bench.example"})
        sent_at = time.perf_counter()
        try:
            local.connection.request(
                "POST", path, body=body, headers={"Content-Type": "application/json"}
            )
            response = local.connection.getresponse()
            status, payload = response.status, json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError) as error:
            local.connection.close()
            local.connection = None
            status, payload = 0, {"error": type(error).__name__}
        return Attempt(index, sent_at - started, time.perf_counter() - sent_at, status, payload)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        attempts = list(pool.map(attempt, range(requests)))
    return attempts, time.perf_counter() - started


def _report(database_url: str, event_id: str, attempts: list[Attempt], wall: float, args) -> int:
    latencies_ms = sorted(attempt.seconds * 1000 for attempt in attempts)
    percentiles = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    statuses: dict[int, int] = {}
    for attempt in attempts:
        statuses[attempt.status] = statuses.get(attempt.status, 0) + 1
    print(
        f"\nthroughput {len(attempts) / wall:.0f} requests/s ({len(attempts)} in {wall:.2f} s); "
        f"latency p50 {percentiles[49]:.0f} ms, p95 {percentiles[94]:.0f} ms, "
        f"max {latencies_ms[-1]:.0f} ms; HTTP statuses {dict(sorted(statuses.items()))}"
    )

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            """
            SELECT r.public_id, r.status
            FROM events_registration r JOIN events_event e ON e.id = r.event_id
            WHERE e.public_id = %s
            ORDER BY r.registered_at, r.id
            """,
            [event_id],
        ).fetchall()
    counts: dict[str, int] = {}
    for _, status in rows:
        counts[status] = counts.get(status, 0) + 1
    holding = counts.get("pending_confirmation", 0) + counts.get("confirmed", 0)
    waitlisted = counts.get("waitlisted", 0)
    print(f"in the database: {dict(sorted(counts.items()))}")

    arrival = [str(public_id) for public_id, _ in rows]
    statuses_in_order = [status for _, status in rows]
    told = {
        attempt.body.get("id"): attempt.body.get("waitlist_position")
        for attempt in attempts
        if attempt.status == 201
    }
    expected_places = min(args.places, args.requests)
    checks = {
        f"every request answered 201 ({statuses.get(201, 0)})": statuses.get(201, 0)
        == len(attempts),
        f"exactly {expected_places} hold a place ({holding})": holding == expected_places,
        f"exactly {len(attempts) - expected_places} waitlisted ({waitlisted})": waitlisted
        == len(attempts) - expected_places,
        "the first arrivals hold the places, then the waiting list": statuses_in_order
        == ["pending_confirmation"] * expected_places
        + ["waitlisted"] * (len(attempts) - expected_places),
        "waiting-list positions follow arrival order (registered_at), as each caller was told": [
            told.get(public_id) for public_id in arrival
        ]
        == [None] * expected_places + list(range(1, len(attempts) - expected_places + 1)),
    }
    # How far the server's arrival order strays from the order requests were sent in: with
    # many in flight at once, neighbours overtake each other; nothing is lost or reordered
    # once it reaches the lock.
    sent_rank = {
        attempt.body.get("id"): rank
        for rank, attempt in enumerate(sorted(attempts, key=lambda item: item.sent_at))
    }
    displacement = [
        abs(sent_rank[public_id] - rank)
        for rank, public_id in enumerate(arrival)
        if public_id in sent_rank
    ] or [0]
    print(
        f"arrival order vs send order: median displacement {statistics.median(displacement):.0f}, "
        f"max {max(displacement)} (with {args.concurrency} requests in flight)"
    )
    for description, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {description}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
