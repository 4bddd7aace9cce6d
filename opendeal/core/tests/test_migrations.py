"""The suite runs without migrations for speed; this runs the real ones, then the demo, from the
command line, on a fresh database of the same kind as the one under test."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

OPENDEAL = str(Path(sys.executable).with_name("opendeal"))


@pytest.fixture
def fresh_database_url(tmp_path, django_db_blocker):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    params = settings.DATABASES["default"]
    name = f"opendeal_fresh_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"]
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    yield f"postgres://{user}{password}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def run(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.base",
        "OPENDEAL_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [OPENDEAL, *args], env=environment, capture_output=True, text=True, timeout=300
    )


def test_migrations_and_demo_on_a_fresh_database(fresh_database_url, tmp_path):
    migrated = run("migrate", "--no-input", database_url=fresh_database_url, tmp_path=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    demo = run("demo", database_url=fresh_database_url, tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "The Deal for Wigan: 5 themes, 18 commitments" in demo.stdout
    again = run("demo", database_url=fresh_database_url, tmp_path=tmp_path)
    assert "0 progress updates and 0 fictional pledges added this run" in again.stdout
    pending = run("migrate", "--check", database_url=fresh_database_url, tmp_path=tmp_path)
    assert pending.returncode == 0, pending.stdout
