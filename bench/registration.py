"""Does registration hold under load? 1,000 concurrent attempts for 100 places on PostgreSQL
under gunicorn.

Makes a throwaway PostgreSQL database (opendeal_bench_<random>), migrates it, creates one
published event with 100 places, starts gunicorn on 127.0.0.1 (gthread workers), then:
1. fires 1,000 POSTs to /api/events/{id}/registrations from a thread pool, each with its own
   email address, recording when each was sent and how long it took. API registrations are by
   email address, so the first 100 hold their place as pending_confirmation;
2. each of those 100 people follows their signed confirmation link, as they would from the email
   (GET the page, then POST its form with the CSRF token), all at once.
Then it checks in the database:
- exactly 100 registrations are confirmed and 900 are waitlisted, and every request was answered
  (201 for the registrations, a redirect to the receipt for the confirmations);
- the places went to the first 100 to arrive at the server, and the waiting list follows arrival
  order: ranked by arrival number (`sequence`, taken under the event's lock), the numbers are
  1..1000 each once, the waitlisted are positions 1..900, and each caller was told the position
  the database gives it.
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
import re
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
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

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
        Path(var_dir, "static").mkdir()  # STATIC_ROOT: the confirmation pages need the manifest
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
            # Every simulated resident comes from 127.0.0.1 and one address each: lift the
            # per-network and per-address limits a real borough never reaches this way.
            "OPENDEAL_EVENT_REGISTRATIONS_PER_CLIENT_PER_HOUR": "1000000",
            "OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR": "1000000",
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
            subprocess.run(
                [BIN / "opendeal", "collectstatic", "--noinput", "--verbosity", "0"],
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
            _print_timing("registrations", attempts, wall_seconds)
            links = _confirmation_links(env, event_id)
            confirmations, confirm_seconds = _confirm(port, links, args.concurrency)
            _print_timing(
                "confirmations (GET the link, POST the form)", confirmations, confirm_seconds
            )
            return _report(database_url, event_id, attempts, confirmations, args)
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


CONFIRMATION_LINKS = """
from django.urls import reverse
from opendeal.events.models import Registration
from opendeal.events.tokens import make_registration_token
holders = Registration.objects.filter(
    event__public_id="{event_id}", status="pending_confirmation"
).order_by("sequence")
for registration in holders:
    print(reverse("events:confirm", args=[make_registration_token(registration, "confirm")]))
"""


def _confirmation_links(env: dict, event_id: str) -> list[str]:
    """The paths of the links emailed to the people holding a place (the email itself goes to
    the dummy backend), signed with the server's own SECRET_KEY."""
    output = subprocess.run(
        [BIN / "opendeal", "shell", "-c", CONFIRMATION_LINKS.replace("{event_id}", event_id)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    ).stdout
    return [line for line in output.splitlines() if line.startswith("/")]


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _confirm(port: int, links: list[str], concurrency: int) -> tuple[list[Attempt], float]:
    """Everyone follows their link at once: GET shows the button, POST confirms."""
    started = time.perf_counter()

    def follow(index: int) -> Attempt:
        sent_at = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            connection.request("GET", links[index])
            response = connection.getresponse()
            page = response.read().decode()
            cookie = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie.load(header)
            form_token = CSRF_INPUT.search(page)
            if response.status != 200 or form_token is None or "csrftoken" not in cookie:
                status = response.status or 0
            else:
                connection.request(
                    "POST",
                    links[index],
                    body=urlencode({"csrfmiddlewaretoken": form_token.group(1)}),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookie['csrftoken'].value}",
                    },
                )
                answer = connection.getresponse()
                answer.read()
                status = answer.status
        except (OSError, http.client.HTTPException) as error:
            status = 0
            print(f"confirmation {index} failed: {type(error).__name__}", file=sys.stderr)
        finally:
            connection.close()
        return Attempt(index, sent_at - started, time.perf_counter() - sent_at, status, {})

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        confirmations = list(pool.map(follow, range(len(links))))
    return confirmations, time.perf_counter() - started


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


def _statuses(attempts: list[Attempt]) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for attempt in attempts:
        statuses[attempt.status] = statuses.get(attempt.status, 0) + 1
    return dict(sorted(statuses.items()))


def _print_timing(what: str, attempts: list[Attempt], wall: float) -> None:
    if not attempts:
        print(f"\n{what}: none")
        return
    latencies_ms = sorted(attempt.seconds * 1000 for attempt in attempts)
    percentiles = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    print(
        f"\n{what}: throughput {len(attempts) / wall:.0f} per second "
        f"({len(attempts)} in {wall:.2f} s); latency p50 {percentiles[49]:.0f} ms, "
        f"p95 {percentiles[94]:.0f} ms, max {latencies_ms[-1]:.0f} ms; "
        f"HTTP statuses {_statuses(attempts)}"
    )


def _report(
    database_url: str, event_id: str, attempts: list[Attempt], confirmations: list[Attempt], args
) -> int:
    statuses = _statuses(attempts)

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            """
            SELECT r.public_id, r.status, r.sequence
            FROM events_registration r JOIN events_event e ON e.id = r.event_id
            WHERE e.public_id = %s
            ORDER BY r.sequence
            """,
            [event_id],
        ).fetchall()
    counts: dict[str, int] = {}
    for _, status, _ in rows:
        counts[status] = counts.get(status, 0) + 1
    confirmed = counts.get("confirmed", 0)
    waitlisted = counts.get("waitlisted", 0)
    print(f"in the database: {dict(sorted(counts.items()))}")

    arrival = [str(public_id) for public_id, _, _ in rows]
    statuses_in_order = [status for _, status, _ in rows]
    sequences = [sequence for _, _, sequence in rows]
    told = {
        attempt.body.get("id"): attempt.body.get("waitlist_position")
        for attempt in attempts
        if attempt.status == 201
    }
    expected_places = min(args.places, args.requests)
    checks = {
        f"every request answered 201 ({statuses.get(201, 0)})": statuses.get(201, 0)
        == len(attempts),
        f"every confirmation redirected to its receipt ({_statuses(confirmations)})": len(
            confirmations
        )
        == expected_places
        and all(confirmation.status == 302 for confirmation in confirmations),
        f"exactly {expected_places} confirmed ({confirmed})": confirmed == expected_places,
        f"exactly {len(attempts) - expected_places} waitlisted ({waitlisted})": waitlisted
        == len(attempts) - expected_places,
        f"arrival numbers are 1..{len(attempts)}, each once": sequences
        == list(range(1, len(attempts) + 1)),
        "the first arrivals hold the places, then the waiting list": statuses_in_order
        == ["confirmed"] * expected_places + ["waitlisted"] * (len(attempts) - expected_places),
        "waiting-list positions follow arrival order (sequence), as each caller was told": [
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
