"""Small, hand-countable data for the demand dashboard and gap map tests."""

import datetime
import uuid
from decimal import Decimal

from opendeal.care.models import (
    Conversation,
    HeardNeed,
    Person,
    SupportPackage,
    SwemwbsResponse,
    Team,
)
from opendeal.directory.models import Attribute, Location, Service, ServiceAtLocation, TaxonomyTerm


def person(team: Team, lsoa: str = "", ward: str = "") -> Person:
    return Person.objects.create(
        team=team,
        given_name="Fictional",
        family_name="Person",
        is_fictional=True,
        lsoa21_code=lsoa,
        ward_code=ward,
    )


def contact(
    someone: Person, held_on: datetime.date, outcome: str = "information_and_advice", team=None
) -> Conversation:
    return Conversation.objects.create(
        person=someone,
        team=team or someone.team,
        kind="listen_and_connect",
        held_on=held_on,
        outcome=outcome,
        lsoa21_code=someone.lsoa21_code,
        ward_code=someone.ward_code,
    )


def package(
    someone: Person,
    weekly_cost: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    kind: str = "long_term",
) -> SupportPackage:
    return SupportPackage.objects.create(
        person=someone,
        team=someone.team,
        kind=kind,
        setting="home_care",
        weekly_cost=Decimal(weekly_cost),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def swemwbs(someone: Person, recorded_on: datetime.date, metric: str) -> SwemwbsResponse:
    return SwemwbsResponse.objects.create(
        person=someone,
        recorded_on=recorded_on,
        optimistic=3,
        useful=3,
        relaxed=3,
        dealing_with_problems=3,
        thinking_clearly=3,
        close_to_others=3,
        own_mind=3,
        raw_score=21,
        metric_score=Decimal(metric),
    )


def term(name: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(id=uuid.uuid4(), name=name, description=name)


def service_at(
    offered: TaxonomyTerm, latitude: float, longitude: float, status: str = "active"
) -> Service:
    service = Service.objects.create(id=uuid.uuid4(), name=f"{offered.name} club", status=status)
    location = Location.objects.create(
        id=uuid.uuid4(),
        location_type="physical",
        latitude=Decimal(f"{latitude:.6f}"),
        longitude=Decimal(f"{longitude:.6f}"),
    )
    ServiceAtLocation.objects.create(id=uuid.uuid4(), service=service, location=location)
    Attribute.objects.create(
        id=uuid.uuid4(), link_id=service.id, link_type="service", taxonomy_term=offered
    )
    return service


def heard(conversation: Conversation, wanted: TaxonomyTerm, kind: str = "need") -> HeardNeed:
    return HeardNeed.objects.create(
        conversation=conversation,
        person=conversation.person,
        taxonomy_term=wanted,
        kind=kind,
        heard_on=conversation.held_on,
        lsoa21_code=conversation.lsoa21_code,
        ward_code=conversation.ward_code,
    )
