"""The events API, mounted at /api/events: upcoming events with their places, and registering
for one. Anonymous: a registration through the API is always by email address (the person
confirms it from the emailed link), so its status is pending_confirmation or waitlisted."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status

from opendeal.api import problem
from opendeal.core.mail import absolute_url

from . import selectors, services
from .models import Event, RegistrationType
from .schemas import EventOut, RegistrationIn, RegistrationOut, problem_responses

router = Router()

# Refusals that are about the input rather than the event's state.
INPUT_REFUSALS = {"invalid_type", "missing_answer"}
# The rate limits count an hour from the first attempt: an hour is the most to wait.
TOO_MANY_RETRY_AFTER_SECONDS = 3600


@router.get(
    "",
    response=list[EventOut],
    summary="Upcoming events",
    description=(
        "Published events that have not ended, soonest first, each with its capacity, places "
        "left, registration window, registration types and questions."
    ),
)
def list_events(request: HttpRequest) -> list[dict]:
    return [_event_data(event, event.places_held) for event in selectors.upcoming_events()]


@router.get(
    "/{public_id}",
    response=EventOut,
    openapi_extra=problem_responses(404, 422),
    summary="One event",
    description="A published event. 404 for an unknown id; 422 when the id is not a UUID.",
)
def get_event(request: HttpRequest, public_id: uuid.UUID) -> dict:
    event = _published_event(public_id)
    return _event_data(event, event.capacity - services.places_left(event))


@router.post(
    "/{public_id}/registrations",
    response={201: RegistrationOut},
    openapi_extra=problem_responses(404, 409, 422, 429),
    summary="Register for an event",
    description=(
        "Registers a person by email address. With a place free the registration holds it as "
        "pending_confirmation and the person is emailed a link to confirm it within the "
        "event's confirmation time; when the event is full they join the waiting list "
        "(waitlisted, with their position) and are emailed a link to confirm their address. "
        "409 when registration is closed or not yet open, or the address is already "
        "registered for the event; 422 for invalid input; 429 when too many registrations "
        "have come from the caller's network address, or too many emails have gone to the "
        "address, within the hour."
    ),
)
def register(
    request: HttpRequest, public_id: uuid.UUID, payload: RegistrationIn
) -> Status | HttpResponse:
    event = _published_event(public_id)
    try:
        result = services.register(
            event,
            name=payload.name,
            email=payload.email,
            registration_type=_registration_type(event, payload.registration_type),
            answers=payload.answers,
            client_address=request.META.get("REMOTE_ADDR", ""),
        )
    except ValidationError as error:
        errors = [
            {"type": "value_error", "loc": ["body", "payload", field], "msg": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
        return problem(
            request, 422, "Invalid request", "Some of the input is not valid.", errors=errors
        )
    except services.RegistrationRefused as refusal:
        if refusal.code == "not_published":
            raise Http404("There is no such event.") from None
        if refusal.code == "too_many":
            response = problem(request, 429, "Too many requests", refusal.reason, code="too_many")
            response["Retry-After"] = str(TOO_MANY_RETRY_AFTER_SECONDS)
            return response
        status = 422 if refusal.code in INPUT_REFUSALS else 409
        return problem(request, status, "Registration refused", refusal.reason, code=refusal.code)
    registration = result.registration
    return Status(
        201,
        {
            "id": registration.public_id,
            "status": registration.status,
            "waitlist_position": result.waitlist_position,
        },
    )


def _published_event(public_id: uuid.UUID) -> Event:
    event = Event.objects.filter(public_id=public_id, is_published=True).first()
    if event is None:
        raise Http404("There is no such event.")
    return event


def _registration_type(event: Event, type_id: uuid.UUID | None) -> RegistrationType | None:
    if type_id is None:
        return None
    registration_type = event.registration_types.filter(public_id=type_id).first()
    if registration_type is None:
        raise services.RegistrationRefused(
            "Choose one of this event's registration types.", "invalid_type"
        )
    return registration_type


def _event_data(event: Event, places_held: int) -> dict:
    now = timezone.now()
    place = event.venue
    venue = (
        {
            "name": place.name,
            "address": "\n".join(place.address_lines),
            "postcode": place.postcode,
        }
        if place is not None
        else None
    )
    return {
        "id": event.public_id,
        "title": event.title,
        "kind": event.kind,
        "summary": event.summary,
        "url": absolute_url(reverse("events:detail", args=[event.public_id])),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "is_online": event.is_online,
        "venue": venue,
        "capacity": event.capacity,
        "places_left": max(event.capacity - places_held, 0),
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "is_registration_open": event.registration_opens_at
        <= now
        < min(event.registration_closes_at, event.starts_at),
        "registration_types": [
            {"id": item.public_id, "name": item.name} for item in event.registration_types.all()
        ],
        "questions": [
            {
                "id": item.public_id,
                "text": item.text,
                "hint": item.hint,
                "required": item.is_required,
            }
            for item in event.questions.all()
        ],
    }
