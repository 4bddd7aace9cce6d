"""Copying the whole database to another one, and proving the copy is the same.

A council starts on SQLite and moves to PostgreSQL as it grows. `move_database` copies every
table row for row (primary keys kept, `auto_now` fields left as they were), then compares each
table's row count and checksum on both sides, so nothing is lost or changed on the way.
`fingerprints` is the same comparison on its own: backups are checked with it after a restore.

The source keeps running while it is copied. An SQLite source is first copied into a snapshot
file with SQLite's online backup API, which never takes the write lock (in WAL mode, writers
carry on during it), and the rows are then copied from, and checked against, that snapshot. A
PostgreSQL source is read in one REPEATABLE READ transaction, which does not block writers
either. Either way the copy holds everything committed up to the snapshot, and nothing after it.

The checksum of a table is the sum, modulo 2**256, of the SHA-256 of each row's values in a
canonical text form. A sum does not depend on row order, which differs between databases for
text keys (collations), yet any changed, missing or duplicated row changes it.
"""

import contextlib
import datetime
import decimal
import hashlib
import json
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.utils import load_backend

BATCH_SIZE = 2000
# Outside WAL mode, SQLite's backup copies this many pages a step and pauses between steps, so
# writers can take their turn (in WAL mode it copies in one step, which never blocks a writer).
SNAPSHOT_STEP_PAGES = 1024
SNAPSHOT_STEP_PAUSE = 0.05
# Rows that `migrate` itself writes into a new database; everything else must be empty before
# a copy, so a move never mixes two councils' data.
CREATED_BY_MIGRATE = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


class DatabaseCopyError(Exception):
    """The copy cannot be made, or did not come out the same; the message says why."""


@dataclass(frozen=True)
class TableFingerprint:
    table: str
    rows: int
    checksum: str


def copied_models() -> list[type[models.Model]]:
    """Every table Django manages, parents before children (each model's own table once)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        found.append(model)
    return sorted(found, key=lambda model: model._meta.db_table)


def _canonical(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    return str(value)


def _rows(model: type[models.Model], alias: str) -> Iterator[tuple]:
    columns = [field.attname for field in model._meta.local_concrete_fields]
    yield from (
        model._base_manager.using(alias).order_by().values_list(*columns).iterator(BATCH_SIZE)
    )


def fingerprint(model: type[models.Model], alias: str) -> TableFingerprint:
    total = 0
    count = 0
    for row in _rows(model, alias):
        text = "\x1f".join(_canonical(value) for value in row)
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % 2**256
        count += 1
    return TableFingerprint(model._meta.db_table, count, f"{total:064x}")


def fingerprints(alias: str = "default") -> dict[str, TableFingerprint]:
    """Each table's row count and checksum in the database `alias`."""
    return {model._meta.db_table: fingerprint(model, alias) for model in copied_models()}


def connect(url: str, alias: str) -> str:
    """Open a database URL under a connection alias of this thread (a command's target), and
    return the alias. The alias stays out of settings.DATABASES: it is this command's alone."""
    previous = getattr(connections._connections, alias, None)
    if previous is not None:
        previous.close()
    settings_dict = connections.configure_settings(
        {"default": connections.settings["default"], alias: dj_database_url.parse(url)}
    )[alias]
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    return alias


def _check_empty(alias: str) -> None:
    occupied = [
        model._meta.db_table
        for model in copied_models()
        if model._meta.db_table not in CREATED_BY_MIGRATE
        and model._base_manager.using(alias).exists()
    ]
    if occupied:
        raise DatabaseCopyError(
            "The target database already holds data (in "
            + ", ".join(occupied[:5])
            + (" and more" if len(occupied) > 5 else "")
            + "). Move into a new, empty database."
        )


def _copy_table(
    model: type[models.Model], source: str, target: str, on_rows: Callable[[int], None]
) -> None:
    fields = list(model._meta.local_concrete_fields)
    batch: list[models.Model] = []
    for instance in model._base_manager.using(source).order_by().iterator(BATCH_SIZE):
        batch.append(instance)
        if len(batch) == BATCH_SIZE:
            _insert(model, fields, batch, target)
            on_rows(len(batch))
            batch = []
    if batch:
        _insert(model, fields, batch, target)
        on_rows(len(batch))


def _insert(model: type[models.Model], fields: list, batch: list, target: str) -> None:
    # raw=True writes each field's value as it is: no auto_now, no defaults, the same keys,
    # as `loaddata` does.
    model._base_manager.using(target)._insert(batch, fields=fields, using=target, raw=True)


def sqlite_snapshot(connection, path: Path) -> datetime.datetime:
    """Copy the SQLite database of `connection` into a new file at `path` with SQLite's online
    backup API, and return when the snapshot was taken: the copy holds every transaction
    committed before then, and none after.

    In WAL mode (the one OpenDeal uses) the backup reads in a single step, inside one read
    transaction: writers go on committing to the WAL meanwhile, and the snapshot is the state
    at its start. In other journal modes a reader would hold writers up, so the backup copies
    SNAPSHOT_STEP_PAGES at a time and lets writers in between steps; a write restarts it, so
    the snapshot is the state at its end."""
    connection.ensure_connection()
    raw = connection.connection
    journal_mode = raw.execute("PRAGMA journal_mode").fetchone()[0].lower()
    destination = sqlite3.connect(path)
    try:
        if journal_mode == "wal":
            taken = datetime.datetime.now(datetime.UTC)
            raw.backup(destination)
        else:
            raw.backup(destination, pages=SNAPSHOT_STEP_PAGES, sleep=SNAPSHOT_STEP_PAUSE)
            taken = datetime.datetime.now(datetime.UTC)
    finally:
        destination.close()
    return taken


@contextlib.contextmanager
def source_snapshot(source: str = "default") -> Iterator[tuple[str, datetime.datetime]]:
    """A consistent, read-only view of the database `source` that does not stop it being
    written meanwhile: yields the connection alias to read it through and when it was taken.

    SQLite: a snapshot file made with the online backup API, next to the database (it needs as
    much free space as the database), deleted afterwards. PostgreSQL: one REPEATABLE READ, READ
    ONLY transaction on `source`. Other engines: one transaction on `source`."""
    connection = connections[source]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        in_memory = name == ":memory:" or "mode=memory" in name
        directory = None if in_memory else Path(name).parent
        with tempfile.TemporaryDirectory(prefix="opendeal-move-", dir=directory) as folder:
            path = Path(folder) / "snapshot.sqlite3"
            taken = sqlite_snapshot(connection, path)
            alias = connect(f"sqlite:///{path}", "move_snapshot")
            try:
                yield alias, taken
            finally:
                connections[alias].close()
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=source):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                # The first statement of the transaction, so every query after it sees the
                # same snapshot; writers are not blocked.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT now()")
                taken = cursor.fetchone()[0]
        else:
            taken = datetime.datetime.now(datetime.UTC)
        yield source, taken


def move_database(
    target_url: str,
    *,
    source: str = "default",
    progress: Callable[[str, int, int], None] | None = None,
    snapshot_taken: Callable[[datetime.datetime], None] | None = None,
) -> dict[str, TableFingerprint]:
    """Copy every row from `source` into the new database at `target_url` and verify it.

    The source may be in use meanwhile: the rows come from a snapshot of it (`source_snapshot`),
    so the copy holds everything committed up to the snapshot and nothing written after it, and
    no writer of the source waits for the copy. `snapshot_taken` is told when the snapshot was
    taken. The target is migrated to the same schema first and must hold no data of its own.
    The whole copy is one transaction on the target (PostgreSQL checks its foreign keys at
    commit, so tables can be copied in any order), and every table's row count and checksum
    are then compared with the snapshot's. Returns the verified fingerprints; raises
    DatabaseCopyError, having written nothing, if the target is not empty or the copy does not
    match.
    """
    target = connect(target_url, "move_target")
    try:
        # run_syncdb only matters for apps without migrations (the test suite runs without them).
        call_command("migrate", database=target, interactive=False, verbosity=0, run_syncdb=True)
        _check_empty(target)
        tables = copied_models()
        with source_snapshot(source) as (snapshot, taken):
            if snapshot_taken is not None:
                snapshot_taken(taken)
            counts = {model: model._base_manager.using(snapshot).count() for model in tables}
            with transaction.atomic(using=target):
                # The rows migrate made (content types, permissions, groups) are replaced by
                # the source's own, keys and all.
                for model in tables:
                    if model._meta.db_table in CREATED_BY_MIGRATE:
                        model._base_manager.using(target).all()._raw_delete(target)
                for model in tables:
                    done = 0

                    def on_rows(count: int, model=model) -> None:
                        nonlocal done
                        done += count
                        if progress is not None:
                            progress(model._meta.db_table, done, counts[model])

                    if progress is not None:
                        progress(model._meta.db_table, 0, counts[model])
                    _copy_table(model, snapshot, target, on_rows)
                _reset_sequences(target, tables)
                expected = {model._meta.db_table: fingerprint(model, snapshot) for model in tables}
                copied = {model._meta.db_table: fingerprint(model, target) for model in tables}
                differences = compare(expected, copied)
                if differences:
                    raise DatabaseCopyError("The copy differs: " + "; ".join(differences))
    finally:
        connections[target].close()
    return copied


def _reset_sequences(alias: str, tables: Iterable[type[models.Model]]) -> None:
    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def compare(
    expected: dict[str, TableFingerprint], actual: dict[str, TableFingerprint]
) -> list[str]:
    """What differs between two sets of fingerprints, table by table, in words."""
    differences = []
    for table in sorted(expected.keys() | actual.keys()):
        mine, theirs = expected.get(table), actual.get(table)
        if mine is None or theirs is None:
            differences.append(
                f"{table} is missing from the {'source' if mine is None else 'copy'}"
            )
        elif mine.rows != theirs.rows:
            differences.append(f"{table} has {theirs.rows} rows, not {mine.rows}")
        elif mine.checksum != theirs.checksum:
            differences.append(f"{table} has the same {mine.rows} rows but different values")
    return differences
