"""How fast are the scorecard page and /api/deal with a large Deal?

Builds a throwaway database with a published Deal of 100 "our part" commitments (each with a
metric measure and four yearly readings, every fifth also with a milestones measure), 10
"your part" commitments and 100,000 pledges, then times N requests of /deal/scorecard/ and
/api/deal through Django's test Client (server time: the whole request/response cycle in
process, no network) and prints the median and 95th percentile of each. Target: a median of
100 ms or less on a 2-core machine.

    .venv/bin/python bench/scorecard.py                      # SQLite (a temporary file)
    .venv/bin/python bench/scorecard.py --postgres postgres://postgres@127.0.0.1:5432/opendeal_bench

With --postgres it runs on SQLite and then on PostgreSQL (in a temporary test_<name>
database, dropped afterwards). Exits 1 if a median misses the target.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0
OUR_PART = 100
YOUR_PART = 10
PLEDGES = 100_000
THEMES = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per URL")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # one run, in a child process
    args = parser.parse_args()
    if args.database_url:
        return run_one(args.database_url, args.requests)
    with tempfile.TemporaryDirectory(prefix="opendeal-bench-") as directory:
        urls = [f"sqlite:///{directory}/bench.sqlite3"]
        if args.postgres:
            urls.append(args.postgres)
        # Each database in its own process: Django's settings are fixed once loaded.
        results = [
            subprocess.call(
                [sys.executable, __file__, "--database-url", url, "--requests", str(args.requests)],
                cwd=PROJECT_DIR,
            )
            for url in urls
        ]
    return max(results)


def run_one(database_url: str, requests: int) -> int:
    os.environ["DATABASE_URL"] = database_url
    # Test settings: plain static file storage, so pages render without `collectstatic` first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")  # static root not collected
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.db import connection

    # Tables straight from the models (as the test suite makes them), in a database of its own.
    connection.settings_dict["TEST"] = {
        **connection.settings_dict.get("TEST", {}),
        "MIGRATE": False,
        **(
            {"NAME": database_url.removeprefix("sqlite:///")}
            if connection.vendor == "sqlite"
            else {}
        ),
    }
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        description = build_deal()
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: statistics and the visibility map.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        built_in = time.perf_counter() - started
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"\n{connection.vendor}: {description} (built in {built_in:.1f} s); "
            f"{os.cpu_count()} CPUs, load average {load}"
        )
        return time_requests(requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def build_deal() -> str:
    import datetime
    import random
    from decimal import Decimal

    from django.db import transaction

    from opendeal.deal import services
    from opendeal.deal.models import (
        Commitment,
        Deal,
        Direction,
        Measure,
        MeasureKind,
        Milestone,
        Part,
        Pledge,
        PledgeStatus,
        ProgressUpdate,
        Reading,
        Status,
        Theme,
        UpdateKind,
    )

    randomness = random.Random(2024)
    with transaction.atomic():
        deal = Deal.objects.create(
            title="The Deal for Benchborough",
            slug="bench",
            area_code="E08000010",
            summary="A large Deal for timing.",
            starts_on=datetime.date(2024, 4, 1),
            is_published=True,
        )
        themes = Theme.objects.bulk_create(
            Theme(deal=deal, title=f"Theme {n}", slug=f"theme-{n}", position=n)
            for n in range(THEMES)
        )
        statuses = list(Status)
        ours = Commitment.objects.bulk_create(
            Commitment(
                theme=themes[n % THEMES],
                part=Part.OURS,
                reference=f"C{n:03}",
                title=f"Commitment number {n}",
                position=n,
                status=statuses[n % len(statuses)],
                weight=Decimal(1 + n % 3),
            )
            for n in range(OUR_PART)
        )
        yours = Commitment.objects.bulk_create(
            Commitment(
                theme=themes[n % THEMES],
                part=Part.YOURS,
                reference=f"Y{n:02}",
                title=f"Your part number {n}",
                position=OUR_PART + n,
            )
            for n in range(YOUR_PART)
        )
        metrics = Measure.objects.bulk_create(
            Measure(
                commitment=commitment,
                reference=f"{commitment.reference}.1",
                title=f"Measure of {commitment.reference}",
                kind=MeasureKind.METRIC,
                unit="%",
                direction=Direction.INCREASE,
                baseline_value=Decimal("40"),
                target_value=Decimal("80"),
            )
            for commitment in ours
        )
        Reading.objects.bulk_create(
            Reading(
                measure=measure,
                observed_on=datetime.date(2021 + year, 3, 31),
                value=Decimal(40 + randomness.randint(0, 40)),
            )
            for measure in metrics
            for year in range(4)
        )
        milestone_measures = Measure.objects.bulk_create(
            Measure(
                commitment=commitment,
                reference=f"{commitment.reference}.2",
                title="Milestones",
                kind=MeasureKind.MILESTONES,
                position=1,
            )
            for commitment in ours[::5]
        )
        Milestone.objects.bulk_create(
            Milestone(
                measure=measure,
                title=f"Step {step}",
                position=step,
                due_on=datetime.date(2025, 1 + step, 1),
                completed_on=datetime.date(2024, 12, 1) if step < 2 else None,
            )
            for measure in milestone_measures
            for step in range(4)
        )
        for commitment in ours:
            services.refresh_progress(commitment)
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                commitment=commitment,
                kind=UpdateKind.NOTE,
                occurred_on=datetime.date(2024, 3 + n, 1),
                recorded_by_name="Bench team",
                summary="An update.",
                status=commitment.status,
            )
            for commitment in ours
            for n in range(3)
        )
        districts = ["", "WN1", "WN2", "WN3", "WN4", "WN5", "WN6", "WN7", "M46", "BL5"]
        pledge_statuses = [PledgeStatus.ACTIVE] * 8 + [PledgeStatus.PENDING, PledgeStatus.WITHDRAWN]
        Pledge.objects.bulk_create(
            (
                Pledge(
                    commitment=yours[n % YOUR_PART],
                    email=f"resident{n // YOUR_PART}@example.org",
                    postcode_district=randomness.choice(districts),
                    status=randomness.choice(pledge_statuses),
                )
                for n in range(PLEDGES)
            ),
            batch_size=5000,
        )
    readings = Reading.objects.count()
    measures = Measure.objects.count()
    return (
        f"{OUR_PART} our-part commitments ({measures} measures, {readings} readings), "
        f"{YOUR_PART} your-part, {Pledge.objects.count():,} pledges"
    )


def time_requests(requests: int) -> int:
    from django.test import Client

    client = Client()
    checks = {
        "/deal/scorecard/": lambda response: (
            f"Showing {OUR_PART} of {OUR_PART}" in response.content.decode()
        ),
        "/api/deal": lambda response: (
            sum(len(theme["our_part"]) for theme in response.json()["themes"]) == OUR_PART
        ),
    }
    missed = False
    for url, is_complete in checks.items():
        for _ in range(3):  # warm up: template loading, first connection
            response = client.get(url)
        if response.status_code != 200 or not is_complete(response):
            print(f"  {url}: unexpected response {response.status_code}")
            return 2
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
        verdict = "meets" if median <= TARGET_MS else "MISSES"
        missed |= median > TARGET_MS
        print(
            f"  {url:<18} median {median:6.1f} ms   p95 {p95:6.1f} ms   "
            f"({requests} requests; {verdict} the target of {TARGET_MS:.0f} ms)"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
