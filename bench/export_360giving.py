"""How fast, and in how much memory, does the 360Giving export stream a million grants?

Builds a throwaway database of 1,000,000 fictional grants (bulk-inserted: 100,000
organisations, one application per grant, 1.5 priorities per application on average, in real
Wigan wards and LSOAs), then, each in a fresh process so that each peak is its own:

- `bare csv.writer`: the export's own grants query (`giving360.GRANT_VALUES`, the same joins,
  `.iterator(chunk_size=2000)`) written straight out by `csv.writer`: the floor;
- `360Giving JSON`: `giving360.json_lines()`, the whole package;
- `360Giving CSV`: `giving360.csv_lines(giving360.flat_export())`, the standard's columns.

Each writes to a file in the same temporary folder and prints seconds, grants per second and
peak memory: the process's peak resident set size (`ru_maxrss` of the child process, which
includes Python, Django and the database driver), and beside it the resident size before the
export started, so the export's own share is the difference. Targets: a peak under 200 MB, and
each export at least a third of the bare writer's speed.

    .venv/bin/python bench/export_360giving.py                  # SQLite (a temporary file)
    .venv/bin/python bench/export_360giving.py --grants 100000  # a quicker look
    .venv/bin/python bench/export_360giving.py --postgres postgres://postgres@127.0.0.1:5432/opendeal_bench

With --postgres it runs on SQLite and then on PostgreSQL (in a temporary bench_<name>
database, dropped afterwards; --postgres-only skips SQLite). Exits 1 if a target is missed.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
GRANTS = 1_000_000
ORGANISATIONS = 100_000
ROUNDS = 20
PRIORITIES_PER_ROUND = 5
BATCH = 10_000
CHUNK_SIZE = 2000
PEAK_TARGET_MB = 200.0
SPEED_TARGET = 1 / 3
EXPORTS = ("bare", "json", "csv")
LABELS = {"bare": "bare csv.writer", "json": "360Giving JSON", "csv": "360Giving CSV"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--grants", type=int, default=GRANTS)
    parser.add_argument(
        "--postgres-only", action="store_true", help="with --postgres, skip the SQLite run"
    )
    # One step, in a child process: build | export KIND | drop
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return run_step(args.step, args.database_url, args.grants)
    worst = 0
    with tempfile.TemporaryDirectory(prefix="opendeal-bench-360-") as directory:
        urls = (
            [] if args.postgres and args.postgres_only else [f"sqlite:///{directory}/bench.sqlite3"]
        )
        if args.postgres:
            base, _, name = args.postgres.rpartition("/")
            urls.append(f"{base}/bench_{name}")
        for url in urls:
            worst = max(worst, bench_database(url, args.postgres, args.grants, Path(directory)))
    return worst


def child(step: list[str], url: str, grants: int) -> dict:
    """Run one step in a fresh Python process; it prints one JSON line of results last."""
    command = [
        sys.executable,
        __file__,
        "--database-url",
        url,
        "--grants",
        str(grants),
        "--step",
        *step,
    ]
    finished = subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def bench_database(url: str, postgres_admin_url: str | None, grants: int, folder: Path) -> int:
    if url.startswith("postgres"):
        _create_database(postgres_admin_url, url)
    try:
        built = child(["build"], url, grants)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"\n{built['vendor']}: {built['grants']:,} grants, {built['organisations']:,} "
            f"organisations, {built['priority_links']:,} priority links "
            f"(built in {built['seconds']:.0f} s); {os.cpu_count()} CPUs, load average {load}"
        )
        results = {
            kind: child(["export", kind, str(folder / f"out-{kind}")], url, grants)
            for kind in EXPORTS
        }
    finally:
        if url.startswith("postgres"):
            _drop_database(postgres_admin_url, url)
    bare_rate = results["bare"]["grants"] / results["bare"]["seconds"]
    missed = False
    for kind in EXPORTS:
        result = results[kind]
        rate = result["grants"] / result["seconds"]
        verdicts = []
        if kind != "bare":
            share = rate / bare_rate
            speed_ok = share >= SPEED_TARGET
            memory_ok = result["peak_mb"] < PEAK_TARGET_MB
            missed |= not (speed_ok and memory_ok)
            verdicts.append(
                f"{share:.2f} of the bare speed ({'meets' if speed_ok else 'MISSES'} 1/3)"
            )
            verdicts.append(f"peak {'meets' if memory_ok else 'MISSES'} {PEAK_TARGET_MB:.0f} MB")
        print(
            f"  {LABELS[kind]:<16} {result['seconds']:7.1f} s  {rate:9,.0f} grants/s  "
            f"peak RSS {result['peak_mb']:6.1f} MB (at start {result['start_mb']:5.1f} MB)  "
            f"{result['megabytes']:7.1f} MB written  " + "; ".join(verdicts)
        )
    return 1 if missed else 0


def _maintenance_url(url: str) -> str:
    """The server's `postgres` database, from which others are created and dropped."""
    return url.rpartition("/")[0] + "/postgres"


def _create_database(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(admin_url), autocommit=True) as connection:
        name = url.rpartition("/")[2]
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(admin_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}"')


# --- In the child process ----------------------------------------------------------------------


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def _peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_step(step: list[str], database_url: str, grants: int) -> int:
    _setup(database_url)
    if step[0] == "build":
        started = time.perf_counter()
        counts = build(grants)
        from django.db import connection

        counts.update(seconds=time.perf_counter() - started, vendor=connection.vendor)
        print(json.dumps(counts))
        return 0
    kind, output = step[1], Path(step[2])
    from opendeal.fund import giving360

    giving360.ExportContext.current()  # the boundary files, read once, before the clock
    start_mb = _current_mb()
    started = time.perf_counter()
    with output.open("w", encoding="utf-8", newline="") as stream:
        if kind == "bare":
            import csv

            rows = giving360.published_grants().values_list(*giving360.GRANT_VALUES)
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerows(rows.iterator(chunk_size=CHUNK_SIZE))
        elif kind == "json":
            stream.writelines(giving360.json_lines(chunk_size=CHUNK_SIZE))
        else:
            stream.writelines(giving360.csv_lines(giving360.flat_export(chunk_size=CHUNK_SIZE)))
    seconds = time.perf_counter() - started
    written = output.stat().st_size
    output.unlink()
    print(
        json.dumps(
            {
                "grants": grants,
                "seconds": seconds,
                "peak_mb": _peak_mb(),
                "start_mb": start_mb,
                "megabytes": written / 2**20,
            }
        )
    )
    return 0


def build(grants: int) -> dict:
    """Tables from the models, then every row by bulk INSERTs of BATCH rows."""
    import datetime
    import random
    import uuid
    from decimal import Decimal

    from django.apps import apps
    from django.db import connection, transaction

    from opendeal.deal.models import Deal, Theme
    from opendeal.fund import neighbourhoods
    from opendeal.fund.models import (
        Application,
        ApplicationStatus,
        Fund,
        Grant,
        Organisation,
        OrganisationKind,
        Priority,
        Round,
    )

    # Tables straight from the models (as the test suite makes them); many-to-many tables come
    # with their models.
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    randomness = random.Random(360)
    prefix = "360G-opendeal-bench"
    wards = list(neighbourhoods.wards()) or ["E05014989"]
    lsoas = list(neighbourhoods.lsoa_names()) or ["E01006212"]
    with transaction.atomic():
        deal = Deal.objects.create(
            title="Bench Deal",
            slug="bench",
            area_code="E08000010",
            summary="For timing.",
            starts_on=datetime.date(2020, 1, 1),
        )
        themes = [
            Theme.objects.create(deal=deal, title=f"Theme {n}", slug=f"theme-{n}") for n in range(3)
        ]
        funds = [
            Fund.objects.create(name=f"Bench fund {n}", slug=f"fund-{n}", programme_code=f"BF{n}")
            for n in range(2)
        ]
        opens = datetime.datetime(2020, 4, 1, 9, tzinfo=datetime.UTC)
        rounds = [
            Round.objects.create(
                fund=funds[n % 2],
                title=f"Round {n}",
                slug=f"round-{n}",
                opens_at=opens + datetime.timedelta(days=91 * n),
                closes_at=opens + datetime.timedelta(days=91 * n + 42),
                budget=Decimal("10000000.00"),
                published=True,
            )
            for n in range(ROUNDS)
        ]
        priorities = {
            round_.pk: [
                Priority.objects.create(
                    round=round_,
                    title=f"Priority {p} of {round_.title}",
                    deal_theme=themes[p] if p < 3 else None,
                ).pk
                for p in range(PRIORITIES_PER_ROUND)
            ]
            for round_ in rounds
        }
    kinds = [
        OrganisationKind.REGISTERED_CHARITY,
        OrganisationKind.COMPANY,
        OrganisationKind.UNREGISTERED_GROUP,
        OrganisationKind.CIO,
    ]

    def organisations():
        for n in range(ORGANISATIONS):
            kind = kinds[n % len(kinds)]
            public_id = uuid.UUID(int=randomness.getrandbits(128), version=4)
            charity = (
                f"{1000000 + n}"
                if kind in (OrganisationKind.REGISTERED_CHARITY, OrganisationKind.CIO)
                else ""
            )
            company = f"{n:08d}" if kind == OrganisationKind.COMPANY else ""
            org_id = (
                f"GB-CHC-{charity}"
                if charity
                else f"GB-COH-{company}"
                if company
                else f"{prefix}-{public_id}"
            )
            yield {
                "public_id": public_id,
                "name": f"Fictional community group {n}",
                "kind": kind,
                "charity_number": charity,
                "company_number": company,
                "org_id": org_id,
                "address_line_1": f"{n % 200 + 1} Bench Street",
                "town": "Wigan",
                "postcode": "WN1 1AA",
                "website": f"https://group{n}.example.org/",
            }

    insert_rows(Organisation, organisations())
    first_organisation = Organisation.objects.order_by("pk").values_list("pk", flat=True)[0]
    round_ids = [round_.pk for round_ in rounds]

    def applications():
        for n in range(grants):
            amount = Decimal(randomness.randint(20_000, 3_000_000)) / 100
            yield {
                "public_id": uuid.UUID(int=randomness.getrandbits(128), version=4),
                "round_id": round_ids[n % ROUNDS],
                "organisation_id": first_organisation + n % ORGANISATIONS,
                "project_title": f"Fictional project {n}",
                "summary": f"A fictional community project, number {n}, for timing the export.",
                "amount_requested": amount,
                "status": ApplicationStatus.AWARDED,
                "postcode": "WN1 1AA",
                "ward_code": wards[n % len(wards)],
                "lsoa21_code": lsoas[n % len(lsoas)],
            }

    insert_rows(Application, applications())
    first_application = Application.objects.order_by("pk").values_list("pk", flat=True)[0]

    def links():
        for n in range(grants):
            round_priorities = priorities[round_ids[n % ROUNDS]]
            chosen = {round_priorities[n % PRIORITIES_PER_ROUND]}
            if n % 2:
                chosen.add(round_priorities[(n + 2) % PRIORITIES_PER_ROUND])
            for priority_id in sorted(chosen):
                yield {"application_id": first_application + n, "priority_id": priority_id}

    through = Application.priorities.through
    insert_rows(through, links())

    def grant_rows():
        for n in range(grants):
            public_id = uuid.UUID(int=randomness.getrandbits(128), version=4)
            awarded_on = datetime.date(2020, 6, 1) + datetime.timedelta(days=n % 1800)
            yield {
                "public_id": public_id,
                "application_id": first_application + n,
                "identifier": f"{prefix}-{public_id}",
                "amount_awarded": Decimal(randomness.randint(20_000, 3_000_000)) / 100,
                "awarded_on": awarded_on,
                "planned_start": awarded_on + datetime.timedelta(days=30),
                "planned_end": awarded_on + datetime.timedelta(days=30 + 364 * (1 + n % 3)),
            }

    insert_rows(Grant, grant_rows())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "grants": Grant.objects.count(),
        "organisations": Organisation.objects.count(),
        "priority_links": through.objects.count(),
    }


def insert_rows(model, rows) -> None:
    """INSERT the rows (dicts of field names to values) in batches; fields a row leaves out
    take their model default. Values are converted for the database only where they need it
    (UUIDs, decimals, dates, JSON), and each default once."""
    from itertools import islice

    from django.db import connection, models, transaction

    needs_converting = (
        models.UUIDField,
        models.DecimalField,
        models.DateField,
        models.JSONField,
        models.ForeignKey,
    )
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in fields]
    converters = [
        (lambda value, field=field: field.get_db_prep_save(value, connection))
        if isinstance(field, needs_converting)
        else None
        for field in fields
    ]
    plan = list(zip([field.attname for field in fields], defaults, converters, strict=True))
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        values = [
            [
                (convert(row[name]) if convert else row[name]) if name in row else default
                for name, default, convert in plan
            ]
            for row in batch
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: PostgreSQL's bulk load, many times faster than INSERTs.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, values)


if __name__ == "__main__":
    sys.exit(main())
