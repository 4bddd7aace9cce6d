"""The demo borough shows the loop closed (issue 9): a gap people told practitioners about
before Round 1 became one of its priorities, the awarded project that chose it is listed in the
directory where it closes the gap, and the people who asked are connected to it, with their
wellbeing before and after; the transit gap in Leigh and Atherton stays open."""

from decimal import Decimal

import pytest
from django.utils import timezone

from opendeal.care.demo import load_demo_care
from opendeal.care.demo_loop import (
    LOOP_PEOPLE,
    load_demo_funded_connections,
    load_demo_gap_people,
)
from opendeal.care.gaps import find_gaps
from opendeal.care.models import Connection, ConnectionStatus, HeardNeed, Person, SwemwbsResponse
from opendeal.care.outcomes import outcomes_for_services
from opendeal.care.scoring import conversion_table
from opendeal.core.demo import load_demo_accounts
from opendeal.core.models import AuditEvent
from opendeal.directory.demo import demo_id, load_demo_directory
from opendeal.directory.models import Attribute, Service
from opendeal.fund.demo import (
    CLOSED_ROUND_SLUG,
    GAP_APPLICATION,
    GAP_POSTCODE,
    GAP_TERM_KEY,
    load_demo_fund,
)
from opendeal.fund.demo_awards import load_demo_awards
from opendeal.fund.models import Grant, Priority, Round
from opendeal.geography.models import Postcode

pytestmark = pytest.mark.django_db


def _load_demo() -> list[str]:
    """The parts of `opendeal demo` the loop needs, in its order."""
    load_demo_accounts()
    load_demo_directory()
    return [
        load_demo_care(),
        load_demo_gap_people(),
        load_demo_fund(),
        load_demo_awards(),
        load_demo_funded_connections(),
    ]


def _counts() -> dict[str, int]:
    models = [
        Person,
        HeardNeed,
        Connection,
        SwemwbsResponse,
        Priority,
        Grant,
        Service,
        Attribute,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _gap_keys() -> set[str]:
    return {gap.key for gap in find_gaps()}


def test_the_demo_shows_a_gap_closed_by_a_funded_project_with_its_people_and_outcomes():
    reports = _load_demo()
    assert "7 fictional people in Hindley added" in reports[1]
    assert "has the recorded gap “Food in Wigan 016A” as a priority" in reports[2]
    assert "7 fictional people connected" in reports[4]

    round_ = Round.objects.get(slug=CLOSED_ROUND_SLUG)
    opened_on = timezone.localtime(round_.opens_at).date()
    food = demo_id("term", GAP_TERM_KEY)
    lsoa = Postcode.objects.get(postcode=GAP_POSTCODE).lsoa21_code
    gap_key = f"{food}:{lsoa}"

    # Round 1's priority was made from the gap, and the application that chose it was awarded.
    priority = round_.priorities.get(gap_taxonomy_term_id=food, gap_area_code=lsoa)
    assert AuditEvent.objects.filter(
        action="fund.priority.created_from_gap", object_id=str(priority.public_id)
    ).exists()
    grant = Grant.objects.get(application__project_title=GAP_APPLICATION)
    assert grant.application.round == round_
    assert grant.application.priorities.filter(pk=priority.pk).exists()

    # People asked for it before the round opened, so before the project was listed.
    service = Service.objects.get(id=grant.directory_service_id)
    listed_on = timezone.localtime(service.last_modified).date()
    assert opened_on < grant.awarded_on < listed_on <= timezone.localdate()
    heard_before = HeardNeed.objects.filter(
        taxonomy_term_id=food, lsoa21_code=lsoa, heard_on__lt=opened_on
    )
    assert heard_before.values("person").distinct().count() == len(LOOP_PEOPLE)
    assert all(need.person.is_fictional for need in heard_before)
    assert Attribute.objects.filter(link_id=service.id, taxonomy_term_id=food).exists()

    # Listed, it closes the gap; the transit gap in Leigh and Atherton is still open.
    gaps = find_gaps()
    assert gap_key not in {gap.key for gap in gaps}
    leigh = set(
        Person.objects.filter(team__name__startswith="Leigh").values_list("lsoa21_code", flat=True)
    )
    assert any(gap.term_name == "Transit" and gap.area_code in leigh for gap in gaps)

    # Connected after it went live: all of them, six went, and their wellbeing rose.
    connections = Connection.objects.filter(service=service)
    assert connections.count() == len(LOOP_PEOPLE)
    assert all(c.made_on > listed_on and c.person.is_fictional for c in connections)
    assert connections.filter(status=ConnectionStatus.ATTENDED).count() == 5
    outcomes = outcomes_for_services([service.id], since=grant.awarded_on)
    table = conversion_table()
    changes = [
        table[later] - table[at] for _, at, later in (p.raw_scores for p in LOOP_PEOPLE) if later
    ]
    assert outcomes.people_connected == 7
    assert outcomes.people_attended == 6
    assert outcomes.people_with_wellbeing == len(changes) == 6
    assert outcomes.mean_wellbeing_change == (sum(changes) / 6).quantize(Decimal("0.01"))
    assert outcomes.mean_wellbeing_change > 0

    # Loading the demo again changes nothing.
    counts = _counts()
    again = _load_demo()
    assert _counts() == counts
    assert "0 fictional people in Hindley added" in again[1]
    assert "0 fictional people connected" in again[4]
    assert gap_key not in _gap_keys()

    # Without the service, with only what was heard before it was listed, it is a gap.
    Service.objects.filter(id=service.id).update(status=Service.Status.INACTIVE)
    HeardNeed.objects.filter(heard_on__gte=listed_on).delete()
    assert gap_key in _gap_keys()
