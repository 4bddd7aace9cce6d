"""How fast are the demand dashboard's figures with a large borough's caseload?

Builds a throwaway database of 200,000 fictional people in 20 teams with 1,000,000 contacts
over three years, 50,000 care packages (30,000 long-term) and 200,000 SWEMWBS answers, all
bulk-inserted (COPY on PostgreSQL, executemany on SQLite), then computes every figure the
dashboard shows (`opendeal.care.demand.dashboard`: contacts per month, share without formal
care, new long-term packages per 100,000 adults, package spend, wellbeing by cohort, before and
after a date, cost avoided) N times for the whole council and for one team, and prints the
median and 95th percentile with the figures themselves. Then it times the whole page,
/care/demand/, rendered through Django's test client: signed in as an analyst (the whole
council) and as the manager of one team. Target: a median of 1 s or less on PostgreSQL (the
figures), on a 2-core machine.

    .venv/bin/python bench/demand.py                       # SQLite (var/bench/demand.sqlite3)
    .venv/bin/python bench/demand.py --postgres postgres://postgres@127.0.0.1:5432/opendeal_bench_demand

With --postgres it runs on SQLite and then on PostgreSQL (in a temporary test_<name> database,
dropped afterwards). Exits 1 if the PostgreSQL median misses the target. `--scale 0.01` builds
a hundredth of the data, for a quick check that it runs (the target is for the full size).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from functools import partial
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0
PEOPLE = 200_000
CONTACTS = 1_000_000
TEAMS = 20
LONG_TERM_PACKAGES = 30_000
REABLEMENT_PACKAGES = 20_000
WELLBEING_PEOPLE = 80_000  # each answers SWEMWBS 2 or 3 times: ~200,000 answers
BATCH = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument(
        "--sqlite",
        metavar="PATH",
        default=str(PROJECT_DIR / "var" / "bench" / "demand.sqlite3"),
        help="the SQLite file to build (replaced)",
    )
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each scope")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built database, and reuse one kept before (for measuring changes)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="build this fraction of the data (e.g. 0.01 for a quick run; default 1)",
    )
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # one run, in a child process
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be more than 0 and at most 1")
    if args.database_url:
        _scale(args.scale)
        return run_one(args.database_url, args.repeats, args.keep)
    Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
    urls = [f"sqlite:///{args.sqlite}"] + ([args.postgres] if args.postgres else [])
    # Each database in its own process: Django's settings are fixed once loaded.
    results = [
        subprocess.call(
            [
                sys.executable,
                __file__,
                "--database-url",
                url,
                "--repeats",
                str(args.repeats),
                "--scale",
                str(args.scale),
                *(["--keep"] if args.keep else []),
            ],
            cwd=PROJECT_DIR,
        )
        for url in urls
    ]
    return max(results)


def _scale(fraction: float) -> None:
    """Shrink every size by `fraction` (the teams stay 20)."""
    global PEOPLE, CONTACTS, LONG_TERM_PACKAGES, REABLEMENT_PACKAGES, WELLBEING_PEOPLE
    PEOPLE = max(TEAMS, int(PEOPLE * fraction))
    CONTACTS = max(TEAMS, int(CONTACTS * fraction))
    LONG_TERM_PACKAGES = max(1, int(LONG_TERM_PACKAGES * fraction))
    REABLEMENT_PACKAGES = max(1, int(REABLEMENT_PACKAGES * fraction))
    WELLBEING_PEOPLE = max(1, int(WELLBEING_PEOPLE * fraction))


def run_one(database_url: str, repeats: int, keep: bool = False) -> int:
    os.environ["DATABASE_URL"] = database_url
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they come, even in a file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")
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
    connection.creation.create_test_db(
        verbosity=0, autoclobber=not keep, serialize=False, keepdb=keep
    )
    try:
        from opendeal.care.models import Conversation

        started = time.perf_counter()
        if keep and Conversation.objects.count() == CONTACTS:
            description = "the kept database"
        else:
            description = build_caseload()
        with connection.cursor() as cursor:
            # What autovacuum (PostgreSQL) or a scheduled ANALYZE does soon after a bulk load.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        built_in = time.perf_counter() - started
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"\n{connection.vendor}: {description} (built in {built_in:.1f} s); "
            f"{os.cpu_count()} CPUs, load average {load}",
            flush=True,
        )
        missed = time_figures(repeats, connection.vendor)
        time_pages(repeats)
        return missed
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keep)


def _insert(model, columns: list[str], rows) -> int:
    """Bulk-insert tuples of `columns`: COPY on PostgreSQL, executemany on SQLite. Values
    must already be what the database stores (SQLite: UUIDs as 32 hex digits, dates as text)."""
    from django.db import connection

    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    cursor.cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.cursor.executemany(sql, batch)
            count += len(batch)
    return count


def build_caseload() -> str:
    import datetime
    import random
    import uuid
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from opendeal.care.models import (
        Conversation,
        Person,
        SupportPackage,
        SwemwbsResponse,
        Team,
    )

    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            # A throwaway database: no need to survive a crash while it is loaded.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
    random.seed(20260401)
    now = timezone.now()

    def uid():
        return uuid.uuid4().hex if sqlite else uuid.uuid4()

    def day(value: datetime.date):
        return value.isoformat() if sqlite else value

    def money(value: Decimal):
        return str(value) if sqlite else value

    stamp = now.isoformat() if sqlite else now
    first_day = datetime.date(2023, 1, 1)
    span = 3 * 365
    outcomes = [
        ("information_and_advice", 35),
        ("community_connection", 30),
        ("no_further_action", 10),
        ("short_term_support", 15),
        ("long_term_support", 10),
    ]
    outcome_names = [name for name, _ in outcomes]
    outcome_weights = [weight for _, weight in outcomes]
    kinds = ["listen_and_connect", "work_intensively", "build_a_good_life"]

    with transaction.atomic():
        teams = [Team.objects.create(name=f"Bench team {n + 1}") for n in range(TEAMS)]
        team_ids = [team.pk for team in teams]
        person_columns = [
            "public_id", "team_id", "given_name", "family_name", "preferred_name", "address",
            "postcode", "lsoa21_code", "ward_code", "phone", "email", "nhs_number",
            "lawful_basis", "special_category_condition", "consents_to_sharing",
            "consent_notes", "strengths", "gifts", "interests", "what_matters", "is_fictional",
            "created_at",
        ]  # fmt: skip

        def person_rows():
            for n in tqdm(range(PEOPLE), desc="People", unit=" rows", leave=False):
                yield (
                    uid(), team_ids[n % TEAMS], "Fictional", f"Person {n}", "", "", "", "", "",
                    "", "", "", "e_public_task", "h_health_social_care", False, "", "", "", "",
                    "", True, stamp,
                )  # fmt: skip

        _insert(Person, person_columns, person_rows())
        people = list(Person.objects.order_by("pk").values_list("pk", "team_id"))
        conversation_columns = [
            "public_id", "person_id", "team_id", "kind", "method", "held_on", "strengths_heard",
            "people_heard", "what_matters_heard", "needs_heard", "notes", "outcome",
            "lsoa21_code", "ward_code", "created_at",
        ]  # fmt: skip

        def conversations():
            for n in tqdm(range(CONTACTS), desc="Contacts", unit=" rows", leave=False):
                person_id, team_id = people[n % PEOPLE]
                held_on = first_day + datetime.timedelta(days=random.randrange(span))
                outcome = random.choices(outcome_names, outcome_weights)[0]
                yield (
                    uid(), person_id, team_id, kinds[n % 3], "in_person", day(held_on), "", "",
                    "", "", "", outcome, "", "", stamp,
                )  # fmt: skip

        _insert(Conversation, conversation_columns, conversations())
        package_columns = [
            "public_id", "person_id", "team_id", "kind", "setting", "description", "provider",
            "weekly_cost", "starts_on", "ends_on", "created_at",
        ]  # fmt: skip

        def packages():
            total = LONG_TERM_PACKAGES + REABLEMENT_PACKAGES
            for n in tqdm(range(total), desc="Packages", unit=" rows", leave=False):
                person_id, team_id = people[random.randrange(PEOPLE)]
                long_term = n < LONG_TERM_PACKAGES
                starts_on = first_day + datetime.timedelta(days=random.randrange(span))
                if long_term:
                    cost = Decimal(random.randrange(15_000, 120_000)) / 100
                    ends_on = (
                        starts_on + datetime.timedelta(days=random.randrange(30, 900))
                        if random.random() < 0.4
                        else None
                    )
                else:
                    cost = Decimal(random.randrange(10_000, 40_000)) / 100
                    ends_on = starts_on + datetime.timedelta(days=random.randrange(7, 42))
                yield (
                    uid(), person_id, team_id, "long_term" if long_term else "reablement",
                    "home_care", "", "", money(cost), day(starts_on),
                    day(ends_on) if ends_on else None, stamp,
                )  # fmt: skip

        _insert(SupportPackage, package_columns, packages())
        swemwbs_columns = [
            "public_id", "person_id", "recorded_on", "optimistic", "useful", "relaxed",
            "dealing_with_problems", "thinking_clearly", "close_to_others", "own_mind",
            "raw_score", "metric_score", "created_at",
        ]  # fmt: skip

        def answers():
            for n in tqdm(range(WELLBEING_PEOPLE), desc="SWEMWBS", unit=" people", leave=False):
                person_id, _ = people[(n * 7) % PEOPLE]
                recorded_on = first_day + datetime.timedelta(days=random.randrange(span - 200))
                score = random.randrange(1200, 2800)
                for _ in range(2 + n % 2):
                    yield (
                        uid(), person_id, day(recorded_on), 3, 3, 3, 3, 3, 3, 3, 21,
                        money(Decimal(score) / 100), stamp,
                    )  # fmt: skip
                    recorded_on += datetime.timedelta(days=random.randrange(30, 100))
                    score = max(700, min(3500, score + random.randrange(-200, 400)))

        answered = _insert(SwemwbsResponse, swemwbs_columns, answers())
    # Bulk inserts bypass the signals that keep the per-person summaries: remake them, as an
    # import of this size would.
    from opendeal.care.summaries import rebuild_all

    started = time.perf_counter()
    rebuild_all()
    summaries = time.perf_counter() - started
    return (
        f"{PEOPLE:,} people in {TEAMS} teams, {CONTACTS:,} contacts, "
        f"{LONG_TERM_PACKAGES + REABLEMENT_PACKAGES:,} packages, {answered:,} SWEMWBS answers; "
        f"per-person summaries rebuilt in {summaries:.1f} s"
    )


def time_figures(repeats: int, vendor: str) -> int:
    import datetime

    from opendeal.care import demand
    from opendeal.care.models import Team

    first, last = datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)
    split_on = datetime.date(2024, 7, 1)
    team = Team.objects.order_by("pk").first()
    scopes = [demand.Scope("The whole council"), demand.Scope(team.name, (team.pk,))]
    demand.adult_population()  # read once per process, as a server would
    worst = 0.0
    for scope in scopes:
        timings, board = [], None
        for _ in range(repeats):
            started = time.perf_counter()
            board = demand.dashboard(scope, first, last, split_on=split_on)
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
        worst = max(worst, median)
        print(
            f"  {scope.label}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"({repeats} runs)"
        )
        print_figures(board)
        parts = {
            "contacts": partial(demand.period_figures, with_series=False),
            "months": demand.contacts_by_month,
            "packages": demand.package_figures,
            "wellbeing": demand.wellbeing_cohorts,
        }
        shares = []
        for name, part in parts.items():
            started = time.perf_counter()
            part(scope, first, last)
            shares.append(f"{name} {(time.perf_counter() - started) * 1000:.0f} ms")
        print("    one run of each part: " + ", ".join(shares))
    if vendor == "postgresql" and worst > TARGET_SECONDS:
        print(f"  MISSED the target of {TARGET_SECONDS:.0f} s on PostgreSQL")
        return 1
    return 0


def time_pages(repeats: int) -> None:
    """The whole page, /care/demand/, through the test client (URL routing, sign-in and
    two-factor middleware, the figures, the charts and the template), as an analyst (the whole
    council) and as one team's manager; the same period and date as the figures above."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opendeal.care.models import Team
    from opendeal.core.models import User
    from opendeal.core.roles import Role

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    team = Team.objects.order_by("pk").first()

    def signed_in(role: Role, email: str) -> Client:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, "correct horse battery", full_name=f"Bench {role.label}"
        )
        user.groups.add(Group.objects.get(name=role.label))
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        if role == Role.TEAM_MANAGER:
            team.managers.add(user)
        return client

    period = {"first": "2023-01-01", "last": "2025-12-31", "split_on": "2024-07-01", "weeks": "52"}
    visits = [
        ("analyst, the whole council", signed_in(Role.ANALYST, "bench-analyst@example.org"),
         {**period, "scope": "council"}),
        (f"manager, {team.name}", signed_in(Role.TEAM_MANAGER, "bench-manager@example.org"),
         {**period, "scope": str(team.public_id)}),
    ]  # fmt: skip
    url = reverse("care:demand")
    for label, client, query in visits:
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url, query)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                print(f"  page as {label}: HTTP {response.status_code}")
                break
        else:
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
            print(
                f"  /care/demand/ rendered as {label}: median {median * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms ({repeats} runs, {len(response.content):,} bytes)"
            )


def print_figures(board) -> None:
    whole = board.whole
    # The whole council per 100,000 adults; a team its own packages a year (no adults).
    rate = "long_term_a_year" if board.is_team else "long_term_per_100k_a_year"
    unit = "a year" if board.is_team else "a year per 100,000 adults"
    adults = f" of {whole.adults.adults}" if whole.adults else ""
    print(
        f"    contacts {whole.contacts}, without formal care {whole.share_without_formal_care}%, "
        f"new long-term {whole.new_long_term_packages} "
        f"({getattr(whole, rate)} {unit}{adults}), spend £{whole.package_spend:,} on "
        f"{whole.packages_in_spend} packages"
    )
    if whole.months and whole.cohorts:
        print(
            f"    {len(whole.months)} months (first {whole.months[0].contacts} contacts), "
            f"{len(whole.cohorts)} cohorts (first: {whole.cohorts[0].people} people, "
            f"mean SWEMWBS change {whole.cohorts[0].mean_change})"
        )
    if board.before and board.after:
        print(
            f"    wellbeing before: {board.before.wellbeing.people} people, mean change "
            f"{board.before.wellbeing.mean_change}; after: {board.after.wellbeing.people} "
            f"people, {board.after.wellbeing.mean_change}"
        )
        print(
            f"    before {board.split_on}: {getattr(board.before, rate)} {unit}, "
            f"after: {getattr(board.after, rate)} {unit}; cost "
            f"{'avoided' if board.cost and board.cost.is_saving else 'added'} "
            f"£{board.cost.magnitude if board.cost else 0:,} "
            f"(mean weekly £{board.cost.mean_weekly_cost if board.cost else '?'}, "
            f"{board.cost.weeks if board.cost else '?'} weeks)"
        )


if __name__ == "__main__":
    sys.exit(main())
