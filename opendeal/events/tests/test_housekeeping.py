"""Background housekeeping: lapsed confirmations release their places, reminders go once, and
personal details are erased after the retention period while the counts stay."""

import datetime
import io

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.events import selectors, services, tasks
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.services import InvalidLink
from opendeal.events.tests.factories import make_event
from opendeal.events.tests.helpers import act, held, sent_to, statuses, token_in

pytestmark = pytest.mark.django_db

PENDING = RegistrationStatus.PENDING_CONFIRMATION
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
EXPIRED = RegistrationStatus.EXPIRED
HOUR = datetime.timedelta(hours=1)


def register(event, email="", user=None) -> Registration:
    return act(services.register, event, name="Someone", email=email, user=user).registration


# Lapsed confirmations


def test_unconfirmed_places_lapse_after_confirm_by_and_go_to_the_waiting_list(make_user):
    event = make_event(capacity=2, confirmation_hours=48)
    late = register(event, "late@example.org")
    register(event, "", user=make_user(Role.RESIDENT, email="holder@example.org"))
    waiting = register(event, "", user=make_user(Role.RESIDENT, email="waiting@example.org"))
    unconfirmed = register(event, "unconfirmed@example.org")  # waiting, address unconfirmed
    mail.outbox.clear()

    # Not yet: one second before confirm_by nothing lapses.
    assert act(services.release_expired, late.confirm_by - datetime.timedelta(seconds=1)) == 0
    assert mail.outbox == []

    deadline = unconfirmed.confirm_by  # the later of the two
    released = act(services.release_expired, deadline)

    # Both email-only registrations made at about the same time lapse: the place held and
    # the unconfirmed waiting-list entry.
    assert released == 2
    assert statuses(event) == {
        "late@example.org": EXPIRED,
        "holder@example.org": CONFIRMED,
        "waiting@example.org": CONFIRMED,
        "unconfirmed@example.org": EXPIRED,
    }
    waiting.refresh_from_db()
    assert waiting.promoted_at == deadline
    assert held(event) == 2
    assert [m.subject for m in sent_to("late@example.org")] == [
        f"Your registration for {event.title} has lapsed"
    ]
    assert [m.subject for m in sent_to("waiting@example.org")] == [
        f"A place has come up for you at {event.title}"
    ]
    summary = AuditEvent.objects.get(action="events.housekeeping.released")
    assert summary.details == {"registrations": 2}
    assert AuditEvent.objects.filter(action="events.registration.expired").count() == 2

    # Running again changes nothing and records nothing.
    assert act(services.release_expired, deadline + HOUR) == 0
    assert AuditEvent.objects.filter(action="events.housekeeping.released").count() == 1


def test_confirmed_and_account_registrations_never_lapse(make_user):
    event = make_event(capacity=1)
    confirmed = register(event, "sam@example.org")
    act(services.confirm_registration, token_in(sent_to("sam@example.org")[0], "confirm"))
    register(event, "", user=make_user(Role.RESIDENT))

    assert act(services.release_expired, confirmed.confirm_by + 100 * HOUR) == 0
    assert set(statuses(event).values()) == {CONFIRMED, WAITLISTED}


def test_a_lapsed_registrations_confirmation_link_no_longer_confirms():
    event = make_event()
    registration = register(event, "late@example.org")
    act(services.release_expired, registration.confirm_by)

    with pytest.raises(InvalidLink):
        act(services.confirm_registration, token_in(sent_to("late@example.org")[0], "confirm"))
    assert statuses(event) == {"late@example.org": EXPIRED}


# Reminders


def test_reminders_go_once_to_confirmed_places_within_each_events_reminder_time(make_user):
    now = timezone.now()
    soon = make_event(starts_at=now + 20 * HOUR, reminder_hours=24, title="Soon")
    later = make_event(starts_at=now + 30 * HOUR, reminder_hours=24, title="Later")
    long_notice = make_event(starts_at=now + 60 * HOUR, reminder_hours=72, title="Long notice")
    no_reminders = make_event(starts_at=now + 2 * HOUR, reminder_hours=0, title="None")
    due = [
        register(soon, "", user=make_user(Role.RESIDENT, email="soon@example.org")),
        register(long_notice, "", user=make_user(Role.RESIDENT, email="long@example.org")),
    ]
    register(later, "", user=make_user(Role.RESIDENT, email="later@example.org"))
    register(no_reminders, "", user=make_user(Role.RESIDENT, email="none@example.org"))
    register(soon, "pending@example.org")  # not confirmed: no reminder
    mail.outbox.clear()

    assert act(services.send_reminders, now) == 2

    assert sorted(message.to[0] for message in mail.outbox) == [
        "long@example.org",
        "soon@example.org",
    ]
    [message] = sent_to("soon@example.org")
    assert message.subject == f"Reminder: Soon on {timezone.localtime(soon.starts_at):%-d %B %Y}"
    [(filename, content, _)] = message.attachments
    assert filename == "event.ics"
    [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["status"]) == "CONFIRMED"
    assert services.read_registration_token(token_in(message, "cancel"), "cancel") == due[0]
    for registration in due:
        registration.refresh_from_db()
        assert registration.reminded_at == now
    assert Registration.objects.filter(reminded_at__isnull=False).count() == 2
    assert AuditEvent.objects.get(action="events.housekeeping.reminded").details == {
        "registrations": 2
    }

    # Idempotent: the same run again sends nothing.
    assert act(services.send_reminders, now + HOUR) == 0
    assert len(mail.outbox) == 2
    # The later event's reminder falls due when its 24 hours begin.
    assert act(services.send_reminders, later.starts_at - 24 * HOUR) == 1
    assert sent_to("later@example.org")[0].subject.startswith("Reminder: Later")


def test_no_reminder_after_the_start_or_for_a_draft(make_user):
    now = timezone.now()
    event = make_event(starts_at=now + 2 * HOUR)
    register(event, "", user=make_user(Role.RESIDENT))
    draft = make_event(starts_at=now + 2 * HOUR)
    register(draft, "", user=make_user(Role.RESIDENT))
    type(draft).objects.filter(pk=draft.pk).update(is_published=False)

    assert act(services.send_reminders, event.starts_at) == 0
    assert act(services.send_reminders, now) == 1


# Erasing personal data


def ended_event(days_ago: int, retention_days: int = 30, **fields):
    """An event that ran `days_ago` days ago, with registrations made before it."""
    event = make_event(**fields)
    return (
        event,
        lambda: (
            type(event)
            .objects.filter(pk=event.pk)
            .update(
                starts_at=timezone.now() - datetime.timedelta(days=days_ago, hours=2),
                ends_at=timezone.now() - datetime.timedelta(days=days_ago),
                retention_days=retention_days,
            )
        ),
    )


def test_personal_details_are_erased_after_the_retention_period_and_counts_remain(make_user):
    officer = make_user(Role.FUND_OFFICER)
    user = make_user(Role.RESIDENT, email="robin@example.org")
    event, run_it = ended_event(days_ago=31, retention_days=30, capacity=2)
    question = event.questions.get()
    came = register(event, "", user=user)
    register(event, "sam@example.org")
    act(services.confirm_registration, token_in(sent_to("sam@example.org")[0], "confirm"))
    Registration.objects.filter(email="sam@example.org").update(
        answers={str(question.public_id): "Wheelchair user"}
    )
    register(event, "wait@example.org")
    cancel_token = token_in(sent_to("robin@example.org")[0], "cancel")
    services.mark_attendance(officer, came, True)
    recent, run_recent = ended_event(days_ago=5, retention_days=30)
    register(recent, "recent@example.org")
    run_it()
    run_recent()
    summary_before = selectors.event_summary(event)
    attendance_before = [(row.registered, row.attended) for row in selectors.attendance_by_event()]

    now = timezone.now()
    assert services.erase_personal_data(now) == 3

    for registration in Registration.objects.filter(event=event):
        assert (registration.name, registration.email, registration.answers) == ("", "", {})
        assert registration.user is None
        assert registration.erased_at == now
    assert list(
        Registration.objects.filter(event=event).order_by("pk").values_list("status", "attended")
    ) == [(CONFIRMED, True), (CONFIRMED, None), (WAITLISTED, None)]
    assert selectors.event_summary(event) == summary_before
    assert [
        (row.registered, row.attended) for row in selectors.attendance_by_event()
    ] == attendance_before
    # The other event is still within its retention period.
    assert Registration.objects.get(event=recent).email == "recent@example.org"
    # Links stop working: they were tied to the erased address.
    with pytest.raises(InvalidLink):
        services.read_registration_token(cancel_token, "cancel")
    # The account stays; only the link to it goes.
    assert list(selectors.registrations_for_user(user)) == []
    entry = AuditEvent.objects.get(action="events.housekeeping.erased")
    assert entry.details == {"registrations": 3, "events": [str(event.public_id)]}
    for stored in AuditEvent.objects.values_list("details", flat=True):
        assert "@" not in str(stored)
        assert "Wheelchair" not in str(stored)

    assert services.erase_personal_data(now + HOUR) == 0
    assert AuditEvent.objects.filter(action="events.housekeeping.erased").count() == 1


def test_nothing_is_erased_before_the_retention_period_ends():
    event, run_it = ended_event(days_ago=10, retention_days=30)
    register(event, "sam@example.org")
    run_it()
    event.refresh_from_db()

    assert (
        services.erase_personal_data(event.ends_at + datetime.timedelta(days=30, seconds=-1)) == 0
    )
    assert Registration.objects.get().email == "sam@example.org"
    assert services.erase_personal_data(event.ends_at + datetime.timedelta(days=30)) == 1


# Running it


def test_the_management_command_runs_all_three(make_user):
    now = timezone.now()
    expiring = make_event(confirmation_hours=1)
    register(expiring, "late@example.org")
    Registration.objects.update(confirm_by=now - HOUR)
    reminding = make_event(starts_at=now + 2 * HOUR)
    register(reminding, "", user=make_user(Role.RESIDENT))
    erasing, run_it = ended_event(days_ago=40)
    register(erasing, "old@example.org")
    register(erasing, "old2@example.org")
    run_it()
    out = io.StringIO()

    call_command("events_housekeeping", stdout=out)

    assert out.getvalue() == (
        "Released 1 lapsed registrations, sent 1 reminders, "
        "erased personal details of 2 registrations.\n"
    )
    assert Registration.objects.filter(status=EXPIRED).count() == 1
    assert Registration.objects.filter(reminded_at__isnull=False).count() == 1
    assert Registration.objects.filter(erased_at__isnull=False).count() == 2


def test_each_step_is_a_background_task(make_user):
    now = timezone.now()
    register(make_event(starts_at=now + 2 * HOUR), "", user=make_user(Role.RESIDENT))

    result = tasks.send_reminders.enqueue()

    assert result.return_value == 1
    assert tasks.release_expired.enqueue().return_value == 0
    assert tasks.erase_personal_data.enqueue().return_value == 0
