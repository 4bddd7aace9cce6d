"""The events API: upcoming events with their places, and registering by email address, with
RFC 7807 refusals that change nothing."""

import datetime
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.events import services
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act, statuses, token_in

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def london(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def post(client, event, body, **headers):
    return client.post(
        f"/api/events/{event.public_id}/registrations",
        body,
        content_type="application/json",
        **headers,
    )


def register_by_api(client, django_capture_on_commit_callbacks, event, **body):
    body = {"name": "Sam Jones", "email": "sam@example.org", **body}
    with django_capture_on_commit_callbacks(execute=True):
        return post(client, event, body)


@pytest.fixture
def workshop(settings):
    settings.OPENDEAL_BASE_URL = "https://deal.example.gov.uk"
    return make_event(
        title="Fund workshop",
        kind="workshop",
        summary="How to apply.",
        starts_at=london(2031, 6, 12, 10, 0),
        ends_at=london(2031, 6, 12, 12, 30),
        registration_opens_at=london(2024, 1, 1, 9, 0),
        registration_closes_at=london(2031, 6, 11, 17, 0),
        capacity=3,
    )


def event_json(event, places_left: int, is_registration_open: bool = True) -> dict:
    resident, community = event.registration_types.all()
    question = event.questions.get()
    return {
        "id": str(event.public_id),
        "title": event.title,
        "kind": event.kind,
        "summary": event.summary,
        "url": f"https://deal.example.gov.uk/events/{event.public_id}/",
        "starts_at": event.starts_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "ends_at": event.ends_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "is_online": False,
        "venue": {
            "name": "Wigan Life Centre",
            "address": "College Avenue\nWigan",
            "postcode": "WN1 1NJ",
        },
        "capacity": event.capacity,
        "places_left": places_left,
        "registration_opens_at": event.registration_opens_at.astimezone(datetime.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "registration_closes_at": event.registration_closes_at.astimezone(datetime.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "is_registration_open": is_registration_open,
        "registration_types": [
            {"id": str(resident.public_id), "name": "Resident"},
            {"id": str(community.public_id), "name": "Community organisation"},
        ],
        "questions": [
            {"id": str(question.public_id), "text": "Access needs", "hint": "", "required": False}
        ],
    }


# Reading


def test_upcoming_events_with_places_left(client, workshop):
    services.register(workshop, name="Sam", email="sam@example.org")
    online = make_event(
        title="Online meeting",
        venue_name="",
        venue_address="",
        venue_postcode="",
        online_url="https://meet.example.org/room",
        starts_at=london(2031, 7, 1, 18, 0),
        ends_at=london(2031, 7, 1, 19, 0),
        registration_opens_at=london(2031, 6, 1, 9, 0),
        registration_closes_at=london(2031, 7, 1, 12, 0),
    )
    make_event(title="Draft", is_published=False)

    response = client.get("/api/events")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body[0] == event_json(workshop, places_left=2)
    assert body[1]["title"] == "Online meeting"
    assert (body[1]["is_online"], body[1]["venue"]) == (True, None)
    assert body[1]["is_registration_open"] is False  # opens in 2031
    assert "meet.example.org" not in response.content.decode()
    assert [item["id"] for item in body] == [str(workshop.public_id), str(online.public_id)]


def test_past_events_are_not_listed(client, workshop):
    workshop.starts_at = timezone.now() - datetime.timedelta(days=2)
    workshop.ends_at = timezone.now() - datetime.timedelta(days=1)
    workshop.save()

    assert client.get("/api/events").json() == []


def test_one_event(client, workshop):
    for n in range(4):
        services.register(workshop, name="Someone", email=f"p{n}@example.org")

    response = client.get(f"/api/events/{workshop.public_id}")

    assert response.status_code == 200
    assert response.json() == event_json(workshop, places_left=0)


def test_an_unknown_or_draft_event_is_404_and_a_malformed_id_422(client):
    draft = make_event(is_published=False)
    for url in [f"/api/events/{uuid.uuid4()}", f"/api/events/{draft.public_id}"]:
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
        assert response.json()["title"] == "Not found"

    response = client.get("/api/events/not-a-uuid")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


# Registering


def test_registering_holds_a_place_pending_confirmation_and_emails_the_link(
    client, workshop, django_capture_on_commit_callbacks
):
    access = workshop.questions.get()
    community = workshop.registration_types.get(name="Community organisation")

    response = register_by_api(
        client,
        django_capture_on_commit_callbacks,
        workshop,
        email="Sam@Example.org",
        registration_type=str(community.public_id),
        answers={str(access.public_id): "Hearing loop"},
    )

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert response.json() == {
        "id": str(registration.public_id),
        "status": "pending_confirmation",
        "waitlist_position": None,
    }
    assert (registration.name, registration.email) == ("Sam Jones", "sam@example.org")
    assert registration.registration_type == community
    assert registration.answers == {str(access.public_id): "Hearing loop"}
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    confirmed = act(services.confirm_registration, token_in(message, "confirm"))
    assert confirmed.status == RegistrationStatus.CONFIRMED


def test_when_full_the_answer_is_waitlisted_with_the_position(
    client, workshop, django_capture_on_commit_callbacks
):
    for n in range(3):
        register_by_api(client, django_capture_on_commit_callbacks, workshop, email=f"{n}@x.org")

    first = register_by_api(client, django_capture_on_commit_callbacks, workshop, email="a@x.org")
    second = register_by_api(client, django_capture_on_commit_callbacks, workshop, email="b@x.org")

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["status"], first.json()["waitlist_position"]) == ("waitlisted", 1)
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 2)
    assert len(mail.outbox) == 5


def test_a_signed_in_caller_still_registers_by_email_address(
    client, workshop, make_user, django_capture_on_commit_callbacks
):
    client.force_login(make_user(Role.RESIDENT, email="robin@example.org"))

    response = register_by_api(client, django_capture_on_commit_callbacks, workshop)

    assert response.json()["status"] == "pending_confirmation"
    registration = Registration.objects.get()
    assert (registration.email, registration.user) == ("sam@example.org", None)


def assert_refused(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


def test_a_duplicate_is_409_and_changes_nothing(
    client, workshop, django_capture_on_commit_callbacks
):
    register_by_api(client, django_capture_on_commit_callbacks, workshop)
    before = statuses(workshop)
    audit_count = AuditEvent.objects.count()
    mail.outbox.clear()

    response = register_by_api(
        client, django_capture_on_commit_callbacks, workshop, email=" SAM@example.org "
    )

    body = assert_refused(response, 409, "duplicate")
    assert body["title"] == "Registration refused"
    assert body["detail"].startswith("This email address is already registered")
    assert statuses(workshop) == before
    assert services.places_left(workshop) == 2
    assert AuditEvent.objects.count() == audit_count
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"registration_closes_at": london(2024, 2, 1, 9, 0)}, "closed"),
        ({"registration_opens_at": london(2031, 1, 1, 9, 0)}, "not_open"),
    ],
)
def test_outside_the_window_is_409(
    client, workshop, changes, code, django_capture_on_commit_callbacks
):
    type(workshop).objects.filter(pk=workshop.pk).update(**changes)

    response = register_by_api(client, django_capture_on_commit_callbacks, workshop)

    assert_refused(response, 409, code)
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_an_unknown_or_draft_event_is_404(client, django_capture_on_commit_callbacks):
    draft = make_event(is_published=False)
    unknown = type(draft)(public_id=uuid.uuid4())

    for event in [draft, unknown]:
        response = register_by_api(client, django_capture_on_commit_callbacks, event)
        assert_refused(response, 404)
    assert Registration.objects.count() == 0


def test_invalid_input_is_422_and_changes_nothing(client, workshop):
    other = make_event()
    required = workshop.questions.create(text="Dietary needs", is_required=True, position=1)
    valid = {"name": "Sam", "email": "sam@example.org", "answers": {str(required.public_id): "x"}}
    cases = [
        ({"name": "Sam"}, None),
        ({**valid, "name": ""}, None),
        ({**valid, "name": "   "}, None),
        ({**valid, "email": "not-an-address"}, None),
        ({**valid, "email": 42}, None),
        ({**valid, "registration_type": "not-a-uuid"}, None),
        ({**valid, "registration_type": str(uuid.uuid4())}, "invalid_type"),
        (
            {**valid, "registration_type": str(other.registration_types.first().public_id)},
            "invalid_type",
        ),
        ({**valid, "answers": {}}, "missing_answer"),
        ({**valid, "answers": {str(required.public_id): "  "}}, "missing_answer"),
        ({**valid, "answers": {str(uuid.uuid4()): "x", str(required.public_id): "x"}}, None),
        ({**valid, "answers": ["x"]}, None),
        ([1, 2], None),
    ]
    for body, code in cases:
        response = post(client, workshop, body)
        assert_refused(response, 422, code)
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_a_missing_email_names_the_field(client, workshop):
    body = assert_refused(post(client, workshop, {"name": "Sam", "email": "nobody"}), 422)
    assert body["errors"] == [
        {
            "type": "value_error",
            "loc": ["body", "payload", "email"],
            "msg": "Enter an email address in the correct format, like name@example.com",
        }
    ]


def test_a_body_that_is_not_json_is_a_4xx_not_a_500(client, workshop):
    response = post(client, workshop, "{not json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert Registration.objects.count() == 0
