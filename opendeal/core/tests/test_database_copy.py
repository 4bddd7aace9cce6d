"""Moving a whole instance to another database engine, and proving nothing changed.

On the SQLite run the copy goes SQLite → PostgreSQL (the move a council makes); on the
PostgreSQL run it goes the other way, into a new SQLite file, so both runs copy across engines.
"""

import contextlib
import datetime
import io
import secrets
import sqlite3
import threading
import time

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from opendeal.core import backups, database_copy
from opendeal.core.demo import load_demo_accounts
from opendeal.core.models import ScheduledRun, User
from opendeal.deal.demo import load_demo_deal
from opendeal.events.demo import load_demo_events

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_engine(tmp_path):
    """The URL of a new, empty database on the engine the suite is not running on."""
    if connection.vendor == "postgresql":
        yield f"sqlite:///{tmp_path / 'moved.sqlite3'}"
        return
    name = f"opendeal_move_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed at {POSTGRES_SERVER} for this test: {error}")
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        database_copy.connect("sqlite://:memory:", "move_target")  # closes the connection
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_borough():
    load_demo_accounts()
    load_demo_deal(log=io.StringIO())
    load_demo_events()


def test_every_table_arrives_with_the_same_rows(demo_borough, other_engine):
    copied = database_copy.move_database(other_engine)

    source = database_copy.fingerprints("default")
    assert database_copy.compare(source, copied) == []
    assert copied["core_user"].rows == User.objects.count() > 0
    assert sum(table.rows for table in copied.values()) > 500

    # Sequences continue after the copied keys, so the moved instance can go on adding rows.
    target = database_copy.connect(other_engine, "move_target")
    highest = User.objects.using(target).order_by("-pk").values_list("pk", flat=True).first()
    newcomer = User.objects.db_manager(target).create_user(
        email="after.move@example.com", password="a-long-password-1"
    )
    assert newcomer.pk > highest


def test_a_target_that_already_holds_data_is_refused_and_left_alone(demo_borough, other_engine):
    database_copy.move_database(other_engine)
    target = database_copy.connect(other_engine, "move_target")
    before = database_copy.fingerprints(target)

    with pytest.raises(CommandError, match="already holds data"):
        call_command("move_database", to=other_engine, stdout=io.StringIO(), stderr=io.StringIO())

    target = database_copy.connect(other_engine, "move_target")
    assert database_copy.compare(before, database_copy.fingerprints(target)) == []


def test_a_changed_row_is_found(demo_borough, other_engine):
    database_copy.move_database(other_engine)
    target = database_copy.connect(other_engine, "move_target")
    someone = User.objects.using(target).order_by("pk").first()
    User.objects.using(target).filter(pk=someone.pk).update(full_name=someone.full_name + "!")

    differences = database_copy.compare(
        database_copy.fingerprints("default"), database_copy.fingerprints(target)
    )
    assert differences == [
        f"core_user has the same {User.objects.count()} rows but different values"
    ]


def test_fingerprints_do_not_depend_on_row_order():
    rows = [("a", 1), ("b", 2), ("c", 3)]

    def checksum(ordered):
        total = 0
        for row in ordered:
            text = "\x1f".join(database_copy._canonical(value) for value in row)
            total += int.from_bytes(database_copy.hashlib.sha256(text.encode()).digest(), "big")
        return total % 2**256

    assert checksum(rows) == checksum(list(reversed(rows)))
    assert checksum(rows) != checksum([("a", 1), ("b", 2), ("c", 4)])


def test_the_command_reports_what_it_copied(demo_borough, other_engine):
    out = io.StringIO()
    call_command("move_database", to=other_engine, stdout=out, stderr=io.StringIO())
    assert "every table's row count and checksum match" in out.getvalue()
    # It says what the copy holds, and what to do about writes made after it.
    assert "Copying everything committed up to " in out.getvalue()
    assert "is not in the copy" in out.getvalue()


class Writer(threading.Thread):
    """The running instance: keeps inserting scheduled runs into the source database, each in
    its own transaction, with its own connection, until stopped. A write that waits longer than
    two seconds for a lock fails, and is kept in `errors`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.written = 0
        self.errors: list[Exception] = []
        self.stop = threading.Event()

    def run(self) -> None:
        settings_dict = connection.settings_dict
        now = datetime.datetime.now(datetime.UTC)
        if connection.vendor == "sqlite":
            # As the web servers write (settings: IMMEDIATE transactions), with a short timeout.
            db = sqlite3.connect(settings_dict["NAME"], timeout=2, isolation_level=None)
            begin, commit = "BEGIN IMMEDIATE", "COMMIT"
            insert = (
                "INSERT INTO core_scheduledrun (name, slot, enqueued_at, task_result_id) "
                "VALUES (?, ?, ?, '')"
            )
            now = now.replace(tzinfo=None).isoformat(" ")
        else:
            db = psycopg.connect(backups._pg_dsn(settings_dict), autocommit=True)
            db.execute("SET lock_timeout = '2s'")
            begin, commit = "BEGIN", "COMMIT"
            insert = (
                "INSERT INTO core_scheduledrun (name, slot, enqueued_at, task_result_id) "
                "VALUES (%s, %s, %s, '')"
            )
        try:
            while not self.stop.is_set():
                try:
                    db.execute(begin)
                    db.execute(insert, (f"writer.{self.written}", now, now))
                    db.execute(commit)
                    self.written += 1
                except Exception as error:  # every failed write is the finding
                    self.errors.append(error)
                    with contextlib.suppress(Exception):
                        db.execute("ROLLBACK")
                time.sleep(0.002)
        finally:
            db.close()


def test_the_running_instance_goes_on_writing_during_the_copy(demo_borough, other_engine):
    writer = Writer()
    stalled: list[str] = []

    def progress(table: str, done: int, total: int) -> None:
        # At the start of each table, wait for the writer to commit another row: if the copy
        # held the source's write lock, it could not, and its writes would time out.
        if done or stalled:
            return
        before = writer.written
        deadline = time.monotonic() + 8
        while writer.written == before:
            if time.monotonic() > deadline:
                stalled.append(table)
                return
            time.sleep(0.002)

    writer.start()
    try:
        while writer.written < 5 and writer.is_alive():
            time.sleep(0.01)
        before_copy = writer.written
        copied = database_copy.move_database(other_engine, progress=progress)
        during_copy = writer.written - before_copy
    finally:
        writer.stop.set()
        writer.join(10)

    assert writer.errors == []
    assert stalled == []
    assert during_copy > 0
    # The copy passed its checks against the snapshot: everything committed before it,
    # nothing after it.
    copied_runs = copied["core_scheduledrun"].rows
    assert before_copy <= copied_runs < ScheduledRun.objects.count()
    target = database_copy.connect(other_engine, "move_target")
    assert ScheduledRun.objects.using(target).count() == copied_runs


@pytest.fixture
def fresh_same_engine(tmp_path):
    """The URL of a new, empty database on the engine the suite runs on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"opendeal_restore_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        database_copy.connect("sqlite://:memory:", "compared")  # closes the connection
        database_copy.connect("sqlite://:memory:", "restored")
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database_with_the_same_rows(
    demo_borough, fresh_same_engine, tmp_path
):
    backup_file = tmp_path / "opendeal.backup"
    call_command("backup_database", output=backup_file, stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore_database", str(backup_file), to=fresh_same_engine, stdout=out)
    assert "Restored" in out.getvalue()

    compared = io.StringIO()
    call_command("compare_databases", other=fresh_same_engine, stdout=compared)
    assert "every checksum equal" in compared.getvalue()
    restored = database_copy.fingerprints(database_copy.connect(fresh_same_engine, "restored"))
    assert restored["core_user"].rows == User.objects.count() > 0


def test_a_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_text("an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_database", output=existing, stdout=io.StringIO())
    assert existing.read_text() == "an older backup"


def test_a_difference_after_restore_is_reported(demo_borough, fresh_same_engine, tmp_path):
    backup_file = tmp_path / "opendeal.backup"
    call_command("backup_database", output=backup_file, stdout=io.StringIO())
    call_command("restore_database", str(backup_file), to=fresh_same_engine, stdout=io.StringIO())
    User.objects.create_user(email="after.backup@example.com", password="a-long-password-1")

    with pytest.raises(CommandError, match="core_user has"):
        call_command("compare_databases", other=fresh_same_engine, stdout=io.StringIO())
