"""/metrics: who may read it, and what it counts."""

import json
import logging

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from opendeal.core.metrics import import_run
from opendeal.core.models import ImportRun
from opendeal.core.redaction import RedactPersonalData, redact

pytestmark = pytest.mark.django_db


def test_requests_are_timed_by_route_name_never_by_path(client):
    client.get("/events/")
    client.get("/no-such-page/with-a-token-abc123")

    body = client.get("/metrics").content.decode()

    assert (
        'opendeal_request_duration_seconds_count{method="GET",route="events:list",status="2xx"}'
        in body
    )
    assert 'route="unrouted",status="4xx"' in body
    assert "abc123" not in body


def test_only_allowed_addresses_may_read_it(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200


@override_settings(OPENDEAL_METRICS_TOKEN="scrape-secret")
def test_with_a_token_set_the_token_is_needed_from_anywhere(client):
    assert client.get("/metrics").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_failed_imports_are_counted_with_personal_data_redacted(client):
    with pytest.raises(ValueError), import_run("oruk", "feed.json"):
        raise ValueError("row 3, field email: jo.bloggs@example.com is not valid")
    with import_run("oruk", "feed.json"):
        pass

    failed = ImportRun.objects.get(succeeded=False)
    assert failed.error == "row 3, field email: [email] is not valid"
    assert ImportRun.objects.filter(succeeded=True).count() == 1
    assert 'opendeal_import_errors{importer="oruk"} 1.0' in client.get("/metrics").content.decode()


def test_the_task_queue_is_counted_by_status(client):
    from django_tasks_db.models import DBTaskResult

    body = client.get("/metrics").content.decode()
    assert "# TYPE opendeal_tasks gauge" in body
    before = DBTaskResult.objects.count()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        from opendeal.core.mail import send_email

        send_email.enqueue("someone@example.com", "Subject", "core/email/none", {})
        body = client.get("/metrics").content.decode()
    assert DBTaskResult.objects.count() == before + 1
    assert 'opendeal_tasks{status="ready"} 1.0' in body


@pytest.mark.parametrize(
    ("said", "logged"),
    [
        ("sent to ann.other@example.org", "sent to [email]"),
        ("NHS number 943 476 5919 checked", "NHS number [nhs-number] checked"),
        ("call 01942 244991 or +44 7700 900123", "call [phone] or [phone]"),
        ("lives at WN1 1XX", "lives at [postcode]"),
        ("event 42 has 100 places", "event 42 has 100 places"),
    ],
)
def test_redaction(said, logged):
    assert redact(said) == logged


def test_json_log_lines_carry_no_personal_data():
    record = logging.LogRecord(
        "opendeal.events", logging.WARNING, __file__, 1, "refused %s", ("ann@example.org",), None
    )
    assert RedactPersonalData().filter(record)
    configured = dict(settings.LOGGING["formatters"]["json"])
    assert configured.pop("()") == "pythonjsonlogger.json.JsonFormatter"
    formatter = JsonFormatter(**configured)
    line = json.loads(formatter.format(record))
    assert line["message"] == "refused [email]"
    assert line["level"] == "WARNING"
    assert line["logger"] == "opendeal.events"


def test_every_import_command_records_its_run(tmp_path):
    missing = tmp_path / "ONSPD_missing.csv"
    with pytest.raises(CommandError):
        call_command("import_postcodes", str(missing))

    run = ImportRun.objects.get()
    assert (run.importer, run.succeeded, run.source) == ("postcodes", False, str(missing))
    assert "Cannot read" in run.error
