"""Practitioners see new services that match the people they support and connect them; the
fund counts connections, attendance and wellbeing change per service."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from opendeal.care import access, services
from opendeal.care.matching import new_service_matches
from opendeal.care.models import Connection, SwemwbsResponse
from opendeal.care.outcomes import outcomes_for_services
from opendeal.core.models import AuditEvent
from opendeal.directory.models import Service

from .helpers import make_service, make_term

ITEMS = list(SwemwbsResponse.ITEMS)


def test_new_services_matching_a_need_heard_near_home_are_listed(world, sign_in):
    since = timezone.now() - datetime.timedelta(days=90)
    # The allotment club matches but the person is already connected to it.
    assert new_service_matches(world.practitioner, since=since) == []
    garden = make_service("Community garden", world.term, "53.545000", "-2.655000")
    make_service("Far garden", world.term, "53.800000", "-2.200000")
    make_service("Nearby choir", make_term("Singing"), "53.541000", "-2.661000")
    old = make_service("Old garden", world.term, "53.541000", "-2.661000")
    Service.objects.filter(pk=old.pk).update(modified=timezone.now() - datetime.timedelta(days=200))

    (match,) = new_service_matches(world.practitioner, since=since)
    assert (match.person, match.service, match.terms) == (world.person, garden, ("Gardening",))
    assert match.conversation == world.conversation
    assert 500 < match.distance_metres < 1000
    assert new_service_matches(world.other_practitioner, since=since) == []

    client = sign_in(world.practitioner)
    page = client.get(reverse("care:matches"))
    assert "Community garden" in page.content.decode()
    assert AuditEvent.objects.get(action="care.matches.viewed").details == {"count": 1, "people": 1}
    # The list names her with what she said she needs: her own trail says she was seen there.
    [seen] = access.trail(world.person).filter(action="care.person.viewed", details__page="matches")
    assert seen.actor == world.practitioner
    assert not access.trail(world.south_person).filter(details__page="matches").exists()
    client.post(
        reverse("care:connect", args=[match.conversation.public_id]), {"service": str(garden.id)}
    )
    assert Connection.objects.filter(person=world.person, service=garden).exists()
    assert new_service_matches(world.practitioner, since=since) == []


def _swemwbs(world, day: datetime.date, level: int) -> None:
    services.record_swemwbs(world.practitioner, world.person, day, dict.fromkeys(ITEMS, level))


def test_outcomes_count_people_attendance_and_wellbeing_change(world):
    today = timezone.localdate()
    Connection.objects.filter(pk=world.connection.pk).update(
        made_on=today - datetime.timedelta(days=60),
        status_changed_on=today - datetime.timedelta(days=60),
    )
    # The fixture's answer (raw 21, metric 19.25) is today: after the connection. Add a
    # baseline before it, and another later answer after it.
    _swemwbs(world, today - datetime.timedelta(days=61), 2)  # raw 14, metric 15.32
    assert outcomes_for_services([world.service.id]) == outcomes_for_services(
        [world.service.id], since=today - datetime.timedelta(days=90)
    )
    outcomes = outcomes_for_services([world.service.id])
    assert (outcomes.people_connected, outcomes.people_attended) == (1, 0)
    assert (outcomes.people_with_wellbeing, outcomes.mean_wellbeing_change) == (
        1,
        Decimal("3.93"),
    )
    services.change_connection_status(world.practitioner, world.connection, "attended", today)
    assert outcomes_for_services([world.service.id]).people_attended == 1
    assert outcomes_for_services([world.service.id], since=today).people_connected == 0
    # A declined connection counts for nothing.
    services.change_connection_status(world.practitioner, world.connection, "declined", today)
    assert outcomes_for_services([world.service.id]).people_connected == 0


def test_outcomes_without_wellbeing_answers_on_both_sides_have_no_mean(world):
    outcomes = outcomes_for_services([world.service.id])
    assert (outcomes.people_connected, outcomes.people_with_wellbeing) == (1, 0)
    assert outcomes.mean_wellbeing_change is None


def test_matches_write_one_view_per_person_listed(world, sign_in):
    # Two new services match Margaret: she is listed twice but seen once.
    make_service("Community garden", world.term, "53.545000", "-2.655000")
    make_service("Garden share", world.term, "53.543000", "-2.657000")
    client = sign_in(world.practitioner)
    client.get(reverse("care:matches"))
    views = access.trail(world.person).filter(action="care.person.viewed", details__page="matches")
    assert views.count() == 1
    assert AuditEvent.objects.get(action="care.matches.viewed").details == {"count": 2, "people": 1}


def test_record_views_is_one_insert(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        events = access.record_views(
            world.practitioner, [world.person, world.south_person, world.person], "matches"
        )
    assert len(events) == 2
    assert {event.object_id for event in events} == {
        str(world.person.public_id),
        str(world.south_person.public_id),
    }
    labels = [access.ACTION_LABELS[event.action] for event in access.trail(world.south_person)]
    assert "Looked at the record" in labels
