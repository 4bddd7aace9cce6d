"""Every change to a person's record: one action each. Each checks that the actor may work with
the person, validates (raising `ValidationError`s keyed by the field they are about, so a form
shows each beside its field), saves in a transaction and writes the audit trail, naming ids and
field names only. Nothing here takes a request."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from opendeal.core.models import User
from opendeal.directory.models import Service, TaxonomyTerm
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

from . import access
from .models import (
    AgreedAction,
    Connection,
    ConnectionStatus,
    Conversation,
    HeardNeed,
    Ons4Response,
    Person,
    PersonShare,
    Relationship,
    SupportPackage,
    SwemwbsResponse,
    Team,
)
from .scoring import score_swemwbs
from .validation import clean_nhs_number, clean_uk_phone, not_in_future

PERSON_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "address",
        "postcode",
        "phone",
        "email",
        "nhs_number",
        "lawful_basis",
        "special_category_condition",
        "consent_recorded_on",
        "consents_to_sharing",
        "consent_notes",
        "strengths",
        "gifts",
        "interests",
        "what_matters",
    }
)
RELATIONSHIP_FIELDS = frozenset(
    {"name", "kind", "relationship", "phone", "email", "notes", "is_main_contact"}
)
CONVERSATION_FIELDS = frozenset(
    {
        "kind",
        "method",
        "held_on",
        "strengths_heard",
        "people_heard",
        "what_matters_heard",
        "needs_heard",
        "notes",
        "outcome",
        "follow_up_on",
    }
)
PACKAGE_FIELDS = frozenset(
    {"kind", "setting", "description", "provider", "weekly_cost", "starts_on", "ends_on"}
)


# Who may change what ---------------------------------------------------------------------------


def can_work_with(actor: User, person: Person) -> tuple[bool, str]:
    if not actor.is_authenticated:
        return False, "Sign in to work with people's records."
    if not access.visible_people(actor).filter(pk=person.pk).exists():
        return False, "This person is not allocated to your team or shared with you."
    return True, ""


def can_manage(actor: User, person: Person) -> tuple[bool, str]:
    if not access.managed_people(actor).filter(pk=person.pk).exists():
        return False, "Only a manager of this person's team can do this."
    return True, ""


def _require(check: tuple[bool, str]) -> None:
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def _check_fields(fields: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot set {', '.join(sorted(unknown))} on a {what}.")


def _apply(instance: models.Model, fields: dict[str, Any]) -> list[str]:
    """Set the fields; return the names of those whose value changed."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name, value in fields.items():
        setattr(instance, name, value)
    return sorted(changed)


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }


def _collect(errors: dict[str, list[str]], field: str, check, value):
    """Run one field's check, collecting its error; return the cleaned value."""
    try:
        return check(value)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return value


def _email(value: str) -> str:
    value = (value or "").strip().lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            ) from None
    return value


def _past(what: str):
    def check(day):
        not_in_future(day, what)
        return day

    return check


# People -----------------------------------------------------------------------------------------


def _clean_person(person: Person) -> None:
    """Tidy and check a person's fields in place, and place their postcode."""
    errors: dict[str, list[str]] = {}
    person.nhs_number = _collect(errors, "nhs_number", clean_nhs_number, person.nhs_number)
    person.phone = _collect(errors, "phone", clean_uk_phone, person.phone)
    person.email = _collect(errors, "email", _email, person.email)
    _collect(errors, "date_of_birth", _past("Date of birth"), person.date_of_birth)
    _collect(
        errors,
        "consent_recorded_on",
        _past("The date consent was recorded"),
        person.consent_recorded_on,
    )
    if not person.given_name and not person.family_name:
        errors.setdefault("given_name", []).append("Enter the person’s name")
    postcode = (person.postcode or "").strip()
    person.lsoa21_code = person.ward_code = ""
    if postcode:
        try:
            place = locate_postcode(postcode)
        except InvalidPostcode as error:
            errors.setdefault("postcode", []).append(str(error))
        except UnknownPostcode as unknown:
            # A real postcode we cannot place: keep it; the neighbourhood stays unknown.
            person.postcode = unknown.postcode
        else:
            person.postcode = place.postcode
            person.lsoa21_code, person.ward_code = place.lsoa21_code, place.ward_code
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["team"])


def create_person(actor: User, team: Team, **fields: Any) -> Person:
    """Start a record for someone, allocated to one of the actor's teams."""
    _check_fields(fields, PERSON_FIELDS, "person")
    if not access.teams_of(actor).filter(pk=team.pk).exists():
        raise PermissionDenied("You can add people only to your own teams.")
    person = Person(team=team, **_strip(fields))
    _clean_person(person)
    with transaction.atomic():
        person.save()
        access.record(actor, "care.person.created", person, team=str(team.public_id))
    return person


def update_person(actor: User, person: Person, **fields: Any) -> Person:
    _check_fields(fields, PERSON_FIELDS, "person")
    _require(can_work_with(actor, person))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = _apply(person, _strip(fields))
        _clean_person(person)
        person.save()
        access.record(actor, "care.person.updated", person, fields=changed)
    return person


def share_person(actor: User, person: Person, user: User) -> PersonShare:
    """Let one more practitioner see the person's record (a manager of their team decides)."""
    _require(can_manage(actor, person))
    if not user.has_perm(access.WORK_WITH_PEOPLE):
        raise ValidationError({"user": "Share records only with practitioners and team managers"})
    with transaction.atomic():
        share, _ = PersonShare.objects.get_or_create(
            person=person, user=user, defaults={"shared_by": actor}
        )
        access.record(actor, "care.person.shared", person, shared_with=str(user.public_id))
    return share


def unshare_person(actor: User, person: Person, user: User) -> None:
    _require(can_manage(actor, person))
    with transaction.atomic():
        PersonShare.objects.filter(person=person, user=user).delete()
        access.record(actor, "care.person.unshared", person, shared_with=str(user.public_id))


def close_person(actor: User, person: Person, closed_on: datetime.date) -> Person:
    """Close the record (no more contact expected): the retention period starts."""
    _require(can_manage(actor, person))
    not_in_future_field(closed_on, "closed_on", "The date the record was closed")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.closed_on = closed_on
        person.save(update_fields=["closed_on"])
        access.record(actor, "care.person.closed", person)
    return person


def reopen_person(actor: User, person: Person) -> Person:
    _require(can_manage(actor, person))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.closed_on = None
        person.save(update_fields=["closed_on"])
        access.record(actor, "care.person.reopened", person)
    return person


def not_in_future_field(day: datetime.date | None, field: str, what: str) -> None:
    try:
        not_in_future(day, what)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


# The people around them ---------------------------------------------------------------------------


def _clean_relationship(relationship: Relationship) -> None:
    errors: dict[str, list[str]] = {}
    relationship.phone = _collect(errors, "phone", clean_uk_phone, relationship.phone)
    relationship.email = _collect(errors, "email", _email, relationship.email)
    if not relationship.name:
        errors.setdefault("name", []).append("Enter their name")
    if errors:
        raise ValidationError(errors)
    relationship.full_clean(exclude=["person"])


def add_relationship(actor: User, person: Person, **fields: Any) -> Relationship:
    _check_fields(fields, RELATIONSHIP_FIELDS, "relationship")
    _require(can_work_with(actor, person))
    relationship = Relationship(person=person, **_strip(fields))
    _clean_relationship(relationship)
    with transaction.atomic():
        relationship.save()
        access.record(
            actor, "care.relationship.added", person, relationship=str(relationship.public_id)
        )
    return relationship


def update_relationship(actor: User, relationship: Relationship, **fields: Any) -> Relationship:
    _check_fields(fields, RELATIONSHIP_FIELDS, "relationship")
    person = relationship.person
    _require(can_work_with(actor, person))
    with transaction.atomic():
        relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
        changed = _apply(relationship, _strip(fields))
        _clean_relationship(relationship)
        relationship.save()
        access.record(
            actor,
            "care.relationship.updated",
            person,
            relationship=str(relationship.public_id),
            fields=changed,
        )
    return relationship


def remove_relationship(actor: User, relationship: Relationship) -> None:
    person = relationship.person
    _require(can_work_with(actor, person))
    with transaction.atomic():
        public_id = str(relationship.public_id)
        relationship.delete()
        access.record(actor, "care.relationship.removed", person, relationship=public_id)


# Conversations ---------------------------------------------------------------------------------


def record_conversation(
    actor: User,
    person: Person,
    *,
    needs: Iterable[TaxonomyTerm] = (),
    interests: Iterable[TaxonomyTerm] = (),
    follows_up: Conversation | None = None,
    **fields: Any,
) -> Conversation:
    """Record a conversation held with the person, with the needs and interests heard as
    directory taxonomy terms. The team and neighbourhood are the person's on the day."""
    _check_fields(fields, CONVERSATION_FIELDS, "conversation")
    _require(can_work_with(actor, person))
    if follows_up is not None and follows_up.person_id != person.pk:
        raise ValidationError({"follows_up": "Follow up one of this person’s conversations"})
    conversation = Conversation(
        person=person,
        team=person.team,
        practitioner=actor,
        follows_up=follows_up,
        lsoa21_code=person.lsoa21_code,
        ward_code=person.ward_code,
        **_strip(fields),
    )
    not_in_future_field(conversation.held_on, "held_on", "The date of the conversation")
    if (
        conversation.follow_up_on
        and conversation.held_on
        and (conversation.follow_up_on < conversation.held_on)
    ):
        raise ValidationError({"follow_up_on": "The follow-up must be after the conversation"})
    conversation.full_clean(exclude=["person", "team", "practitioner", "follows_up"])
    with transaction.atomic():
        conversation.save()
        heard = [
            HeardNeed(
                conversation=conversation,
                person=person,
                taxonomy_term=term,
                kind=kind,
                heard_on=conversation.held_on,
                lsoa21_code=conversation.lsoa21_code,
                ward_code=conversation.ward_code,
            )
            for kind, terms in ((HeardNeed.Kind.NEED, needs), (HeardNeed.Kind.INTEREST, interests))
            for term in dict.fromkeys(terms)
        ]
        HeardNeed.objects.bulk_create(heard)
        access.record(
            actor,
            "care.conversation.recorded",
            person,
            conversation=str(conversation.public_id),
            needs=[str(item.taxonomy_term_id) for item in heard if item.kind == "need"],
            interests=[str(item.taxonomy_term_id) for item in heard if item.kind == "interest"],
        )
    return conversation


def add_action(
    actor: User, conversation: Conversation, *, description: str, owner: str, due_on: datetime.date
) -> AgreedAction:
    _require(can_work_with(actor, conversation.person))
    action = AgreedAction(
        conversation=conversation,
        description=(description or "").strip(),
        owner=(owner or "").strip(),
        due_on=due_on,
    )
    action.full_clean(exclude=["conversation"])
    with transaction.atomic():
        action.save()
        access.record(
            actor,
            "care.action.agreed",
            conversation.person,
            conversation=str(conversation.public_id),
            agreed_action=str(action.public_id),
        )
    return action


def complete_action(actor: User, action: AgreedAction, done_on: datetime.date) -> AgreedAction:
    person = action.conversation.person
    _require(can_work_with(actor, person))
    not_in_future_field(done_on, "done_on", "The date it was done")
    with transaction.atomic():
        action = AgreedAction.objects.select_for_update().get(pk=action.pk)
        action.done_on = done_on
        action.save(update_fields=["done_on"])
        access.record(actor, "care.action.done", person, agreed_action=str(action.public_id))
    return action


# Connections to community services ---------------------------------------------------------------


def connect_to_service(
    actor: User, conversation: Conversation, service: Service, notes: str = ""
) -> Connection:
    """Connect the person to a directory service from inside a conversation ("suggested")."""
    person = conversation.person
    _require(can_work_with(actor, person))
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": "Connect people only to services that are running"})
    today = timezone.localdate()
    with transaction.atomic():
        connection = Connection.objects.create(
            person=person,
            conversation=conversation,
            service=service,
            made_on=today,
            status_changed_on=today,
            made_by=actor,
            notes=(notes or "").strip(),
        )
        access.record(
            actor,
            "care.connection.made",
            person,
            connection=str(connection.public_id),
            service=str(service.id),
        )
    return connection


def change_connection_status(
    actor: User, connection: Connection, status: str, on: datetime.date
) -> Connection:
    person = connection.person
    _require(can_work_with(actor, person))
    if status not in ConnectionStatus.values:
        raise ValidationError({"status": "Choose one of the statuses"})
    not_in_future_field(on, "on", "The date of the change")
    if on < connection.made_on:
        raise ValidationError({"on": "The change cannot be before the connection was made"})
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        connection.status = status
        connection.status_changed_on = on
        if status == ConnectionStatus.ATTENDED and connection.first_attended_on is None:
            connection.first_attended_on = on
        connection.save(update_fields=["status", "status_changed_on", "first_attended_on"])
        access.record(
            actor,
            "care.connection.status_changed",
            person,
            connection=str(connection.public_id),
            status=status,
        )
    return connection


# Formal support ---------------------------------------------------------------------------------


def _clean_package(package: SupportPackage) -> None:
    errors: dict[str, list[str]] = {}
    try:
        cost = Decimal(package.weekly_cost)
    except (InvalidOperation, TypeError, ValueError):
        errors["weekly_cost"] = ["Enter the weekly cost in pounds, like 245.50"]
    else:
        if cost < 0 or cost != cost.quantize(Decimal("0.01")):
            errors["weekly_cost"] = ["Enter the weekly cost in pounds and pence, like 245.50"]
    if package.ends_on and package.starts_on and package.ends_on < package.starts_on:
        errors["ends_on"] = ["The package must end on or after the day it starts"]
    if errors:
        raise ValidationError(errors)
    package.full_clean(exclude=["person", "team", "conversation", "created_by"])


def add_package(
    actor: User, person: Person, conversation: Conversation | None = None, **fields: Any
) -> SupportPackage:
    """Arrange formal care: reablement or a long-term package, with its weekly cost."""
    _check_fields(fields, PACKAGE_FIELDS, "package")
    _require(can_work_with(actor, person))
    package = SupportPackage(
        person=person,
        team=person.team,
        conversation=conversation,
        created_by=actor,
        **_strip(fields),
    )
    _clean_package(package)
    with transaction.atomic():
        package.save()
        access.record(actor, "care.package.added", person, package=str(package.public_id))
    return package


def update_package(actor: User, package: SupportPackage, **fields: Any) -> SupportPackage:
    _check_fields(fields, PACKAGE_FIELDS, "package")
    person = package.person
    _require(can_work_with(actor, person))
    with transaction.atomic():
        package = SupportPackage.objects.select_for_update().get(pk=package.pk)
        changed = _apply(package, _strip(fields))
        _clean_package(package)
        package.save()
        access.record(
            actor,
            "care.package.updated",
            person,
            package=str(package.public_id),
            fields=changed,
        )
    return package


# Wellbeing ---------------------------------------------------------------------------------------


def record_swemwbs(
    actor: User,
    person: Person,
    recorded_on: datetime.date,
    answers: dict[str, int | None],
    conversation: Conversation | None = None,
) -> SwemwbsResponse:
    """Keep a complete SWEMWBS response with its scores; refuse an incomplete one."""
    _require(can_work_with(actor, person))
    not_in_future_field(recorded_on, "recorded_on", "The date it was answered")
    score = score_swemwbs(answers)
    with transaction.atomic():
        response = SwemwbsResponse.objects.create(
            person=person,
            conversation=conversation,
            recorded_on=recorded_on,
            raw_score=score.raw,
            metric_score=score.metric,
            recorded_by=actor,
            **{name: answers[name] for name in SwemwbsResponse.ITEMS},
        )
        access.record(actor, "care.swemwbs.recorded", person, response=str(response.public_id))
    return response


def record_ons4(
    actor: User,
    person: Person,
    recorded_on: datetime.date,
    answers: dict[str, int | None],
    conversation: Conversation | None = None,
) -> Ons4Response:
    _require(can_work_with(actor, person))
    not_in_future_field(recorded_on, "recorded_on", "The date it was answered")
    errors = {
        name: "Answer from 0 to 10"
        for name in Ons4Response.ITEMS
        if not isinstance(answers.get(name), int) or not 0 <= answers[name] <= 10
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        response = Ons4Response.objects.create(
            person=person,
            conversation=conversation,
            recorded_on=recorded_on,
            recorded_by=actor,
            **{name: answers[name] for name in Ons4Response.ITEMS},
        )
        access.record(actor, "care.ons4.recorded", person, response=str(response.public_id))
    return response
