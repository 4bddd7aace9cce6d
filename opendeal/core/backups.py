"""Backing up the database while it runs, and restoring a backup into a new database.

SQLite is copied with its online backup API (a consistent copy even while the app writes);
PostgreSQL with pg_dump's custom format, restored with pg_restore; both connect with every
libpq option of DATABASE_URL (sslmode, sslrootcert, …), as the app does. After a restore,
`database_copy.fingerprints` on both sides shows the same row counts and checksums.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
import psycopg
from django.db import connections
from psycopg.conninfo import make_conninfo

from .database_copy import sqlite_snapshot


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _libpq_keywords() -> set[str]:
    """The connection parameters libpq understands (sslmode, sslrootcert, options, …)."""
    return {option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()}


def _pg_dsn(settings_dict: dict) -> str:
    """A libpq connection string for pg_dump and pg_restore: the database, host, port and user,
    and every libpq parameter in OPTIONS (from DATABASE_URL's query: `?sslmode=verify-full&
    sslrootcert=…`), so the tools connect the way the app does. Django's own options
    (isolation_level, pool, …) are left out, and so is the password: it goes in the
    environment (`_pg_environment`), never on a command line."""
    params = {
        "dbname": settings_dict.get("NAME"),
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
    }
    libpq = _libpq_keywords() - {"password"}
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in libpq:
            params[key] = value
    return make_conninfo(**{key: value for key, value in params.items() if value not in (None, "")})


def _pg_environment(settings_dict: dict) -> dict[str, str] | None:
    password = settings_dict.get("PASSWORD") or (settings_dict.get("OPTIONS") or {}).get("password")
    if not password:
        return None
    # The password goes to pg_dump through its environment, never on its command line.
    return {**os.environ, "PGPASSWORD": str(password)}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client).")
    return path


def backup(output: Path, alias: str = "default") -> Path:
    """Write a backup of the database `alias` to `output` (an SQLite file, or a pg_dump
    custom-format archive)."""
    connection = connections[alias]
    settings_dict = connection.settings_dict
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file.")
    if connection.vendor == "sqlite":
        sqlite_snapshot(connection, output)
        return output
    if connection.vendor == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={output}"]
        command.append(_pg_dsn(settings_dict))
        result = subprocess.run(
            command, capture_output=True, text=True, env=_pg_environment(settings_dict)
        )
        if result.returncode != 0:
            output.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return output
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def restore(backup_file: Path, target_url: str) -> None:
    """Restore a backup made by `backup` into the new, empty database at `target_url`
    (for SQLite, a file that does not exist yet)."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise BackupError(f"{backup_file} does not exist.")
    settings_dict = dj_database_url.parse(target_url)
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        target = Path(settings_dict["NAME"])
        if target.exists():
            raise BackupError(f"{target} already exists; restore into a new file.")
        source = sqlite3.connect(backup_file)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            source.close()
            destination.close()
        return
    if engine.startswith("django.db.backends.postgresql"):
        command = [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_pg_dsn(settings_dict)}",
            str(backup_file),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, env=_pg_environment(settings_dict)
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    raise BackupError(f"Restoring into {engine} is not supported.")
