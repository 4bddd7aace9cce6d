"""Load on two gunicorn instances sharing one PostgreSQL database, with the demo borough.

Makes a throwaway PostgreSQL database (opendeal_load_<random>), migrates it, loads the demo
(`opendeal demo`), collects static files, and starts two gunicorn instances on 127.0.0.1 (as two
servers behind a load balancer would run). Then:
- checks the instances share state: a resident signs in on one and is signed in on the other;
- for each page — the public Deal scorecard, a directory search by keyword and postcode, and an
  event page — sends requests for a fixed time from a pool of client threads, alternating
  between the two instances as a round-robin balancer does, with keep-alive connections;
- prints requests per second, p50/p95/max latency and the status codes per page.
It drops the database at the end. The client runs on the same 2-core machine as the servers, so
the figures are a floor, not a ceiling. Loopback only; bounded in time.

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 20 --concurrency 16 --workers 2 --threads 4
"""

import argparse
import http.client
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
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo-deal-2026"
RESIDENT = "resident@demo.opendeal.example"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=15, help="per page")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="per instance")
    parser.add_argument("--threads", type=int, default=4, help="per worker")
    args = parser.parse_args()
    if args.seconds > 120 or args.concurrency > 128:
        parser.error("keep it bounded: at most 120 s a page and 128 clients")

    name = f"opendeal_load_{secrets.token_hex(4)}"
    server_url = args.server.rstrip("/")
    _admin(server_url, f'CREATE DATABASE "{name}"')
    instances: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory(prefix="opendeal-load-") as var_dir:
            env = _environment(f"{server_url}/{name}", var_dir)
            started = time.perf_counter()
            for command in (
                ["migrate", "--verbosity", "0"],
                ["collectstatic", "--noinput", "--verbosity", "0"],
                ["demo"],
            ):
                subprocess.run(
                    [BIN / "opendeal", *command],
                    env=env,
                    check=True,
                    cwd=PROJECT_DIR,
                    stdout=subprocess.DEVNULL,
                )
            print(
                f"database {name}: migrated and demo loaded in {time.perf_counter() - started:.0f} s"
            )
            ports = [_free_port(), _free_port()]
            for port in ports:
                instances.append(_start_gunicorn(env, port, args.workers, args.threads))
            for port, instance in zip(ports, instances, strict=True):
                _wait_until_up(port, instance)
            print(
                f"two gunicorn instances on ports {ports[0]} and {ports[1]}, each "
                f"{args.workers} workers x {args.threads} threads; {args.concurrency} clients, "
                f"{args.seconds:.0f} s a page, round robin between the instances"
            )
            shared = _sessions_are_shared(ports)
            print(f"signed in on one instance, signed in on the other: {'yes' if shared else 'NO'}")
            pages = {
                "Deal scorecard": "/deal/scorecard/",
                "directory search": "/directory/?"
                + urlencode({"q": "support", "postcode": _demo_postcode(env), "radius": "5000"}),
                "event page": _event_path(env),
            }
            failures = 0 if shared else 1
            for label, path in pages.items():
                failures += _measure(label, path, ports, args)
            return 1 if failures else 0
    finally:
        for instance in instances:
            instance.terminate()
        for instance in instances:
            try:
                instance.wait(timeout=20)
            except subprocess.TimeoutExpired:
                instance.kill()
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"database {name} dropped")


def _environment(database_url: str, var_dir: str) -> dict:
    Path(var_dir, "static").mkdir()
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.base",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "OPENDEAL_VAR_DIR": var_dir,
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Shared by both instances, as production's CACHE_URL=db:// is.
        "CACHE_URL": "db://",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def _admin(server_url: str, statement: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _shell(env: dict, code: str) -> str:
    return (
        subprocess.run(
            [BIN / "opendeal", "shell", "-c", code],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=PROJECT_DIR,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def _event_path(env: dict) -> str:
    return _shell(
        env,
        "from django.urls import reverse; from opendeal.events.models import Event; "
        "event = Event.objects.filter(is_published=True).order_by('-starts_at').first(); "
        "print(reverse('events:detail', args=[event.public_id]))",
    )


def _demo_postcode(env: dict) -> str:
    return _shell(
        env,
        "from opendeal.directory.models import Address; "
        "print(Address.objects.exclude(postal_code='').order_by('postal_code').first().postal_code)",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
        [BIN / "gunicorn", "-c", "python:opendeal.gunicorn_conf", "opendeal.wsgi"],
        env={
            **env,
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
        },
        cwd=PROJECT_DIR,
    )


def _wait_until_up(port: int, instance: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if instance.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            probe = http.client.HTTPConnection(HOST, port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _sessions_are_shared(ports: list[int]) -> bool:
    """Sign in as the demo resident on the first instance; ask the second who is signed in."""
    first = http.client.HTTPConnection(HOST, ports[0], timeout=30)
    first.request("GET", "/account/sign-in/")
    response = first.getresponse()
    page = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    token = CSRF_INPUT.search(page)
    if token is None or "csrftoken" not in cookies:
        return False
    first.request(
        "POST",
        "/account/sign-in/",
        body=urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": RESIDENT,
                "email": RESIDENT,
                "password": DEMO_PASSWORD,
            }
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        },
    )
    signed_in = first.getresponse()
    signed_in.read()
    for header in signed_in.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    if "sessionid" not in cookies:
        return False
    second = http.client.HTTPConnection(HOST, ports[1], timeout=30)
    second.request(
        "GET", "/account/", headers={"Cookie": f"sessionid={cookies['sessionid'].value}"}
    )
    account = second.getresponse()
    return account.status == 200 and RESIDENT in account.read().decode()


def _measure(label: str, path: str, ports: list[int], args) -> int:
    """Load one page for args.seconds; print its figures; return 1 if any answer was not 200."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds

    def client(number: int) -> None:
        connections = [http.client.HTTPConnection(HOST, port, timeout=30) for port in ports]
        turn = number
        mine: list[float] = []
        codes: dict[int, int] = {}
        while time.perf_counter() < deadline:
            index = turn % len(ports)
            turn += 1
            sent = time.perf_counter()
            try:
                connections[index].request("GET", path)
                response = connections[index].getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connections[index].close()
                connections[index] = http.client.HTTPConnection(HOST, ports[index], timeout=30)
                status = 0
            mine.append(time.perf_counter() - sent)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in codes.items():
                statuses[status] = statuses.get(status, 0) + count

    # Warm up each instance's workers (templates, connections) before timing.
    for port in ports:
        for _ in range(args.workers * 2):
            warm = http.client.HTTPConnection(HOST, port, timeout=30)
            warm.request("GET", path)
            warm.getresponse().read()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(client, range(args.concurrency)))
    elapsed = time.perf_counter() - started
    latencies_ms = sorted(seconds * 1000 for seconds in latencies)
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    print(
        f"{label:<18} {len(latencies) / elapsed:7.1f} requests/s   p50 {cuts[49]:6.1f} ms   "
        f"p95 {cuts[94]:6.1f} ms   max {latencies_ms[-1]:7.1f} ms   statuses {dict(sorted(statuses.items()))}"
        f"   {path}"
    )
    return 0 if set(statuses) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
