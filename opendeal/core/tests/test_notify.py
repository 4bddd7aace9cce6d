"""The GOV.UK Notify email backend, against a local stand-in for the Notify API that checks
each request as Notify does: the JWT (HS256, signed with the key's secret, `iss` the service
id, `iat` within 30 seconds) and the JSON body. Never the real network."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection

from opendeal.core.notify import NotifyEmailBackend

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"opendeal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
BACKEND = "opendeal.core.notify.NotifyEmailBackend"


def _unpadded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def token_problem(authorization: str) -> str:
    """Why Notify would refuse this Authorization header, or "" if it would accept it."""
    if not authorization.startswith("Bearer "):
        return "no bearer token"
    try:
        header, claims, signature = authorization.removeprefix("Bearer ").split(".")
        expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
        header_fields = json.loads(_unpadded(header))
        claim_fields = json.loads(_unpadded(claims))
    except ValueError:
        return "malformed token"
    if header_fields.get("alg") != "HS256":
        return "not HS256"
    if not hmac.compare_digest(_unpadded(signature), expected):
        return "bad signature"
    if claim_fields.get("iss") != SERVICE_ID:
        return "wrong iss"
    if abs(time.time() - int(claim_fields.get("iat", 0))) > 30:
        return "iat out of range"
    return ""


class _NotifyStandIn(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        problem = token_problem(self.headers.get("Authorization", ""))
        self.received.append({"path": self.path, "body": body, "token_problem": problem})
        if problem:
            self._reply(403, {"status_code": 403, "errors": [{"error": "AuthError"}]})
        elif self.path != "/v2/notifications/email" or body.get("template_id") != TEMPLATE_ID:
            self._reply(400, {"status_code": 400, "errors": [{"error": "BadRequestError"}]})
        else:
            self._reply(201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "content": {}})

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    """A running stand-in for Notify, and settings pointing the backend at it."""
    _NotifyStandIn.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotifyStandIn)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = BACKEND
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield _NotifyStandIn.received
    server.shutdown()
    server.server_close()


def test_each_recipient_is_sent_through_notify_with_a_valid_token(notify):
    message = EmailMessage(
        "Your place is confirmed", "Line one.\n\nLine two.", to=["a@example.org", "b@example.org"]
    )

    assert get_connection().send_messages([message]) == 1

    assert notify == [
        {
            "path": "/v2/notifications/email",
            "body": {
                "email_address": address,
                "template_id": TEMPLATE_ID,
                "personalisation": {
                    "subject": "Your place is confirmed",
                    "body": "Line one.\n\nLine two.",
                },
            },
            "token_problem": "",
        }
        for address in ["a@example.org", "b@example.org"]
    ]
    assert mail.outbox == []  # it really went through the backend, not the test outbox


def test_a_reply_to_address_is_passed_on(notify, settings):
    settings.GOVUK_NOTIFY_REPLY_TO_ID = "5ad3ed66-38e5-4c5a-9a3b-5dc7ba1a9e8d"

    get_connection().send_messages([EmailMessage("Hi", "Body", to=["a@example.org"])])

    assert notify[0]["body"]["email_reply_to_id"] == "5ad3ed66-38e5-4c5a-9a3b-5dc7ba1a9e8d"


def test_a_refused_request_raises_unless_failing_silently(notify):
    wrong_secret = f"opendeal_test-{SERVICE_ID}-00000000-0000-0000-0000-000000000000"
    message = EmailMessage("Hi", "Body", to=["a@example.org"])

    with pytest.raises(Exception) as error:
        NotifyEmailBackend(api_key=wrong_secret).send_messages([message])
    assert getattr(error.value, "status_code", None) == 403
    assert notify[0]["token_problem"] == "bad signature"

    assert (
        NotifyEmailBackend(api_key=wrong_secret, fail_silently=True).send_messages([message]) == 0
    )


def test_the_events_emails_go_through_notify(notify, db, django_capture_on_commit_callbacks):
    from opendeal.events import services
    from opendeal.events.tests.factories import make_event

    event = make_event(title="Fund workshop")
    with django_capture_on_commit_callbacks(execute=True):
        services.register(event, name="Sam", email="sam@example.org")

    [request] = notify
    assert request["token_problem"] == ""
    assert request["body"]["email_address"] == "sam@example.org"
    personalisation = request["body"]["personalisation"]
    assert personalisation["subject"] == "Confirm your place at Fund workshop"
    assert "/events/confirm/" in personalisation["body"]


def test_it_needs_a_key_and_a_template(settings):
    settings.GOVUK_NOTIFY_API_KEY = ""
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    with pytest.raises(ImproperlyConfigured):
        NotifyEmailBackend()
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(ImproperlyConfigured):
        NotifyEmailBackend()
