"""How fast does the observatory import a large Fingertips file, and in how much memory?

Makes a 500,000-row Fingertips API CSV by repeating the real files in the shared data folder
(OPENDEAL_DATA_DIR/observatory/fingertips_*.csv) under more indicator ids (each copy gets a
new id: copy, file number, real id; every value is a real published one), imports it into a
throwaway database with `opendeal.observatory.importers.fingertips.import_fingertips`, and
prints the time and the peak memory (resident set of the process, which includes Django) and
the import a second time (idempotent: nothing written). Targets: 20 s and 500 MB.

    .venv/bin/python bench/observatory.py                    # SQLite (a temporary file)
    .venv/bin/python bench/observatory.py --postgres postgres://postgres@127.0.0.1:5432/opendeal_bench

With --postgres it runs on SQLite and then on PostgreSQL (in a temporary test_<name>
database, dropped afterwards), then runs the evaluation half,
`bench/observatory_synthetic_control.py` (synthetic control with 300 donors, beside pysyncon).
Exits 1 if a target is missed.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
ROWS = 500_000
TARGET_SECONDS = 20.0
TARGET_MB = 500.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--rows", type=int, default=ROWS, help="rows in the generated file")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database_url:
        return run_one(args.database_url, args.file)
    with tempfile.TemporaryDirectory(prefix="opendeal-bench-") as directory:
        big_file = Path(directory) / "fingertips_bench.csv"
        indicators = make_file(big_file, args.rows)
        size = big_file.stat().st_size / 1e6
        print(f"{big_file.name}: {args.rows:,} rows, {indicators} indicators, {size:.0f} MB")
        urls = [f"sqlite:///{directory}/bench.sqlite3"]
        if args.postgres:
            urls.append(args.postgres)
        # Each database in its own process: Django's settings are fixed once loaded, and the
        # peak memory is then the import's own.
        results = [
            subprocess.call(
                [sys.executable, __file__, "--database-url", url, "--file", str(big_file)],
                cwd=PROJECT_DIR,
            )
            for url in urls
        ]
    # The evaluation half: synthetic control against 300 donors, and pysyncon beside it, in a
    # process of its own with one BLAS thread (several oversubscribe two cores; MEASURED.md).
    print("\nsynthetic control (bench/observatory_synthetic_control.py):", flush=True)
    results.append(
        subprocess.call(
            [sys.executable, str(Path(__file__).with_name("observatory_synthetic_control.py"))],
            cwd=PROJECT_DIR,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        )
    )
    return max(results)


def make_file(destination: Path, rows: int) -> int:
    """Repeat the real files, each copy under a new indicator id, until `rows` rows."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    import django

    django.setup()
    from django.conf import settings

    sources = sorted((Path(settings.OPENDEAL_DATA_DIR) / "observatory").glob("fingertips_*.csv"))
    tables = []
    for source in sources:
        with source.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            tables.append(list(reader))
    written = 0
    indicators = set()
    with destination.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        copy = 0
        while written < rows:
            copy += 1
            for number, table in enumerate(tables):
                for row in table:
                    if written == rows:
                        break
                    # Two of the real files are releases of one indicator: each file its own id.
                    new_id = f"{copy}{number}{row[0]}"
                    indicators.add(new_id)
                    writer.writerow([new_id, *row[1:]])
                    written += 1
    return len(indicators)


def run_one(database_url: str, big_file: Path) -> int:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.db import connection

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
        from opendeal.observatory.importers.fingertips import import_fingertips
        from opendeal.observatory.models import Observation

        with open(os.devnull, "w") as quiet:
            started, cpu_started = time.perf_counter(), time.process_time()
            import_fingertips(big_file, progress=quiet)
            seconds = time.perf_counter() - started
            # On a shared machine the wall time includes waiting for a core; this process's
            # own CPU time does not (with SQLite it includes the database's work too).
            cpu_seconds = time.process_time() - cpu_started
            again_started = time.perf_counter()
            import_fingertips(big_file, progress=quiet)
            again = time.perf_counter() - again_started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stored = Observation.objects.count()
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"{connection.vendor}: imported {stored:,} headline figures in {seconds:.1f} s "
            f"(target {TARGET_SECONDS:.0f} s; {cpu_seconds:.1f} s of CPU in this process); "
            f"again, unchanged, in {again:.1f} s; "
            f"peak memory {peak_mb:.0f} MB (target {TARGET_MB:.0f} MB); "
            f"{os.cpu_count()} CPUs, load average {load}"
        )
        return 0 if seconds <= TARGET_SECONDS and peak_mb <= TARGET_MB else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    sys.exit(main())
