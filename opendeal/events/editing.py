"""Staff editing of events, their registration types and their questions.

Each action checks that the actor may manage events, validates, saves in a transaction and
writes the audit trail. Problems are raised as `ValidationError`s keyed by the field they are
about (the same names the actions take), so a form can show each one beside its field.
Registrations themselves are made and changed by `services`.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from localflavor.gb.forms import GBPostcodeField

from opendeal.core import audit
from opendeal.core.editing import keeping_position, locked, save_audited, with_default_position
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import services
from .models import PLACE_HOLDING_STATUSES, Event, Question, Registration, RegistrationType

EVENT_FIELDS = frozenset(
    {
        "title",
        "kind",
        "summary",
        "description",
        "starts_at",
        "ends_at",
        "location",
        "venue_name",
        "venue_address",
        "venue_postcode",
        "online_url",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "confirmation_hours",
        "reminder_hours",
        "retention_days",
        "deal_theme",
        "fund_round",
        "is_published",
    }
)
REGISTRATION_TYPE_FIELDS = frozenset({"name", "position"})
QUESTION_FIELDS = frozenset({"text", "hint", "is_required", "position"})
INVALID_POSTCODE = "Enter a real postcode for the venue, like WN1 1AA"


def can_manage_events(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor, "events.manage_events", to="manage events", role_lacks="managing events"
    )


def _apply(
    instance: models.Model,
    fields: dict[str, Any],
    allowed: frozenset[str],
    check: Callable[[Any], None],
) -> list[str]:
    """Set the given fields, tidy and validate them with `check`; return the names of the
    fields whose value changed (compared after tidying)."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot set {', '.join(sorted(unknown))} on {type(instance).__name__}.")
    before = {name: getattr(instance, name, None) for name in fields}
    for name, value in fields.items():
        setattr(instance, name, value)
    check(instance)
    return sorted(name for name, value in before.items() if getattr(instance, name) != value)


# Events ---------------------------------------------------------------------------------------


def places_taken(event: Event) -> int:
    return event.registrations.filter(status__in=PLACE_HOLDING_STATUSES).count()


def _normalise_venue(event: Event) -> None:
    for name in ("title", "summary", "venue_name", "venue_address", "online_url"):
        setattr(event, name, (getattr(event, name) or "").strip())
    postcode = (event.venue_postcode or "").strip()
    if postcode:
        field = GBPostcodeField(error_messages={"invalid": INVALID_POSTCODE})
        try:
            postcode = field.clean(postcode)
        except ValidationError as error:
            raise ValidationError({"venue_postcode": error.messages}) from None
    event.venue_postcode = postcode


def _time_problems(event: Event) -> dict[str, str]:
    problems = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        problems["ends_at"] = "The event must end after it starts."
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        problems["registration_closes_at"] = "Registration must close after it opens."
    elif closes and event.ends_at and closes > event.ends_at:
        problems["registration_closes_at"] = "Registration must close before the event ends."
    return problems


def _venue_problems(event: Event) -> dict[str, str]:
    if event.online_url and not event.online_url.lower().startswith(("https://", "http://")):
        return {"online_url": "Enter a joining link that starts with https://"}
    in_directory = event.location_id is not None
    if in_directory and (event.venue_address or event.venue_postcode):
        return {
            "venue_address": "Leave the venue address empty when the venue is in the directory: "
            "its address comes from there."
        }
    if not event.venue_name and (event.venue_address or event.venue_postcode):
        return {"venue_name": "Enter the name of the venue as well as its address."}
    if not event.venue_name and not in_directory and not event.online_url:
        return {
            "venue_name": "Enter where the event is: a venue in the directory, the name of a "
            "venue, or an online joining link."
        }
    return {}


def _capacity_problems(event: Event) -> dict[str, str]:
    if event.pk is None or event.capacity is None:
        return {}
    taken = places_taken(event)
    if event.capacity < taken:
        counted = "1 place is" if taken == 1 else f"{taken} places are"
        return {
            "capacity": f"{counted} already taken, so the capacity cannot be less than {taken}."
            " Cancel registrations first if you need fewer places."
        }
    return {}


def _check_event(event: Event) -> None:
    _normalise_venue(event)
    errors = {**_time_problems(event), **_venue_problems(event), **_capacity_problems(event)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_event(actor: User, **fields: Any) -> Event:
    """A new event, unpublished unless `is_published` says otherwise."""
    require(can_manage_events(actor))
    event = Event(created_by=actor)
    _apply(event, fields, EVENT_FIELDS, _check_event)
    save_audited(actor, event, "events.event.created")
    return event


@transaction.atomic
def update_event(actor: User, event: Event, **fields: Any) -> Event:
    """Change an event. Its capacity can never go below the places already taken."""
    require(can_manage_events(actor))
    event = locked(event)
    previous_capacity = event.capacity
    changed = _apply(event, fields, EVENT_FIELDS, _check_event)
    save_audited(actor, event, "events.event.updated", changed)
    if event.capacity > previous_capacity:
        # More places: the waiting list moves up, in order, as when a place is freed.
        services.promote_waiting_list(event)
    return event


# Registration types ---------------------------------------------------------------------------


def _check_registration_type(registration_type: RegistrationType) -> None:
    registration_type.name = (registration_type.name or "").strip()
    clash = RegistrationType.objects.filter(
        event=registration_type.event_id, name__iexact=registration_type.name
    ).exclude(pk=registration_type.pk)
    if registration_type.name and clash.exists():
        raise ValidationError(
            {
                "name": f"This event already has a registration type called “{registration_type.name}”."
            }
        )


@transaction.atomic
def create_registration_type(actor: User, event: Event, **fields: Any) -> RegistrationType:
    require(can_manage_events(actor))
    registration_type = RegistrationType(event=event)
    siblings = event.registration_types.all()
    _apply(
        registration_type,
        with_default_position(fields, siblings),
        REGISTRATION_TYPE_FIELDS,
        _check_registration_type,
    )
    save_audited(actor, registration_type, "events.registration_type.created")
    return registration_type


@transaction.atomic
def update_registration_type(
    actor: User, registration_type: RegistrationType, **fields: Any
) -> RegistrationType:
    require(can_manage_events(actor))
    registration_type = locked(registration_type)
    changed = _apply(
        registration_type,
        keeping_position(fields),
        REGISTRATION_TYPE_FIELDS,
        _check_registration_type,
    )
    save_audited(actor, registration_type, "events.registration_type.updated", changed)
    return registration_type


def registration_type_deletion_blocker(registration_type: RegistrationType) -> str:
    """Why the type cannot be deleted, or "" when it can."""
    used = Registration.objects.filter(registration_type=registration_type).count()
    if used:
        counted = "1 person has" if used == 1 else f"{used} people have"
        return f"{counted} registered as “{registration_type.name}”, so it cannot be deleted."
    return ""


@transaction.atomic
def delete_registration_type(actor: User, registration_type: RegistrationType) -> None:
    """Delete a registration type nobody has registered with."""
    require(can_manage_events(actor))
    registration_type = locked(registration_type)
    reason = registration_type_deletion_blocker(registration_type)
    if reason:
        raise ValidationError(reason)
    audit.record(
        actor, "events.registration_type.deleted", registration_type, name=registration_type.name
    )
    registration_type.delete()


# Questions ------------------------------------------------------------------------------------


def _check_question(question: Question) -> None:
    question.text = (question.text or "").strip()
    question.hint = (question.hint or "").strip()


@transaction.atomic
def create_question(actor: User, event: Event, **fields: Any) -> Question:
    require(can_manage_events(actor))
    question = Question(event=event)
    siblings = event.questions.all()
    _apply(question, with_default_position(fields, siblings), QUESTION_FIELDS, _check_question)
    save_audited(actor, question, "events.question.created")
    return question


@transaction.atomic
def update_question(actor: User, question: Question, **fields: Any) -> Question:
    require(can_manage_events(actor))
    question = locked(question)
    changed = _apply(question, keeping_position(fields), QUESTION_FIELDS, _check_question)
    save_audited(actor, question, "events.question.updated", changed)
    return question


def question_deletion_blocker(question: Question) -> str:
    """Why the question cannot be deleted, or "" when it can: answers must stay readable."""
    answered = Registration.objects.filter(
        event=question.event_id, answers__has_key=str(question.public_id)
    ).count()
    if answered:
        counted = "1 person has" if answered == 1 else f"{answered} people have"
        return f"{counted} answered this question, so it cannot be deleted. Change its wording instead."
    return ""


@transaction.atomic
def delete_question(actor: User, question: Question) -> None:
    """Delete a question nobody has answered."""
    require(can_manage_events(actor))
    question = locked(question)
    reason = question_deletion_blocker(question)
    if reason:
        raise ValidationError(reason)
    audit.record(actor, "events.question.deleted", question, text=question.text)
    question.delete()
