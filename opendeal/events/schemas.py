"""What the events API takes and returns. No personal data goes out: a registration answers
with its id, status and waiting-list position only."""

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from opendeal.deal.schemas import Problem

from .models import EventKind, RegistrationStatus

EventKindName = Literal[tuple(EventKind.values)]  # type: ignore[valid-type]


class RegistrationTypeOut(Schema):
    id: uuid.UUID
    name: str


class QuestionOut(Schema):
    id: uuid.UUID
    text: str
    hint: str
    required: bool


class VenueOut(Schema):
    name: str
    address: str
    postcode: str


class EventOut(Schema):
    id: uuid.UUID = Field(description="The event's public id.")
    title: str
    kind: EventKindName
    summary: str
    url: str = Field(description="The event's page, where people can also register.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    is_online: bool = Field(
        description="True for an online event (the joining link is sent to "
        "people with a confirmed place)."
    )
    venue: VenueOut | None = Field(description="Where an in-person event is; null online.")
    capacity: int
    places_left: int = Field(
        description="Places not yet held by a confirmed or pending "
        "registration. At 0, registrations join the waiting list."
    )
    registration_opens_at: datetime.datetime
    registration_closes_at: datetime.datetime
    is_registration_open: bool
    registration_types: list[RegistrationTypeOut]
    questions: list[QuestionOut]


class RegistrationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, examples=["sam@example.org"])
    registration_type: uuid.UUID | None = Field(
        None, description="The id of one of the event's registration types."
    )
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="Answers keyed by question id. Required questions must be answered.",
    )


class RegistrationOut(Schema):
    id: uuid.UUID = Field(description="The registration's public id.")
    status: Literal[
        RegistrationStatus.PENDING_CONFIRMATION.value,
        RegistrationStatus.CONFIRMED.value,
        RegistrationStatus.WAITLISTED.value,
    ] = Field(
        description="pending_confirmation: a place is held until the person confirms it from "
        "the emailed link; waitlisted: the event is full (see waitlist_position); confirmed: "
        "a confirmed place."
    )
    waitlist_position: int | None = Field(description="1 for the first on the waiting list.")


class RefusalProblem(Problem):
    code: str | None = Field(
        None,
        description="Which rule refused a registration: closed, not_open, duplicate, "
        "not_published, invalid_type, missing_answer, too_many.",
    )


_PROBLEMS = {
    404: "No published event has this id (an RFC 7807 problem document).",
    409: "Refused: registration is closed or not open yet, or this email address is "
    "already registered (an RFC 7807 problem document with a `code`).",
    422: "The request is not valid: a malformed id or body, an unknown registration type, a "
    "required answer missing (an RFC 7807 problem document).",
    429: "Too many registrations from the caller's network address, or emails to the "
    "address, in the last hour; try again later (an RFC 7807 problem document with code "
    "`too_many`, and a Retry-After header).",
}


def problem_responses(*statuses: int) -> dict:
    """OpenAPI `responses` for errors, with their real media type application/problem+json."""
    content = {"application/problem+json": {"schema": RefusalProblem.model_json_schema()}}
    return {
        "responses": {
            status: {"description": _PROBLEMS[status], "content": content} for status in statuses
        }
    }
