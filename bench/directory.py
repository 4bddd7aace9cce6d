"""How fast are the directory's search API and its Open Referral UK import at 100,000 services?

Generates an Open Referral UK JSON package of 100,000 full services across England (each with
its organization, a located place with an address, a weekly schedule, a category, and for some
a cost), imports it with `opendeal import_oruk` (timed), then times N requests of

    /oruk/services?search=<word>&postcode=<postcode>&proximity=5000

through Django's test Client (server time: the whole request/response cycle in process, no
network), and the bare SQL of the same search (full text AND within 5 km, nearest 50, as a
bounding box on indexed latitude/longitude then exact haversine distance, in one hand-written
query with no ORM and no JSON). Prints p50 and p95 of each, and checks that the API and the bare
query find the same services.

Places: the ONSPD sample in the shared data has four postcodes, three terminated ones in
Aberdeen and one on the Isle of Man without coordinates, so it cannot place anything in England.
Services are instead placed at the real geometric centroids of England's 2021 LSOAs
(`geography/lsoa_geometric_centroids_uk.csv`; LSOAs hold similar populations, so services
follow where people live), jittered by ~300 m; the searched postcodes are synthetic codes
("YY1 0AA"…, a postcode area that does not exist) located at other LSOA centroids.

Targets on a 2-core machine: p95 50 ms on PostgreSQL and 100 ms on SQLite, within 2x of the bare
query; import in 60 s.

    .venv/bin/python bench/directory.py                 # SQLite, var/bench/directory.sqlite3
    .venv/bin/python bench/directory.py --postgres postgres://postgres@127.0.0.1:5432/opendeal_bench_dir

With --postgres it runs on SQLite and then on PostgreSQL (in a temporary test_<name> database,
dropped afterwards). Exits 1 if a target is missed.
"""

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from contextlib import redirect_stderr
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "var" / "bench"
SERVICES = 100_000
ORGANIZATIONS = 12_000
POSTCODES = 200
PROXIMITY = 5_000
PER_PAGE = 50
TARGETS_MS = {"postgresql": 50.0, "sqlite": 100.0}
IMPORT_TARGET_S = 60.0
SEED = 2026

ACTIVITIES = (
    "walking", "football", "knitting", "gardening", "cooking", "swimming", "dancing", "singing",
    "reading", "chess", "yoga", "cycling", "painting", "woodwork", "computer", "english",
    "parenting", "carers", "dementia", "bereavement", "counselling", "debt", "benefits",
    "housing", "employment", "volunteering", "befriending", "lunch", "breakfast", "food",
    "clothing", "furniture", "transport", "autism", "stroke", "diabetes", "smoking", "alcohol",
    "youth", "toddler", "veterans", "refugee", "wellbeing", "fitness", "allotment", "repair",
    "bowls", "netball", "tai chi", "pilates", "choir", "drama", "photography", "sewing",
)  # fmt: skip
KINDS = (
    "group", "club", "support group", "drop-in", "advice service", "class", "cafe", "bank",
    "project", "network", "hub", "circle", "session", "scheme",
)  # fmt: skip
AUDIENCES = (
    "older people", "young people", "families", "carers", "men", "women", "anyone", "adults",
    "children and their parents", "people living with a long-term condition", "new arrivals",
    "people on a low income", "people who feel lonely", "veterans and their families",
)  # fmt: skip
BENEFITS = (
    "to meet new people", "to get active", "practical help", "to learn a new skill",
    "someone to talk to", "advice they can trust", "a hot meal", "a friendly welcome",
    "to feel less isolated", "to improve their health", "support with money worries",
)  # fmt: skip
VENUES = (
    "community centre", "library", "church hall", "leisure centre", "park", "health centre",
    "youth club", "village hall", "family hub", "sports ground", "cafe", "school",
)  # fmt: skip
STREETS = ("High Street", "Church Road", "Station Road", "Market Street", "Park Lane", "Mill Lane")
TERMS = (
    "Physical activity", "Arts and crafts", "Advice", "Mental health", "Food", "Learning",
    "Social groups", "Caring", "Children and families", "Health conditions", "Money",
    "Housing", "Work", "Volunteering", "Older people", "Young people",
)  # fmt: skip
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SEARCH_WORDS = (
    "walking", "debt", "dementia", "football", "knitting", "counselling", "food", "carers",
    "yoga", "gardening", "lunch", "choir", "benefits", "autism", "swimming", "befriending",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--requests", type=int, default=200, help="timed requests")
    parser.add_argument("--services", type=int, default=SERVICES, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # one run, in a child process
    args = parser.parse_args()
    package = BENCH_DIR / f"directory-{args.services}.json"
    if args.database_url:
        return run_one(args.database_url, package, args.requests)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not package.exists():
        started = time.perf_counter()
        write_package(package, args.services)
        size = package.stat().st_size / 1e6
        print(f"Generated {package} ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
    sqlite_file = BENCH_DIR / "directory.sqlite3"
    urls = [f"sqlite:///{sqlite_file}"]
    if args.postgres:
        urls.append(args.postgres)
    # Each database in its own process: Django's settings are fixed once loaded.
    results = [
        subprocess.call(
            [
                sys.executable,
                __file__,
                "--database-url",
                url,
                "--requests",
                str(args.requests),
                "--services",
                str(args.services),
            ],
            cwd=PROJECT_DIR,
        )
        for url in urls
    ]
    return max(results)


# --- The package ----------------------------------------------------------------------------


def england_centroids() -> list[tuple[float, float]]:
    """(latitude, longitude) of every English LSOA's geometric centroid."""
    path = PROJECT_DIR.parent / "shared" / "data" / "geography" / "lsoa_geometric_centroids_uk.csv"
    with path.open(encoding="utf-8") as stream:
        return [
            (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(stream)
            if row["LSOACD"].startswith("E01")
        ]


def random_id(randomness: random.Random) -> str:
    return str(uuid.UUID(int=randomness.getrandbits(128), version=4))


def write_package(path: Path, count: int) -> None:
    randomness = random.Random(SEED)
    centroids = england_centroids()
    terms = [
        {"id": random_id(randomness), "name": name, "description": f"Services for {name.lower()}"}
        for name in TERMS
    ]
    organizations = [
        {
            "id": random_id(randomness),
            "name": f"{randomness.choice(ACTIVITIES).title()} {randomness.choice(('Trust', 'Charity', 'Community Interest Company', 'Friends', 'Association'))} {number}",
            "description": f"A community organisation working with {randomness.choice(AUDIENCES)}.",
        }
        for number in range(ORGANIZATIONS)
    ]
    services = []
    for number in range(count):
        activity, kind = randomness.choice(ACTIVITIES), randomness.choice(KINDS)
        audience, benefit = randomness.choice(AUDIENCES), randomness.choice(BENEFITS)
        venue, other = randomness.choice(VENUES), randomness.choice(ACTIVITIES)
        day = randomness.choice(DAYS)
        opens = randomness.choice((9, 10, 11, 13, 14, 18))
        latitude, longitude = randomness.choice(centroids)
        service_id = random_id(randomness)
        service = {
            "id": service_id,
            "name": f"{activity.capitalize()} {kind}",
            "description": (
                f"A friendly {activity} {kind} for {audience} who want {benefit}. We meet every "
                f"week at the {venue}; there is also {other} for anyone who would like it."
            ),
            "status": "active",
            "organization": randomness.choice(organizations),
            "service_at_locations": [
                {
                    "id": random_id(randomness),
                    "location": {
                        "id": random_id(randomness),
                        "location_type": "physical",
                        "name": f"The {venue}",
                        # ~300 m of jitter around the centroid, to six decimal places.
                        "latitude": round(latitude + randomness.gauss(0, 0.0027), 6),
                        "longitude": round(longitude + randomness.gauss(0, 0.0045), 6),
                        "addresses": [
                            {
                                "id": random_id(randomness),
                                "address_1": f"{randomness.randint(1, 200)} {randomness.choice(STREETS)}",
                                "city": "England",
                                "state_province": "England",
                                "postal_code": f"YY{number % 99 + 1} {number % 10}AA",
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ],
            "schedules": [
                {
                    "id": random_id(randomness),
                    "freq": "WEEKLY",
                    "byday": day,
                    "opens_at": f"{opens:02}:00:00",
                    "closes_at": f"{opens + 2:02}:00:00",
                }
            ],
            "attributes": [
                {
                    "id": random_id(randomness),
                    "link_type": "service",
                    "taxonomy_term": randomness.choice(terms),
                }
            ],
        }
        if randomness.random() < 0.3:
            service["cost_options"] = [
                {"id": random_id(randomness), "amount": randomness.choice((2, 3.5, 5, 10))}
            ]
        services.append(service)
    package = {
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": True,
        "last_page": True,
        "empty": not services,
        "contents": services,
    }
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")


# --- One database ---------------------------------------------------------------------------


def run_one(database_url: str, package: Path, requests: int) -> int:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")  # static root not collected
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.db import connection

    # Tables straight from the models (as the test suite makes them; the post_migrate hook adds
    # the full-text index), in a database of its own.
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
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"\n{connection.vendor}: {os.cpu_count()} CPUs, load average {load}")
        import_seconds = import_package(package)
        points = make_postcodes()
        with connection.cursor() as cursor:
            # What autovacuum/ANALYZE would do soon after a bulk load.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        missed = import_seconds > IMPORT_TARGET_S
        print(
            f"  import_oruk of {package.name}: {import_seconds:6.1f} s "
            f"({'meets' if not missed else 'MISSES'} the target of {IMPORT_TARGET_S:.0f} s)"
        )
        return time_searches(points, requests) or int(missed)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def import_package(package: Path) -> float:
    from django.core.management import call_command

    out = io.StringIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    with redirect_stderr(io.StringIO()):
        call_command("import_oruk", str(package), stdout=out)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    counts = [line for line in out.getvalue().splitlines() if "created" in line]
    print("  imported: " + "; ".join(counts))
    # CPU time of this process (SQLite runs in it; PostgreSQL's own work is not counted):
    # a figure that other work on a shared machine does not inflate.
    print(f"  import_oruk used {cpu_seconds:.1f} s of CPU in this process")
    return seconds


def make_postcodes() -> list[tuple[str, float, float]]:
    from decimal import Decimal

    from opendeal.geography.models import Postcode

    randomness = random.Random(SEED + 1)
    centroids = england_centroids()
    points = []
    for number in range(POSTCODES):
        latitude, longitude = randomness.choice(centroids)
        postcode = f"YY{number // 10 + 1} {number % 10}AB"
        points.append((postcode, round(latitude, 6), round(longitude, 6)))
    Postcode.objects.bulk_create(
        Postcode(postcode=code, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))
        for code, lat, lng in points
    )
    return points


def bare_sql(vendor: str) -> str:
    """Full text AND within the radius, nearest first: the least work the search can be."""
    haversine = (
        "2 * 6371008.8 * asin(sqrt("
        "power(sin(radians(CAST(l.latitude AS REAL) - %(lat)s) / 2), 2)"
        " + cos(radians(%(lat)s)) * cos(radians(CAST(l.latitude AS REAL)))"
        " * power(sin(radians(CAST(l.longitude AS REAL) - %(lng)s) / 2), 2)))"
    )
    if vendor == "postgresql":
        haversine = haversine.replace("AS REAL", "AS double precision")
        # The stored document column (opendeal/directory/fulltext.py), as the search reads it.
        matches = "s.search_document @@ websearch_to_tsquery('english'::regconfig, %(word)s)"
        source = "directory_service s"
    else:
        # The words as a condition checked after the bounding box: SQLite would otherwise start
        # from the full-text index, thousands of rows for a common word (see with_text).
        matches = (
            "+s.rowid IN (SELECT rowid FROM directory_service_fts"
            " WHERE directory_service_fts MATCH %(word)s)"
        )
        source = "directory_service s"
    return f"""
        SELECT s.id, min({haversine}) AS distance
        FROM {source}
        JOIN directory_serviceatlocation sal ON sal.service_id = s.id
        JOIN directory_location l ON l.id = sal.location_id
        WHERE {matches}
          AND l.latitude BETWEEN %(min_lat)s AND %(max_lat)s
          AND l.longitude BETWEEN %(min_lng)s AND %(max_lng)s
        GROUP BY s.id
        HAVING min({haversine}) <= %(metres)s
        ORDER BY distance
        LIMIT {PER_PAGE}
    """


def percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20, method="inclusive")[18]


def time_searches(points: list[tuple[str, float, float]], requests: int) -> int:
    from decimal import Decimal

    from django.db import connection
    from django.test import Client

    from opendeal.directory.search import fts5_query
    from opendeal.geography.geocoding import bounding_box

    randomness = random.Random(SEED + 2)
    cases = [(randomness.choice(SEARCH_WORDS), *randomness.choice(points)) for _ in range(requests)]
    client = Client()
    sql = bare_sql(connection.vendor)

    def bare(word: str, lat: float, lng: float) -> list:
        box = bounding_box(lat, lng, PROXIMITY)
        # Decimal bounds, as the columns are: a float would make PostgreSQL cast every row's
        # value to float and pass over the index.
        params = {
            "word": fts5_query(word) if connection.vendor == "sqlite" else word,
            "lat": lat,
            "lng": lng,
            "min_lat": Decimal(f"{box.min_latitude - 1e-6:.7f}"),
            "max_lat": Decimal(f"{box.max_latitude + 1e-6:.7f}"),
            "min_lng": Decimal(f"{box.min_longitude - 1e-6:.7f}"),
            "max_lng": Decimal(f"{box.max_longitude + 1e-6:.7f}"),
            "metres": PROXIMITY,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def api(word: str, postcode: str):
        return client.get(
            "/oruk/services", {"search": word, "postcode": postcode, "proximity": str(PROXIMITY)}
        )

    # Warm up, and check that both find the same services (the first page, nearest first).
    found = []
    for word, postcode, lat, lng in cases[:20]:
        response = api(word, postcode)
        if response.status_code != 200:
            print(f"  unexpected response {response.status_code}: {response.content[:200]}")
            return 2
        body = response.json()
        from_api = {item["id"].replace("-", "") for item in body["contents"]}
        from_sql = {str(row[0]).replace("-", "") for row in bare(word, lat, lng)}
        if body["total_items"] <= PER_PAGE and from_api != from_sql:
            print(f"  the API and the bare query disagree for {word!r} near {postcode}")
            return 2
        found.append(body["total_items"])
    api_timings, bare_timings, api_cpu, bare_cpu = [], [], [], []
    for word, postcode, lat, lng in cases:
        started, cpu_started = time.perf_counter(), time.process_time()
        api(word, postcode)
        api_timings.append((time.perf_counter() - started) * 1000)
        api_cpu.append((time.process_time() - cpu_started) * 1000)
        started, cpu_started = time.perf_counter(), time.process_time()
        bare(word, lat, lng)
        bare_timings.append((time.perf_counter() - started) * 1000)
        bare_cpu.append((time.process_time() - cpu_started) * 1000)
    api_p50, api_p95 = percentiles(api_timings)
    bare_p50, bare_p95 = percentiles(bare_timings)
    target = TARGETS_MS[connection.vendor]
    ratio = api_p95 / bare_p95
    missed = api_p95 > target or ratio > 2
    print(
        f"  /oruk/services?search=<word>&postcode=<postcode>&proximity={PROXIMITY} "
        f"(Django test Client, {requests} requests, {statistics.mean(found):.0f} results on average)"
    )
    print(f"    API   p50 {api_p50:6.1f} ms   p95 {api_p95:6.1f} ms   (target p95 {target:.0f} ms)")
    print(f"    bare  p50 {bare_p50:6.1f} ms   p95 {bare_p95:6.1f} ms")
    # CPU time of this process per request: what a busy shared machine does not inflate
    # (on SQLite it includes the database's work; PostgreSQL's server is another process).
    cpu_api_p50, cpu_api_p95 = percentiles(api_cpu)
    cpu_bare_p50, cpu_bare_p95 = percentiles(bare_cpu)
    print(
        f"    CPU in this process: API p50 {cpu_api_p50:.1f} ms p95 {cpu_api_p95:.1f} ms; "
        f"bare p50 {cpu_bare_p50:.1f} ms p95 {cpu_bare_p95:.1f} ms"
    )
    print(
        f"    API p95 is {ratio:.1f}x the bare query's "
        f"({'meets' if not missed else 'MISSES'} the targets: {target:.0f} ms and within 2x)"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
