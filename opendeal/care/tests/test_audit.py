"""Every view and change of a person's record is in the append-only audit trail, which names
only ids, and a manager of the person's team can read it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opendeal.care import access, services
from opendeal.core.models import AuditEvent

from .test_access_matrix import MANAGER_PAGES, WORK_PAGES


def _trail_actions(person) -> list[str]:
    return list(access.trail(person).order_by("pk").values_list("action", flat=True))


def test_building_the_record_wrote_one_event_per_change(world):
    assert _trail_actions(world.person) == [
        "care.person.created",
        "care.conversation.recorded",
        "care.relationship.added",
        "care.action.agreed",
        "care.connection.made",
        "care.package.added",
        "care.swemwbs.recorded",
    ]
    recorded = access.trail(world.person).get(action="care.conversation.recorded")
    assert recorded.actor == world.practitioner
    assert recorded.details == {
        "conversation": str(world.conversation.public_id),
        "needs": [str(world.term.id)],
        "interests": [str(world.term.id)],
    }


@pytest.mark.parametrize("page", [*WORK_PAGES, *MANAGER_PAGES])
def test_every_page_of_the_record_is_audited_as_a_view(page, world, sign_in):
    url = {**WORK_PAGES, **MANAGER_PAGES}[page](world)
    before = access.trail(world.person).count()
    assert sign_in(world.manager).get(url).status_code == 200
    events = list(access.trail(world.person).order_by("pk"))[before:]
    assert [(event.action, event.actor) for event in events] == [
        ("care.person.viewed", world.manager)
    ]
    assert "page" in events[0].details


def test_each_change_names_the_fields_changed_and_no_values(world):
    services.update_person(world.practitioner, world.person, what_matters="Her grandchildren")
    event = access.trail(world.person).first()
    assert event.action == "care.person.updated"
    assert event.details == {"fields": ["what_matters"]}
    services.change_connection_status(
        world.practitioner, world.connection, "attended", timezone.localdate()
    )
    services.close_person(world.manager, world.person, timezone.localdate())
    services.share_person(world.manager, world.person, world.other_practitioner)
    actions = _trail_actions(world.person)[-3:]
    assert actions == ["care.connection.status_changed", "care.person.closed", "care.person.shared"]
    everything = " ".join(str(event.details) for event in access.trail(world.person))
    for personal in ("Margaret", "Testperson", "9434765919", "WN5 9RN", "grandchildren", "Karen"):
        assert personal not in everything


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = access.trail(world.person).first()
    count = AuditEvent.objects.count()
    event.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).action != "tampered"


def test_a_manager_reads_the_trail_with_who_and_when(world, sign_in):
    sign_in(world.practitioner).get(reverse("care:person", args=[world.person.public_id]))
    sign_in(world.other_practitioner).get(reverse("care:person", args=[world.person.public_id]))
    page = sign_in(world.manager).get(reverse("care:audit", args=[world.person.public_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Pat Practitioner" in text
    assert "Tried to open the record without access (refused)" in text  # the other team
    assert "Oli Other" in text


def test_housekeeping_erasure_is_audited_without_an_actor(world):
    services.close_person(world.manager, world.person, datetime.date(2000, 1, 1))
    from opendeal.care.erasure import erase_expired

    assert erase_expired() == 1
    event = access.trail(world.person).first()
    assert (event.action, event.actor, event.details) == (
        "care.person.erased",
        None,
        {"reason": "retention"},
    )
