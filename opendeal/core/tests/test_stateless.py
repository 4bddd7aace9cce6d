"""Several web servers behind one load balancer share sessions, the cache and uploads."""

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.test import override_settings

from opendeal.core.apps import create_cache_table
from opendeal.settings.base import _cache_from_url


def test_cache_urls():
    assert _cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    assert _cache_from_url("db://") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "opendeal_cache",
    }
    assert _cache_from_url("redis://10.0.0.5:6379/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://10.0.0.5:6379/1",
    }
    with pytest.raises(ValueError, match="CACHE_URL"):
        _cache_from_url("memcached://10.0.0.5")


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_is_made_by_migrate_and_shared():
    with override_settings(CACHES={"default": _cache_from_url("db://")}):
        create_cache_table(using="default")  # what `opendeal migrate` runs after migrating
        one_server = caches.create_connection("default")
        another_server = caches.create_connection("default")
        assert isinstance(one_server, DatabaseCache)
        one_server.set("pledge-emails:ann", 3, 60)
        assert another_server.get("pledge-emails:ann") == 3


def test_production_shares_the_cache_and_logs_json():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.production",
        "SECRET_KEY": "x" * 60,
        "OPENDEAL_PSEUDONYMISATION_KEY": "y" * 40,
    }
    environment.pop("CACHE_URL", None)
    environment.pop("LOG_FORMAT", None)
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, "
        "settings.LOGGING['handlers']['console']['formatter']]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(output) == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.contrib.sessions.backends.db",
        "json",
    ]


def test_uploads_can_live_in_an_object_store_every_server_shares():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opendeal.settings.production",
        "SECRET_KEY": "x" * 60,
        "OPENDEAL_PSEUDONYMISATION_KEY": "y" * 40,
        "OPENDEAL_S3_BUCKET": "wigan-opendeal-uploads",
        "AWS_S3_REGION_NAME": "eu-west-2",
        # Signing a link needs keys but no network: nothing is sent to the store here.
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "example-secret-key-for-signing-only",
    }
    script = (
        "import json; from django.core.files.storage import storages; "
        "private = storages['private']; "
        "print(json.dumps([type(private).__name__, private.url('applications/plan.pdf')]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    backend, link = json.loads(output)
    assert backend == "S3Storage"
    assert link.startswith("https://wigan-opendeal-uploads.s3")
    assert "/private/applications/plan.pdf?" in link
    assert "X-Amz-Expires=300" in link or "Expires=" in link  # signed and short-lived
