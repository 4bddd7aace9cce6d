"""schemathesis against the JSON API's own OpenAPI document: whatever it sends, no 500.

Cases are generated from /api/openapi.json (valid and invalid input alike) and sent through the
WSGI application with the test database behind it.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from opendeal.api import api
from opendeal.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


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
