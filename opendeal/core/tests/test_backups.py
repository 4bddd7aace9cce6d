"""pg_dump and pg_restore connect the way the app does: every libpq option of DATABASE_URL
(sslmode, sslrootcert, …) reaches them, and the password only through their environment."""

import subprocess
from types import SimpleNamespace

import dj_database_url
import pytest
from psycopg.conninfo import conninfo_to_dict

from opendeal.core import backups

URL = (
    "postgres://opendeal:s3cret%20pass@db.internal:6432/opendeal"
    "?sslmode=verify-full&sslrootcert=/etc/opendeal/ca.pem&application_name=opendeal%20backup"
)


@pytest.fixture
def ran(monkeypatch):
    """The commands the backup functions run, instead of running them."""
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups.subprocess, "run", run)
    return calls


def assert_connects_like_the_app(conninfo: str, env: dict) -> None:
    assert conninfo_to_dict(conninfo) == {
        "dbname": "opendeal",
        "host": "db.internal",
        "port": "6432",
        "user": "opendeal",
        "sslmode": "verify-full",
        "sslrootcert": "/etc/opendeal/ca.pem",
        "application_name": "opendeal backup",
    }
    assert env["PGPASSWORD"] == "s3cret pass"


def test_pg_dump_gets_the_ssl_options_and_the_password_only_in_its_environment(
    ran, monkeypatch, tmp_path
):
    database = SimpleNamespace(vendor="postgresql", settings_dict=dj_database_url.parse(URL))
    monkeypatch.setattr(backups, "connections", {"default": database})

    backups.backup(tmp_path / "opendeal.dump")

    [(command, kwargs)] = ran
    assert command[:4] == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={tmp_path / 'opendeal.dump'}",
    ]
    assert_connects_like_the_app(command[4], kwargs["env"])
    assert not any("s3cret" in argument for argument in command)


def test_pg_restore_gets_the_ssl_options_and_the_password_only_in_its_environment(ran, tmp_path):
    archive = tmp_path / "opendeal.dump"
    archive.write_bytes(b"PGDMP")

    backups.restore(archive, URL)

    [(command, kwargs)] = ran
    assert command[0] == "/usr/bin/pg_restore"
    assert command[-1] == str(archive)
    [dbname] = [argument for argument in command if argument.startswith("--dbname=")]
    assert_connects_like_the_app(dbname.removeprefix("--dbname="), kwargs["env"])
    assert not any("s3cret" in argument for argument in command)


def test_django_only_options_stay_out_of_the_connection_string():
    settings_dict = dj_database_url.parse("postgres://opendeal@db.internal/opendeal")
    settings_dict["OPTIONS"] = {
        "sslmode": "require",
        "isolation_level": 2,
        "server_side_binding": True,
        "pool": {"min_size": 2},
    }
    assert conninfo_to_dict(backups._pg_dsn(settings_dict)) == {
        "dbname": "opendeal",
        "host": "db.internal",
        "user": "opendeal",
        "sslmode": "require",
    }
    assert backups._pg_environment(settings_dict) is None
