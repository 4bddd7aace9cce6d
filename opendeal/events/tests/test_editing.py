"""Staff editing of events, registration types and questions, without HTTP."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.events import editing, services
from opendeal.events.models import Event, Question, Registration, RegistrationType
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act, statuses

START = datetime.datetime(2030, 6, 14, 17, 30, tzinfo=datetime.UTC)


def event_fields(**overrides) -> dict:
    fields = {
        "title": "Fund workshop",
        "kind": "workshop",
        "summary": "How to apply to the community fund.",
        "description": "",
        "starts_at": START,
        "ends_at": START + datetime.timedelta(hours=2),
        "venue_name": "Wigan Life Centre",
        "venue_address": "College Avenue",
        "venue_postcode": "wn1 1nj",
        "online_url": "",
        "capacity": 20,
        "registration_opens_at": START - datetime.timedelta(days=30),
        "registration_closes_at": START - datetime.timedelta(hours=1),
        "confirmation_hours": 48,
        "reminder_hours": 24,
        "retention_days": 30,
        "deal_theme": None,
        "is_published": True,
    }
    return {**fields, **overrides}


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


def problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_creating_an_event_saves_it_tidied_and_audits_it(officer):
    event = editing.create_event(officer, **event_fields(title="  Fund workshop "))

    saved = Event.objects.get()
    assert saved == event
    assert saved.title == "Fund workshop"
    assert saved.venue_postcode == "WN1 1NJ"
    assert saved.created_by == officer
    assert saved.starts_at == START
    audit = AuditEvent.objects.get(action="events.event.created")
    assert (audit.actor, audit.object_id) == (officer, str(event.public_id))


@pytest.mark.parametrize("roles", [(), (Role.RESIDENT,), (Role.PRACTITIONER,), (Role.ANALYST,)])
def test_only_people_who_manage_events_may_create_them(make_user, roles):
    with pytest.raises(PermissionDenied):
        editing.create_event(make_user(*roles), **event_fields())
    assert Event.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": START}, "ends_at", "The event must end after it starts."),
        (
            {"registration_closes_at": START - datetime.timedelta(days=31)},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        (
            {"registration_closes_at": START + datetime.timedelta(hours=3)},
            "registration_closes_at",
            "Registration must close before the event ends.",
        ),
        (
            {"venue_name": "", "venue_address": "", "venue_postcode": ""},
            "venue_name",
            "Enter where the event is: a venue in the directory, the name of a venue, or an "
            "online joining link.",
        ),
        ({"venue_name": ""}, "venue_name", "Enter the name of the venue as well as its address."),
        ({"venue_postcode": "NOT A CODE"}, "venue_postcode", editing.INVALID_POSTCODE),
        (
            {"online_url": "ftp://example.org/meeting"},
            "online_url",
            "Enter a joining link that starts with https://",
        ),
        ({"capacity": 0}, "capacity", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_an_event_that_does_not_make_sense_is_refused_beside_the_field(
    officer, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        editing.create_event(officer, **event_fields(**overrides))

    assert problems(refused.value)[field] == [message]
    assert Event.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_online_only_event_needs_no_venue(officer):
    event = editing.create_event(
        officer,
        **event_fields(
            venue_name="",
            venue_address="",
            venue_postcode="",
            online_url="https://meet.example.org/abc",
        ),
    )
    assert event.is_online


def test_updating_an_event_records_which_fields_changed(officer):
    event = editing.create_event(officer, **event_fields())

    editing.update_event(officer, event, **event_fields(title="Fund workshop 2", capacity=25))

    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Fund workshop 2", 25)
    audit = AuditEvent.objects.get(action="events.event.updated")
    assert audit.details == {"fields": ["capacity", "title"]}


def test_the_capacity_cannot_go_below_the_places_taken(officer):
    event = make_event(capacity=3)
    for number in range(3):
        services.register(event, name=f"Person {number}", email=f"p{number}@example.org")

    with pytest.raises(ValidationError) as refused:
        editing.update_event(officer, event, capacity=2)

    assert problems(refused.value)["capacity"] == [
        "3 places are already taken, so the capacity cannot be less than 3. "
        "Cancel registrations first if you need fewer places."
    ]
    event.refresh_from_db()
    assert event.capacity == 3


def test_more_places_move_the_waiting_list_up_in_order(officer, make_user):
    event = make_event(capacity=1)
    people = [make_user(Role.RESIDENT, email=f"waiting{n}@example.org") for n in range(4)]
    for person in people:
        act(services.register, event, name="Someone", email=person.email, user=person)
    assert list(statuses(event).values()) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]

    act(editing.update_event, officer, event, capacity=3)

    assert statuses(event) == {
        "waiting0@example.org": "confirmed",
        "waiting1@example.org": "confirmed",
        "waiting2@example.org": "confirmed",
        "waiting3@example.org": "waitlisted",
    }


# Registration types and questions -------------------------------------------------------------


def test_registration_types_go_at_the_end_and_their_names_are_unique_per_event(officer):
    event = make_event(registration_types=["Resident"])

    professional = editing.create_registration_type(officer, event, name="Professional")
    assert professional.position == 1

    with pytest.raises(ValidationError) as refused:
        editing.create_registration_type(officer, event, name="resident")
    assert problems(refused.value)["name"] == [
        "This event already has a registration type called “resident”."
    ]
    other_event = make_event(registration_types=[])
    assert editing.create_registration_type(officer, other_event, name="Resident").position == 0
    assert RegistrationType.objects.filter(event=event).count() == 2


def test_a_registration_type_someone_registered_with_cannot_be_deleted(officer):
    event = make_event(registration_types=["Resident", "Professional"])
    resident_type, professional = event.registration_types.all()
    services.register(event, name="Sam", email="sam@example.org", registration_type=resident_type)

    assert editing.registration_type_deletion_blocker(resident_type) == (
        "1 person has registered as “Resident”, so it cannot be deleted."
    )
    with pytest.raises(ValidationError):
        editing.delete_registration_type(officer, resident_type)
    editing.delete_registration_type(officer, professional)

    assert list(event.registration_types.values_list("name", flat=True)) == ["Resident"]
    assert AuditEvent.objects.filter(action="events.registration_type.deleted").count() == 1


def test_questions_are_created_edited_and_deleted_until_someone_answers(officer):
    event = make_event(questions=[])
    access = editing.create_question(
        officer, event, text=" Access needs ", hint="", is_required=False, position=None
    )
    dietary = editing.create_question(
        officer, event, text="Dietary needs", hint="", is_required=True, position=None
    )
    assert (access.text, access.position, dietary.position) == ("Access needs", 0, 1)

    editing.update_question(officer, dietary, text="Dietary needs", hint="Or none", position=None)
    dietary.refresh_from_db()
    assert (dietary.hint, dietary.position) == ("Or none", 1)

    services.register(
        event, name="Sam", email="sam@example.org", answers={str(dietary.public_id): "Vegan"}
    )
    assert editing.question_deletion_blocker(dietary) == (
        "1 person has answered this question, so it cannot be deleted. Change its wording instead."
    )
    with pytest.raises(ValidationError):
        editing.delete_question(officer, dietary)
    editing.delete_question(officer, access)

    assert list(Question.objects.values_list("text", flat=True)) == ["Dietary needs"]
    assert Registration.objects.get().answers == {str(dietary.public_id): "Vegan"}


def test_people_without_the_permission_cannot_change_types_or_questions(make_user):
    event = make_event()
    practitioner = make_user(Role.PRACTITIONER)
    question = event.questions.get()

    with pytest.raises(PermissionDenied):
        editing.create_registration_type(practitioner, event, name="Press")
    with pytest.raises(PermissionDenied):
        editing.update_question(practitioner, question, text="Changed")
    with pytest.raises(PermissionDenied):
        editing.delete_question(practitioner, question)

    assert event.registration_types.count() == 2
    question.refresh_from_db()
    assert question.text == "Access needs"
