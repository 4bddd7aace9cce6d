"""schemathesis against both APIs: whatever it sends, no 500.

Cases are generated from our /api/openapi.json, and for /oruk/ from the Open Referral UK
profile's own OpenAPI document (`standards/oruk/openapi30-uk-profile.json` beside the shared
data), valid and invalid input alike, and sent through the WSGI application with the test
database behind it.
"""

import json
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from opendeal.api import api
from opendeal.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application

ORUK_PROFILE = (
    Path(django_settings.OPENDEAL_DATA_DIR).parent
    / "standards"
    / "oruk"
    / "openapi30-uk-profile.json"
)
oruk_document = json.loads(ORUK_PROFILE.read_text())
oruk_document["servers"] = [{"url": "/oruk"}]


def _valid_types(node):
    """The profile declares start_time and end_time as `type: time`, which OpenAPI 3.0 has not
    got; they are strings in time format, as the standard's own schema says."""
    if isinstance(node, dict):
        if node.get("type") in ("time", "date"):
            node["format"] = node["type"]
            node["type"] = "string"
        for value in node.values():
            _valid_types(value)
    elif isinstance(node, list):
        for value in node:
            _valid_types(value)


_valid_types(oruk_document)
oruk_schema = schemathesis.openapi.from_dict(oruk_document)
oruk_schema.app = application


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Django closes the database connection at the end of each WSGI request; inside a test
    that is the test's own connection. Django's test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_input_makes_the_api_fail(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code}"
    )


@pytest.mark.django_db
@oruk_schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_input_makes_the_open_referral_api_fail(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code}"
    )
