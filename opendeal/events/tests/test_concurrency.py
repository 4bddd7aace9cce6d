"""Capacity is never exceeded and the waiting list keeps arrival order when many people act at
the same moment: real threads, each with its own database connection, on SQLite (a file, one
writer at a time) and on PostgreSQL (row locks)."""

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.events import services
from opendeal.events.models import Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)

PENDING = RegistrationStatus.PENDING_CONFIRMATION
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED


@pytest.fixture(autouse=True)
def _needs_a_shared_database():
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need the SQLite test database in a file (see settings/test.py)")


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all released together; returns each call's result or
    the exception it raised, in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as error:  # reported by the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def registering(event, email: str, user=None) -> Callable[[], services.RegistrationResult]:
    return lambda: services.register(event, name="Someone", email=email, user=user)


def in_arrival_order(event) -> list[Registration]:
    return list(Registration.objects.filter(event=event).order_by("sequence"))


def test_thirty_at_once_for_ten_places():
    event = make_event(capacity=10)

    outcomes = at_once([registering(event, f"person{n}@example.org") for n in range(30)])

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    arrivals = in_arrival_order(event)
    assert [r.status for r in arrivals] == [PENDING] * 10 + [WAITLISTED] * 20
    assert [r.sequence for r in arrivals] == list(range(1, 31))  # each number once, no gaps
    assert [services.waitlist_position(r) for r in arrivals[10:]] == list(range(1, 21))
    # What each caller was told is what the database says.
    told = {o.registration.pk: o.waitlist_position for o in outcomes}
    assert [told[r.pk] for r in arrivals] == [None] * 10 + list(range(1, 21))
    assert services.places_left(event) == 0
    assert len(mail.outbox) == 30


def test_the_same_address_at_once_makes_one_registration():
    event = make_event(capacity=10)

    outcomes = at_once([registering(event, "sam@example.org") for _ in range(6)])

    refusals = [o for o in outcomes if isinstance(o, services.RegistrationRefused)]
    assert len(refusals) == 5
    assert {refusal.code for refusal in refusals} == {"duplicate"}
    assert Registration.objects.filter(event=event).count() == 1
    assert services.places_left(event) == 9


def test_cancellations_and_new_registrations_at_once_never_over_promote(make_user):
    event = make_event(capacity=10)
    holders = [
        services.register(event, name="Holder", email="", user=make_user(Role.RESIDENT))
        for _ in range(10)
    ]
    waiting = [
        services.register(event, name="Waiting", email="", user=make_user(Role.RESIDENT))
        for _ in range(12)
    ]
    assert {r.registration.status for r in waiting} == {WAITLISTED}

    cancels = [
        (lambda r=result.registration: services.cancel_own_registration(r.user, r))
        for result in holders[:8]
    ]
    newcomers = [registering(event, f"new{n}@example.org") for n in range(4)]
    outcomes = at_once(cancels + newcomers)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    arrivals = in_arrival_order(event)
    by_pk = {r.pk: r for r in arrivals}
    # Exactly the first 8 on the waiting list were promoted, in order; never more.
    promoted = [by_pk[r.registration.pk].status for r in waiting]
    assert promoted == [CONFIRMED] * 8 + [WAITLISTED] * 4
    assert sum(1 for r in arrivals if r.status in (CONFIRMED, PENDING)) == 10
    assert AuditEvent.objects.filter(action="events.registration.promoted").count() == 8
    # Newcomers found no free place and queue behind the four still waiting.
    still_waiting = [r for r in arrivals if r.status == WAITLISTED]
    assert [services.waitlist_position(r) for r in still_waiting] == list(range(1, 9))
    assert {r.email for r in still_waiting[4:]} == {f"new{n}@example.org" for n in range(4)}


def test_freed_places_go_to_the_waiting_list_in_order_never_to_newcomers(make_user):
    # Everyone waiting registered by email and has not confirmed yet: the freed places are
    # still theirs, in arrival order, and the newcomers racing the cancellations queue behind.
    event = make_event(capacity=6)
    holders = [
        services.register(event, name="Holder", email="", user=make_user(Role.RESIDENT))
        for _ in range(6)
    ]
    waiting = [
        services.register(event, name="Waiting", email=f"wait{n}@example.org").registration
        for n in range(8)
    ]
    cancels = [
        (lambda r=result.registration: services.cancel_own_registration(r.user, r))
        for result in holders[:4]
    ]
    newcomers = [registering(event, f"new{n}@example.org") for n in range(5)]

    outcomes = at_once(cancels + newcomers)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    by_pk = {r.pk: r for r in in_arrival_order(event)}
    assert [by_pk[r.pk].status for r in waiting] == [PENDING] * 4 + [WAITLISTED] * 4
    assert all(by_pk[r.pk].promoted_at is not None for r in waiting[:4])
    assert {o.registration.status for o in outcomes[4:]} == {WAITLISTED}
    # Each was told their position as it stood; promotions since can only have moved them up.
    for outcome in outcomes[4:]:
        now_at = services.waitlist_position(by_pk[outcome.registration.pk])
        assert 5 <= now_at <= outcome.waitlist_position
    assert services.places_left(event) == 0
    still_waiting = [r for r in in_arrival_order(event) if r.status == WAITLISTED]
    assert [services.waitlist_position(r) for r in still_waiting] == list(range(1, 10))
    assert [r.email for r in still_waiting[:4]] == [f"wait{n}@example.org" for n in range(4, 8)]
    assert sorted(r.sequence for r in by_pk.values()) == list(range(1, 20))


def test_housekeeping_runs_at_once_release_each_place_once(make_user):
    event = make_event(capacity=5)
    for n in range(5):
        services.register(event, name="Pending", email=f"pending{n}@example.org")
    waiting = [
        services.register(event, name="Waiting", email="", user=make_user(Role.RESIDENT))
        for _ in range(7)
    ]
    Registration.objects.filter(status=PENDING).update(
        confirm_by=timezone.now() - datetime.timedelta(minutes=1)
    )

    outcomes = at_once([services.release_expired for _ in range(3)])

    assert sorted(outcomes) == [0, 0, 5]
    assert Registration.objects.filter(status=RegistrationStatus.EXPIRED).count() == 5
    assert AuditEvent.objects.filter(action="events.registration.expired").count() == 5
    statuses = [Registration.objects.get(pk=r.registration.pk).status for r in waiting]
    assert statuses == [CONFIRMED] * 5 + [WAITLISTED] * 2
    assert services.places_left(event) == 0
