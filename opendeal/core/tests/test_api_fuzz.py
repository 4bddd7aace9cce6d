"""schemathesis against both APIs: whatever it sends, no 500.

Cases are generated from our /api/openapi.json, and for /oruk/ from the Open Referral UK
profile's own OpenAPI document (`standards/oruk/openapi30-uk-profile.json` beside the shared
data), valid and invalid input alike, and sent through the WSGI application with the test
database behind it.

The test database is not left empty for the events API: two open events are seeded with fixed
ids, and the schema's event id parameters are narrowed to those ids (and one unknown id), so
that registering is exercised past the 404: with places and a required question, and without
required questions and only one place (the waiting list).
"""

import copy
import json
import uuid
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from opendeal.api import api
from opendeal.events.models import Question, RegistrationType
from opendeal.events.tests.factories import make_event
from opendeal.wsgi import application

# Open, ten places, a required question and an optional one.
EVENT_WITH_PLACES = uuid.UUID("5eed0000-0000-4000-8000-000000000001")
# Open, one place (so the waiting list is reached too), no questions.
EVENT_WITHOUT_REQUIRED_QUESTIONS = uuid.UUID("5eed0000-0000-4000-8000-000000000002")
UNKNOWN_EVENT = uuid.UUID("5eed0000-0000-4000-8000-0000000000ff")
RESIDENT_TYPE = uuid.UUID("5eed0000-0000-4000-8000-000000000011")
SEEDED_EVENTS = [str(EVENT_WITH_PLACES), str(EVENT_WITHOUT_REQUIRED_QUESTIONS), str(UNKNOWN_EVENT)]


def _with_seeded_event_ids(document: dict) -> dict:
    """The API's schema with each event id path parameter limited to the seeded events (and
    one that does not exist), and the registration type to a seeded type, a random id or none,
    and the email to a well-formed address, so generated registrations reach events that are
    there and get past the address check."""
    document = copy.deepcopy(document)
    for path, operations in document["paths"].items():
        if not path.startswith("/api/events/{public_id}"):
            continue
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "public_id":
                    parameter["schema"] = {
                        "type": "string",
                        "format": "uuid",
                        "enum": SEEDED_EVENTS,
                    }
    body = document["components"]["schemas"]["RegistrationIn"]["properties"]
    body["registration_type"]["anyOf"].insert(0, {"enum": [str(RESIDENT_TYPE)]})
    # Mostly addresses the service accepts, so that places are taken and the list reached.
    body["email"]["format"] = "email"
    return document


schema = schemathesis.openapi.from_dict(_with_seeded_event_ids(api.get_openapi_schema()))
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


@pytest.fixture
def seeded_events():
    """The events the narrowed schema points at."""
    with_places = make_event(public_id=EVENT_WITH_PLACES, capacity=10, questions=())
    Question.objects.create(event=with_places, text="Access needs", is_required=True, position=0)
    Question.objects.create(event=with_places, text="Dietary needs", position=1)
    without_questions = make_event(
        public_id=EVENT_WITHOUT_REQUIRED_QUESTIONS, capacity=1, registration_types=(), questions=()
    )
    RegistrationType.objects.create(
        event=without_questions, public_id=RESIDENT_TYPE, name="Resident", position=0
    )
    return with_places, without_questions


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_input_makes_the_api_fail(case, seeded_events):
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
