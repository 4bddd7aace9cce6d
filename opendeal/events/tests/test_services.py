"""The registration rules, called directly: registering, confirming, cancelling, the waiting
list and its promotions, attendance, and the figures the staff pages show."""

import datetime
import time
import uuid

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from opendeal.core.mail import EmailNotSent
from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.events import selectors, services
from opendeal.events.emails import send_registration_email
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.services import InvalidLink, RegistrationRefused
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act, held, sent_to, statuses, token_in

pytestmark = pytest.mark.django_db

PENDING = RegistrationStatus.PENDING_CONFIRMATION
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
EXPIRED = RegistrationStatus.EXPIRED


def register(event, email, **kwargs) -> services.RegistrationResult:
    kwargs.setdefault("name", f"Person {email.split('@')[0]}")
    return act(services.register, event, email=email, **kwargs)


def fill(event, count: int, prefix: str = "holder") -> list[Registration]:
    return [register(event, f"{prefix}{n}@example.org").registration for n in range(count)]


def confirm_address(email: str) -> Registration:
    [message] = [m for m in sent_to(email) if "/events/confirm/" in m.body]
    return act(services.confirm_registration, token_in(message, "confirm"))


def unchanged(event, before: dict[str, str]) -> None:
    assert statuses(event) == before


# Registering with an email address


def test_an_email_registration_holds_a_place_pending_confirmation_and_sends_the_link():
    event = make_event(confirmation_hours=48)
    before = timezone.now()

    result = register(event, "  Sam.Jones@Example.ORG ", name=" Sam Jones ")

    registration = Registration.objects.get()
    assert result == services.RegistrationResult(registration, None)
    assert (registration.name, registration.email) == ("Sam Jones", "sam.jones@example.org")
    assert registration.status == PENDING
    assert registration.user is None
    assert registration.confirmed_at is None
    assert before <= registration.registered_at <= timezone.now()
    assert registration.confirm_by == registration.registered_at + datetime.timedelta(hours=48)
    assert services.places_left(event) == 9

    [message] = mail.outbox
    assert message.to == ["sam.jones@example.org"]
    assert message.subject == f"Confirm your place at {event.title}"
    assert message.attachments == []
    assert services.read_registration_token(token_in(message, "confirm"), "confirm") == registration
    assert services.read_registration_token(token_in(message, "cancel"), "cancel") == registration
    assert "sam.jones" not in message.body.split("/events/")[1]  # no address in links
    [entry] = AuditEvent.objects.all()
    assert entry.action == "events.registration.created"
    assert entry.object_id == str(registration.public_id)
    assert entry.details == {
        "event": str(event.public_id),
        "status": "pending_confirmation",
        "with_account": False,
    }


def test_confirm_by_is_never_after_the_start():
    event = make_event(
        starts_at=timezone.now() + datetime.timedelta(hours=5),
        registration_closes_at=timezone.now() + datetime.timedelta(hours=4),
        confirmation_hours=48,
    )
    registration = register(event, "sam@example.org").registration
    assert registration.confirm_by == event.starts_at


def test_answers_and_type_are_kept_trimmed_and_blank_answers_are_left_out():
    event = make_event(questions=[("Access needs", False), ("Dietary needs", False)])
    access, dietary = event.questions.all()
    community = event.registration_types.get(name="Community organisation")

    register(
        event,
        "sam@example.org",
        registration_type=community,
        answers={str(access.public_id): "  Step-free access ", str(dietary.public_id): "  "},
    )

    registration = Registration.objects.get()
    assert registration.registration_type == community
    assert registration.answers == {str(access.public_id): "Step-free access"}


# Registering with an account


def test_an_account_registration_is_confirmed_at_once_with_a_calendar_file(make_user):
    user = make_user(Role.RESIDENT, email="robin@example.org", full_name="Robin Hill")
    event = make_event()

    result = register(event, "someone.else@example.org", name="", user=user)

    registration = result.registration
    assert (registration.name, registration.email, registration.user) == (
        "Robin Hill",
        "robin@example.org",
        user,
    )
    assert registration.status == CONFIRMED
    assert registration.confirmed_at == registration.registered_at
    assert registration.confirm_by is None
    assert result.waitlist_position is None
    [message] = mail.outbox
    assert message.to == ["robin@example.org"]
    assert message.subject == f"Your place at {event.title} is confirmed"
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("event.ics", "text/calendar")
    [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["uid"]).startswith(f"registration-{registration.public_id}@")
    assert services.read_registration_token(token_in(message, "cancel"), "cancel") == registration
    assert services.read_registration_token(token_in(message, "calendar"), "calendar") == (
        registration
    )


# The waiting list


def test_when_full_people_join_the_waiting_list_in_order():
    event = make_event(capacity=2)
    fill(event, 2)

    first = register(event, "wait1@example.org")
    second = register(event, "wait2@example.org")

    assert (first.registration.status, first.waitlist_position) == (WAITLISTED, 1)
    assert (second.registration.status, second.waitlist_position) == (WAITLISTED, 2)
    assert services.waitlist_position(second.registration) == 2
    assert services.places_left(event) == 0
    assert first.registration.confirm_by is not None  # an address to confirm in time
    [message] = sent_to("wait2@example.org")
    assert message.subject == f"Confirm your email address for the {event.title} waiting list"
    assert "you are number 2 on the waiting list" in message.body
    token_in(message, "confirm")
    token_in(message, "cancel")


def test_an_account_holder_on_the_waiting_list_is_told_their_position(make_user):
    event = make_event(capacity=1)
    fill(event, 1)
    user = make_user(Role.RESIDENT, email="robin@example.org")

    result = register(event, "", name="Robin", user=user)

    assert (result.registration.status, result.waitlist_position) == (WAITLISTED, 1)
    assert result.registration.confirmed_at is not None  # the account's address is known
    [message] = sent_to("robin@example.org")
    assert message.subject == f"You are on the waiting list for {event.title}"
    assert "You are number 1 on the waiting list" in message.body


def test_a_cancelled_place_goes_to_the_first_person_on_the_waiting_list():
    event = make_event(capacity=2)
    holders = fill(event, 2)
    for n in range(3):
        register(event, f"wait{n}@example.org")
    for n in range(3):
        confirm_address(f"wait{n}@example.org")
    cancel_message = sent_to("holder0@example.org")[0]
    mail.outbox.clear()

    cancelled = act(services.cancel_registration, token_in(cancel_message, "cancel"))

    assert cancelled.status == CANCELLED
    assert cancelled.cancelled_at is not None
    assert statuses(event) == {
        "holder0@example.org": CANCELLED,
        "holder1@example.org": PENDING,
        "wait0@example.org": CONFIRMED,
        "wait1@example.org": WAITLISTED,
        "wait2@example.org": WAITLISTED,
    }
    promoted = Registration.objects.get(email="wait0@example.org")
    assert promoted.promoted_at is not None
    assert [
        (registration.email, services.waitlist_position(registration))
        for registration in Registration.objects.filter(status=WAITLISTED)
    ] == [("wait1@example.org", 1), ("wait2@example.org", 2)]
    assert held(event) == 2
    assert holders[0].pk == cancelled.pk
    # The promoted person is told, with a cancel link and the calendar file.
    [message] = sent_to("wait0@example.org")
    assert message.subject == f"A place has come up for you at {event.title}"
    assert services.read_registration_token(token_in(message, "cancel"), "cancel") == promoted
    assert [name for name, _, _ in message.attachments] == ["event.ics"]
    [confirmation] = sent_to("holder0@example.org")
    assert confirmation.subject == f"Your registration for {event.title} is cancelled"
    assert AuditEvent.objects.filter(action="events.registration.promoted").count() == 1


def test_a_freed_place_goes_to_the_head_of_the_list_even_before_they_confirm_their_address():
    # The audit's case: A holds the only place, B waits (both by email only), A cancels, and
    # C registers later. The place is B's, held for B to confirm; C waits behind.
    event = make_event(capacity=1, confirmation_hours=48)
    a = register(event, "a@example.org").registration
    b = register(event, "b@example.org").registration
    a_cancels = token_in(sent_to("a@example.org")[0], "cancel")
    mail.outbox.clear()
    before = timezone.now()

    act(services.cancel_registration, a_cancels)

    b.refresh_from_db()
    assert b.status == PENDING
    assert b.promoted_at is not None and b.confirmed_at is None
    # A fresh deadline to confirm by, counted from the promotion, not from registering.
    assert b.confirm_by == b.promoted_at + datetime.timedelta(hours=48)
    assert b.promoted_at >= before
    assert services.places_left(event) == 0
    [message] = sent_to("b@example.org")
    assert message.subject == (
        f"A place has come up for you at {event.title}: confirm it to keep it"
    )
    deadline = timezone.localtime(b.confirm_by)
    assert f"If you do not confirm by {deadline:%A %-d %B %Y, %H:%M}" in message.body
    assert message.attachments == []  # the calendar file comes once the place is confirmed
    assert services.read_registration_token(token_in(message, "cancel"), "cancel") == b
    promoted = AuditEvent.objects.get(action="events.registration.promoted")
    assert promoted.details == {"status": PENDING}

    c = register(event, "c@example.org")

    assert (c.registration.status, c.waitlist_position) == (WAITLISTED, 1)
    assert statuses(event) == {
        "a@example.org": CANCELLED,
        "b@example.org": PENDING,
        "c@example.org": WAITLISTED,
    }

    # B confirms from the new email's link: the place is confirmed, with the calendar file.
    confirmed = act(services.confirm_registration, token_in(message, "confirm"))

    assert (confirmed.status, confirmed.confirm_by) == (CONFIRMED, None)
    assert sent_to("b@example.org")[-1].subject == f"Your place at {event.title} is confirmed"
    assert services.waitlist_position(Registration.objects.get(pk=c.registration.pk)) == 1
    assert a.sequence < b.sequence < c.registration.sequence


def test_a_promoted_place_not_confirmed_in_time_lapses_and_passes_on_in_order():
    event = make_event(capacity=1, confirmation_hours=24)
    fill(event, 1)
    register(event, "first@example.org")
    register(event, "second@example.org")
    confirm_address("second@example.org")
    act(services.cancel_registration, token_in(sent_to("holder0@example.org")[0], "cancel"))
    first = Registration.objects.get(email="first@example.org")
    assert first.status == PENDING

    # Not before the fresh deadline; at it, the place passes to the next in line.
    assert act(services.release_expired, first.confirm_by - datetime.timedelta(seconds=1)) == 0
    assert act(services.release_expired, first.confirm_by) == 1

    assert statuses(event) == {
        "holder0@example.org": CANCELLED,
        "first@example.org": EXPIRED,
        "second@example.org": CONFIRMED,
    }
    assert sent_to("first@example.org")[-1].subject == (
        f"Your registration for {event.title} has lapsed"
    )
    assert sent_to("second@example.org")[-1].subject == (
        f"A place has come up for you at {event.title}"
    )


def test_confirming_an_address_while_waiting_keeps_the_position_in_the_queue():
    event = make_event(capacity=1)
    fill(event, 1)
    for name in ("first", "second", "third"):
        register(event, f"{name}@example.org")

    second = confirm_address("second@example.org")

    # Confirming does not move anyone: still second, and nobody was promoted.
    assert (second.status, services.waitlist_position(second)) == (WAITLISTED, 2)
    assert second.confirmed_at is not None and second.confirm_by is None
    assert [
        (registration.email, services.waitlist_position(registration))
        for registration in Registration.objects.filter(event=event, status=WAITLISTED)
    ] == [("first@example.org", 1), ("second@example.org", 2), ("third@example.org", 3)]
    assert not AuditEvent.objects.filter(action="events.registration.promoted").exists()

    # The next place goes to the first in line, unconfirmed as they are, not to the second.
    act(services.cancel_registration, token_in(sent_to("holder0@example.org")[0], "cancel"))

    assert statuses(event) == {
        "holder0@example.org": CANCELLED,
        "first@example.org": PENDING,
        "second@example.org": WAITLISTED,
        "third@example.org": WAITLISTED,
    }
    assert services.waitlist_position(Registration.objects.get(email="second@example.org")) == 1


def test_confirming_an_address_while_a_place_stands_free_promotes_in_order():
    # A place free while people wait (one freed before this rule, say): confirming an address
    # hands it on in arrival order, so to the first in line rather than to whoever confirmed.
    event = make_event(capacity=1)
    fill(event, 1)
    register(event, "first@example.org")
    register(event, "second@example.org")
    Registration.objects.filter(email="holder0@example.org").update(status=CANCELLED)

    second = confirm_address("second@example.org")

    assert (second.status, services.waitlist_position(second)) == (WAITLISTED, 1)
    assert Registration.objects.get(email="first@example.org").status == PENDING


def test_confirming_an_address_first_in_line_while_a_place_stands_free_promotes_at_once():
    event = make_event(capacity=1)
    fill(event, 1)
    register(event, "late@example.org")
    Registration.objects.filter(email="holder0@example.org").update(status=CANCELLED)

    registration = confirm_address("late@example.org")

    assert registration.status == CONFIRMED
    assert registration.promoted_at is not None
    assert sent_to("late@example.org")[-1].subject == (
        f"A place has come up for you at {event.title}"
    )


def test_a_newcomer_never_takes_a_free_place_while_anyone_waits():
    event = make_event(capacity=1)
    fill(event, 1)
    register(event, "waiting@example.org")
    # A place left free while someone waits, as the audit found after a cancellation.
    Registration.objects.filter(email="holder0@example.org").update(status=CANCELLED)

    newcomer = register(event, "new@example.org")

    assert (newcomer.registration.status, newcomer.waitlist_position) == (WAITLISTED, 1)
    assert Registration.objects.get(email="waiting@example.org").status == PENDING
    assert services.places_left(event) == 0


def test_several_promotions_follow_arrival_order_confirmed_or_not(make_user):
    event = make_event(capacity=3)
    holders = fill(event, 3)
    robin = make_user(Role.RESIDENT, email="robin@example.org")
    kim = make_user(Role.RESIDENT, email="kim@example.org")
    register(event, "u1@example.org")  # address not confirmed
    register(event, "", user=robin)  # an account: confirmed
    register(event, "u3@example.org")  # address not confirmed
    register(event, "", user=kim)
    register(event, "u5@example.org")
    confirm_address("u5@example.org")  # confirmed, but last in line

    cancels = [token_in(sent_to(holder.email)[0], "cancel") for holder in holders]
    for token in cancels[:2]:
        act(services.cancel_registration, token)

    assert statuses(event) == {
        "holder0@example.org": CANCELLED,
        "holder1@example.org": CANCELLED,
        "holder2@example.org": PENDING,
        "u1@example.org": PENDING,
        "robin@example.org": CONFIRMED,
        "u3@example.org": WAITLISTED,
        "kim@example.org": WAITLISTED,
        "u5@example.org": WAITLISTED,
    }
    assert sent_to("robin@example.org")[-1].subject == (
        f"A place has come up for you at {event.title}"
    )

    # More capacity: the next two in line, whatever their addresses' state.
    event.capacity = 5
    event.save(update_fields=["capacity"])
    promoted = act(services.promote_waiting_list, event)

    assert [(r.email, r.status) for r in promoted] == [
        ("u3@example.org", PENDING),
        ("kim@example.org", CONFIRMED),
    ]
    act(services.cancel_registration, cancels[2])
    assert Registration.objects.get(email="u5@example.org").status == CONFIRMED
    assert [
        r.email
        for r in Registration.objects.filter(event=event, promoted_at__isnull=False).order_by(
            "promoted_at", "sequence"
        )
    ] == [
        "u1@example.org",
        "robin@example.org",
        "u3@example.org",
        "kim@example.org",
        "u5@example.org",
    ]
    assert held(event) == 5


def test_someone_whose_time_to_confirm_ran_out_lapses_rather_than_being_promoted():
    event = make_event(capacity=1, confirmation_hours=1)
    fill(event, 1)
    confirm_address("holder0@example.org")
    register(event, "late@example.org")
    register(event, "next@example.org")
    confirm_address("next@example.org")
    late = Registration.objects.get(email="late@example.org")
    Registration.objects.filter(pk=late.pk).update(
        confirm_by=timezone.now() - datetime.timedelta(seconds=1)
    )  # its time ran out; housekeeping has not run yet

    act(services.cancel_registration, token_in(sent_to("holder0@example.org")[0], "cancel"))

    assert statuses(event) == {
        "holder0@example.org": CANCELLED,
        "late@example.org": EXPIRED,
        "next@example.org": CONFIRMED,
    }
    assert sent_to("late@example.org")[-1].subject == (
        f"Your registration for {event.title} has lapsed"
    )


def test_arrival_order_is_the_order_registrations_took_the_lock_not_the_servers_clock(
    monkeypatch,
):
    event = make_event(capacity=1)
    fill(event, 1)
    first = register(event, "first@example.org").registration
    # The next request is served by a machine whose clock is an hour slow.
    slow = timezone.now() - datetime.timedelta(hours=1)
    monkeypatch.setattr(services.timezone, "now", lambda: slow)
    second = register(event, "second@example.org")
    monkeypatch.undo()

    assert second.registration.registered_at < first.registered_at
    assert second.waitlist_position == 2
    assert services.waitlist_position(first) == 1
    assert second.registration.sequence == first.sequence + 1
    confirm_address("first@example.org")
    confirm_address("second@example.org")
    act(services.cancel_registration, token_in(sent_to("holder0@example.org")[0], "cancel"))
    assert Registration.objects.get(pk=first.pk).status == CONFIRMED
    assert services.waitlist_position(Registration.objects.get(pk=second.registration.pk)) == 1


def test_more_capacity_promotes_the_waiting_list_in_order(make_user):
    event = make_event(capacity=1)
    fill(event, 1)
    waiting = [make_user(Role.RESIDENT) for _ in range(3)]
    for user in waiting:
        register(event, "", user=user)
    event.capacity = 3
    event.save(update_fields=["capacity"])

    promoted = act(services.promote_waiting_list, event)

    assert [registration.user for registration in promoted] == waiting[:2]
    assert list(
        Registration.objects.filter(event=event, user__in=waiting)
        .order_by("sequence")
        .values_list("status", flat=True)
    ) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert act(services.promote_waiting_list, event) == []


def test_nobody_is_promoted_once_the_event_has_started(make_user):
    event = make_event(capacity=1)
    fill(event, 1)
    register(event, "", user=make_user(Role.RESIDENT))
    Registration.objects.filter(status=PENDING).update(status=CANCELLED)
    event.starts_at = timezone.now() - datetime.timedelta(minutes=1)
    event.save(update_fields=["starts_at"])

    assert act(services.promote_waiting_list, event) == []
    assert Registration.objects.filter(status=WAITLISTED).count() == 1


# Refusals: nothing changes


def test_a_duplicate_registration_is_refused_and_changes_nothing():
    event = make_event(capacity=1)
    register(event, "sam@example.org")
    register(event, "wait@example.org")
    before = statuses(event)
    audit_count = AuditEvent.objects.count()
    mail.outbox.clear()

    for address in ["sam@example.org", " SAM@example.org", "wait@example.org"]:
        with pytest.raises(RegistrationRefused) as refusal:
            register(event, address)
        assert refusal.value.code == "duplicate"
        assert "already registered" in refusal.value.reason

    unchanged(event, before)
    assert services.places_left(event) == 0
    assert AuditEvent.objects.count() == audit_count
    assert mail.outbox == []


def test_an_account_holder_who_registered_by_email_is_a_duplicate(make_user):
    event = make_event()
    register(event, "robin@example.org")
    user = make_user(Role.RESIDENT, email="robin@example.org")

    with pytest.raises(RegistrationRefused) as refusal:
        register(event, "", user=user)

    assert refusal.value.code == "duplicate"
    assert Registration.objects.count() == 1


def test_registering_again_after_cancelling_is_allowed():
    event = make_event()
    register(event, "sam@example.org")
    act(services.cancel_registration, token_in(mail.outbox[0], "cancel"))

    again = register(event, "sam@example.org")

    assert again.registration.status == PENDING
    assert Registration.objects.filter(email="sam@example.org").count() == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"registration_opens_at": timezone.now() + datetime.timedelta(hours=1)}, "not_open"),
        ({"registration_closes_at": timezone.now() - datetime.timedelta(seconds=1)}, "closed"),
        (
            {
                "starts_at": timezone.now() - datetime.timedelta(minutes=5),
                "registration_closes_at": timezone.now() + datetime.timedelta(days=1),
            },
            "closed",
        ),
        ({"is_published": False}, "not_published"),
    ],
)
def test_registering_outside_the_window_is_refused(changes, code):
    event = make_event()
    for field, value in changes.items():
        setattr(event, field, value)
    event.save()

    with pytest.raises(RegistrationRefused) as refusal:
        register(event, "sam@example.org")

    assert refusal.value.code == code
    assert Registration.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []


def test_the_window_is_read_under_the_lock_not_from_the_callers_copy():
    event = make_event()
    stale_copy = type(event).objects.get(pk=event.pk)
    type(event).objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(RegistrationRefused) as refusal:
        register(stale_copy, "sam@example.org")

    assert refusal.value.code == "closed"


def test_a_registration_type_of_another_event_is_refused():
    event = make_event()
    other = make_event()

    with pytest.raises(RegistrationRefused) as refusal:
        register(event, "sam@example.org", registration_type=other.registration_types.first())

    assert refusal.value.code == "invalid_type"
    assert Registration.objects.count() == 0


def test_a_required_question_must_be_answered():
    event = make_event(questions=[("Access needs", False), ("Dietary needs", True)])
    dietary = event.questions.get(text="Dietary needs")

    for answers in [{}, {str(dietary.public_id): "   "}]:
        with pytest.raises(RegistrationRefused) as refusal:
            register(event, "sam@example.org", answers=answers)
        assert refusal.value.code == "missing_answer"
        assert refusal.value.reason == "Answer the question: Dietary needs"
    assert Registration.objects.count() == 0

    register(event, "sam@example.org", answers={str(dietary.public_id): "Vegan"})
    assert Registration.objects.get().answers == {str(dietary.public_id): "Vegan"}


@pytest.mark.parametrize(
    ("name", "email", "errors"),
    [
        ("  ", "sam@example.org", {"name": ["Enter your name"]}),
        ("Sam", "   ", {"email": ["Enter your email address"]}),
        (
            "Sam",
            "not-an-address",
            {"email": ["Enter an email address in the correct format, like name@example.com"]},
        ),
        ("S" * 201, "sam@example.org", {"name": ["Name must be 200 characters or fewer"]}),
    ],
)
def test_bad_details_are_refused(name, email, errors):
    event = make_event()
    with pytest.raises(ValidationError) as error:
        register(event, email, name=name)
    assert error.value.message_dict == errors
    assert Registration.objects.count() == 0


def test_answers_to_another_events_questions_are_refused():
    event = make_event()
    other = make_event()
    with pytest.raises(ValidationError) as error:
        register(event, "sam@example.org", answers={str(other.questions.get().public_id): "x"})
    assert error.value.message_dict == {"answers": ["Answer only this event's questions"]}
    assert Registration.objects.count() == 0


# Confirming


def test_confirming_confirms_a_pending_place_once():
    event = make_event()
    register(event, "sam@example.org")
    token = token_in(mail.outbox[0], "confirm")
    mail.outbox.clear()

    registration = act(services.confirm_registration, token)

    assert registration.status == CONFIRMED
    assert registration.confirm_by is None
    first_confirmed_at = registration.confirmed_at
    assert first_confirmed_at is not None
    [message] = mail.outbox
    assert message.subject == f"Your place at {event.title} is confirmed"
    assert [name for name, _, _ in message.attachments] == ["event.ics"]

    again = act(services.confirm_registration, token)
    assert (again.status, again.confirmed_at) == (CONFIRMED, first_confirmed_at)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="events.registration.confirmed").count() == 1


def tampered(token: str) -> list[str]:
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [flipped, token[:-5], token + "x", "", "not-a-token", token.replace(":", ".", 1)]


def test_a_tampered_confirmation_link_is_refused_and_changes_nothing():
    event = make_event()
    register(event, "sam@example.org")
    token = token_in(mail.outbox[0], "confirm")
    before = statuses(event)

    for bad in tampered(token):
        with pytest.raises(InvalidLink) as refusal:
            act(services.confirm_registration, bad)
        assert refusal.value.code == "invalid_link"
        assert not refusal.value.is_expired

    unchanged(event, before)
    assert Registration.objects.get().confirmed_at is None


def test_a_link_for_one_purpose_does_not_work_for_another():
    event = make_event()
    register(event, "sam@example.org")
    cancel_token = token_in(mail.outbox[0], "cancel")
    confirm_token = token_in(mail.outbox[0], "confirm")

    with pytest.raises(InvalidLink):
        act(services.confirm_registration, cancel_token)
    with pytest.raises(InvalidLink):
        act(services.cancel_registration, confirm_token)
    assert statuses(event) == {"sam@example.org": PENDING}


@override_settings(OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS=0)
def test_an_expired_confirmation_link_is_refused():
    event = make_event()
    register(event, "sam@example.org")
    token = token_in(mail.outbox[0], "confirm")
    time.sleep(1.05)  # signed links carry whole seconds
    # A link past its age still works until the registration's deadline: let that pass too.
    Registration.objects.update(confirm_by=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(InvalidLink) as refusal:
        act(services.confirm_registration, token)

    assert refusal.value.is_expired
    assert refusal.value.reason.startswith("This link has expired.")
    assert statuses(event) == {"sam@example.org": PENDING}


def test_confirming_after_the_confirmation_time_is_refused_and_changes_nothing():
    event = make_event()
    register(event, "sam@example.org")
    Registration.objects.update(confirm_by=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(InvalidLink) as refusal:
        act(services.confirm_registration, token_in(mail.outbox[0], "confirm"))

    assert refusal.value.is_expired
    assert "has lapsed" in refusal.value.reason
    registration = Registration.objects.get()
    assert (registration.status, registration.confirmed_at) == (PENDING, None)


def test_a_link_stops_working_for_a_registration_of_another_address():
    """The digest ties a link to the address: a link naming someone else's registration by id
    (copied from a different email) with the wrong digest is refused."""
    event = make_event()
    register(event, "sam@example.org")
    registration = Registration.objects.get()
    token = services.make_registration_token(registration, "cancel")
    Registration.objects.update(email="changed@example.org")

    with pytest.raises(InvalidLink):
        services.read_registration_token(token, "cancel")


# Cancelling


def test_cancelling_twice_is_fine_and_frees_one_place():
    event = make_event(capacity=1)
    register(event, "sam@example.org")
    token = token_in(mail.outbox[0], "cancel")

    act(services.cancel_registration, token)
    again = act(services.cancel_registration, token)

    assert again.status == CANCELLED
    assert services.places_left(event) == 1
    assert AuditEvent.objects.filter(action="events.registration.cancelled").count() == 1


def test_a_waiting_list_registration_can_be_cancelled_without_a_promotion(make_user):
    event = make_event(capacity=1)
    fill(event, 1)
    register(event, "", user=make_user(Role.RESIDENT))
    register(event, "wait@example.org")

    act(services.cancel_registration, token_in(sent_to("wait@example.org")[0], "cancel"))

    assert held(event) == 1
    assert Registration.objects.filter(status=WAITLISTED).count() == 1
    assert AuditEvent.objects.filter(action="events.registration.promoted").count() == 0


def test_cancelling_is_refused_once_the_event_has_started():
    event = make_event()
    register(event, "sam@example.org")
    type(event).objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with pytest.raises(RegistrationRefused) as refusal:
        act(services.cancel_registration, token_in(mail.outbox[0], "cancel"))

    assert refusal.value.code == "closed"
    assert statuses(event) == {"sam@example.org": PENDING}


def test_a_tampered_cancel_link_is_refused_and_changes_nothing():
    event = make_event()
    register(event, "sam@example.org")
    token = token_in(mail.outbox[0], "cancel")

    for bad in tampered(token):
        with pytest.raises(InvalidLink):
            act(services.cancel_registration, bad)

    assert statuses(event) == {"sam@example.org": PENDING}
    assert services.places_left(event) == 9


def test_people_can_cancel_their_own_registration_only(make_user):
    event = make_event(capacity=1)
    owner = make_user(Role.RESIDENT)
    someone_else = make_user(Role.RESIDENT)
    administrator = make_user(Role.ADMINISTRATOR)
    registration = register(event, "", user=owner).registration

    for intruder in [someone_else, administrator]:
        with pytest.raises(PermissionDenied):
            act(services.cancel_own_registration, intruder, registration)
    assert Registration.objects.get().status == CONFIRMED

    cancelled = act(services.cancel_own_registration, owner, registration)
    assert cancelled.status == CANCELLED
    entry = AuditEvent.objects.get(action="events.registration.cancelled")
    assert entry.actor == owner
    assert entry.details == {"held_place": True}


# Attendance


def test_marking_attendance_needs_the_check_in_permission(make_user):
    event = make_event()
    registration = register(event, "", user=make_user(Role.RESIDENT)).registration

    for actor in [make_user(Role.RESIDENT), make_user(Role.PRACTITIONER)]:
        with pytest.raises(PermissionDenied):
            services.mark_attendance(actor, registration, True)
    assert Registration.objects.get().attended is None

    officer = make_user(Role.FUND_OFFICER)
    assert services.mark_attendance(officer, registration, True).attended is True
    assert services.mark_attendance(officer, registration, False).attended is False
    entries = AuditEvent.objects.filter(action="events.registration.attendance")
    assert [(entry.actor, entry.details) for entry in entries.order_by("pk")] == [
        (officer, {"attended": True}),
        (officer, {"attended": False}),
    ]


def test_only_a_confirmed_place_can_be_marked_attended(make_user):
    event = make_event(capacity=1)
    [pending] = fill(event, 1)
    waiting = register(event, "wait@example.org").registration
    officer = make_user(Role.ADMINISTRATOR)

    for registration in [pending, waiting]:
        with pytest.raises(RegistrationRefused) as refusal:
            services.mark_attendance(officer, registration, True)
        assert refusal.value.code == "no_place"
    assert set(Registration.objects.values_list("attended", flat=True)) == {None}


# Figures


def test_event_summary_counts_every_status():
    event = make_event(capacity=3)
    fill(event, 3)
    for n in range(2):
        register(event, f"wait{n}@example.org")
    act(services.confirm_registration, token_in(sent_to("holder0@example.org")[0], "confirm"))
    act(services.cancel_registration, token_in(sent_to("holder1@example.org")[0], "cancel"))
    Registration.objects.filter(email="holder0@example.org").update(attended=True)

    summary = selectors.event_summary(event)

    # The cancelled place went to wait0, held until they confirm their address.
    assert summary == selectors.EventSummary(
        capacity=3, confirmed=1, pending=2, waitlisted=1, cancelled=1, expired=0, attended=1
    )
    assert (summary.places_taken, summary.places_left) == (3, 0)


def test_upcoming_events_are_published_and_not_over():
    now = timezone.now()
    soon = make_event(title="Soon", starts_at=now + datetime.timedelta(days=1))
    later = make_event(title="Later", starts_at=now + datetime.timedelta(days=9))
    running = make_event(
        title="Running",
        starts_at=now - datetime.timedelta(hours=1),
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now - datetime.timedelta(days=2),
    )
    make_event(title="Draft", is_published=False)
    make_event(
        title="Over",
        starts_at=now - datetime.timedelta(days=3),
        registration_opens_at=now - datetime.timedelta(days=9),
        registration_closes_at=now - datetime.timedelta(days=4),
    )
    fill(soon, 2)

    events = list(selectors.upcoming_events())

    assert events == [running, soon, later]
    assert [event.places_held for event in events] == [0, 2, 0]


def test_registrations_for_user_lists_their_own_by_event_date(make_user):
    user = make_user(Role.RESIDENT)
    later = make_event(starts_at=timezone.now() + datetime.timedelta(days=20))
    sooner = make_event(starts_at=timezone.now() + datetime.timedelta(days=2))
    first = register(later, "", user=user).registration
    second = register(sooner, "", user=user).registration
    register(sooner, "other@example.org")

    assert list(selectors.registrations_for_user(user)) == [second, first]


def past_event(days_ago: int, capacity: int = 10, **fields):
    starts_at = timezone.now() - datetime.timedelta(days=days_ago)
    return make_event(
        starts_at=starts_at,
        registration_opens_at=starts_at - datetime.timedelta(days=10),
        registration_closes_at=starts_at - datetime.timedelta(hours=1),
        capacity=capacity,
        **fields,
    )


def add_past_registrations(event, confirmed: int, attended: int, others: int = 0) -> None:
    rows = [
        Registration(
            event=event,
            name="Someone",
            email=f"p{n}-{event.pk}@example.org",
            status=CONFIRMED,
            attended=True if n < attended else (False if n % 2 else None),
        )
        for n in range(confirmed)
    ]
    rows += [
        Registration(event=event, name="Someone", email=f"o{n}-{event.pk}@example.org", status=s)
        for n, s in enumerate([CANCELLED, WAITLISTED, RegistrationStatus.EXPIRED][:others])
    ]
    for sequence, row in enumerate(rows, start=1):
        row.sequence = sequence  # bulk_create skips save(), which numbers arrivals
    Registration.objects.bulk_create(rows)


def test_attendance_by_event_counts_confirmed_places_attended_and_no_shows():
    older = past_event(40, title="Older")
    recent = past_event(3, title="Recent")
    make_event(title="Future")  # not started: no figures yet
    add_past_registrations(older, confirmed=6, attended=4, others=3)
    add_past_registrations(recent, confirmed=3, attended=0)

    rows = selectors.attendance_by_event()

    assert [(row.event, row.registered, row.attended, row.no_shows) for row in rows] == [
        (older, 6, 4, 2),
        (recent, 3, 0, 3),
    ]
    since = timezone.now() - datetime.timedelta(days=10)
    assert [row.event for row in selectors.attendance_by_event(since=since)] == [recent]


def test_attendance_by_month_covers_each_month_with_zeros_between():
    today = timezone.localdate()
    this_month = today.replace(day=1)
    # An event between the first of this month and today (today itself on the first).
    this_month_event = past_event((today - this_month).days // 2, title="This month")
    # Mid-last-month and an event more than a year ago (outside the 12 months).
    last_month_first = (this_month - datetime.timedelta(days=1)).replace(day=1)
    last_month_event = past_event((today - last_month_first).days - 10, title="Last month")
    ancient = past_event(500, title="Ancient")
    add_past_registrations(this_month_event, confirmed=4, attended=3)
    add_past_registrations(last_month_event, confirmed=5, attended=1)
    add_past_registrations(ancient, confirmed=9, attended=9)

    rows = selectors.attendance_by_month(months=12)

    assert len(rows) == 12
    assert rows[-1].month == this_month
    assert rows[-2].month == last_month_first
    assert [r.month for r in rows] == sorted({r.month for r in rows})
    figures = {r.month: (r.events, r.registered, r.attended, r.no_shows) for r in rows}
    assert figures[this_month] == (1, 4, 3, 1)
    assert figures[last_month_first] == (1, 5, 1, 4)
    assert sum(r.events for r in rows) == 2


def test_a_closed_event_is_refused_as_closed_before_the_details_are_checked():
    event = make_event(questions=[("Dietary needs", True)])
    type(event).objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    event.refresh_from_db()

    with pytest.raises(RegistrationRefused) as refusal:
        register(event, "not-an-address", name="")

    assert refusal.value.code == "closed"


def test_the_emails_say_what_when_where_and_by_when(make_user):
    starts_at = timezone.make_aware(datetime.datetime(2031, 6, 12, 10, 0))
    event = make_event(
        title="Fund workshop",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2, minutes=30),
        registration_opens_at=timezone.now() - datetime.timedelta(days=1),
        confirmation_hours=48,
    )
    registration = register(event, "sam@example.org").registration
    deadline = timezone.localtime(registration.confirm_by)

    [message] = mail.outbox
    assert (
        "Fund workshop\n"
        "When: Thursday 12 June 2031, 10:00 to 12:30\n"
        "Where: Wigan Life Centre, College Avenue, Wigan, WN1 1NJ\n\n"
        "We are holding a place for you."
    ) in message.body
    assert f"If you do not confirm by {deadline:%A %-d %B %Y, %H:%M}, the place" in message.body

    online = make_event(
        venue_name="", venue_address="", venue_postcode="", online_url="https://meet.example.org/x"
    )
    register(online, "", user=make_user(Role.RESIDENT, email="robin@example.org"))
    [confirmed] = sent_to("robin@example.org")
    assert "Where: Online\nJoining link: https://meet.example.org/x\n\n" in confirmed.body
    assert "We will send you a reminder before the event." in confirmed.body


def test_a_failed_send_is_reported_without_the_address(settings):
    event = make_event()
    registration = register(event, "sam@example.org").registration
    # A real backend that cannot connect: GOV.UK Notify at a closed local port.
    settings.EMAIL_BACKEND = "opendeal.core.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = f"key-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.GOVUK_NOTIFY_TEMPLATE_ID = str(uuid.uuid4())
    settings.GOVUK_NOTIFY_BASE_URL = "http://127.0.0.1:9"

    with pytest.raises(EmailNotSent) as error:
        send_registration_email.call(str(registration.public_id), "confirm_place")

    assert str(error.value) == "Could not send the events/confirm_place email."
    assert error.value.__cause__ is None


def test_nothing_is_sent_about_an_erased_registration():
    event = make_event()
    registration = register(event, "sam@example.org").registration
    Registration.objects.update(name="", email="", erased_at=timezone.now())
    mail.outbox.clear()

    send_registration_email.call(str(registration.public_id), "reminder")

    assert mail.outbox == []
