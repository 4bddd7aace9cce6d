"""A small world for the care tests: two teams, their staff, a person in each team with every
kind of record, and a directory service near the first person's home."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from opendeal.care import services
from opendeal.care.models import (
    AgreedAction,
    Connection,
    Conversation,
    Person,
    Relationship,
    SupportPackage,
    Team,
)
from opendeal.core.models import User
from opendeal.directory.models import (
    Attribute,
    Location,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from opendeal.geography.models import Postcode

VALID_NHS_NUMBER = "9434765919"


@dataclass
class CareWorld:
    north: Team
    south: Team
    practitioner: User  # member of north
    other_practitioner: User  # member of south
    manager: User  # manages north
    person: Person  # in north, with a record of every kind
    south_person: Person
    conversation: Conversation
    relationship: Relationship
    action: AgreedAction
    connection: Connection
    package: SupportPackage
    term: TaxonomyTerm
    service: Service


def make_term(name: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(id=uuid.uuid4(), name=name, description=name)


def make_service(name: str, term: TaxonomyTerm, latitude: str, longitude: str) -> Service:
    service = Service.objects.create(
        id=uuid.uuid4(), name=name, description=f"{name} for everyone", status="active"
    )
    location = Location.objects.create(
        id=uuid.uuid4(),
        location_type="physical",
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
    )
    ServiceAtLocation.objects.create(id=uuid.uuid4(), service=service, location=location)
    Attribute.objects.create(
        id=uuid.uuid4(), link_id=service.id, link_type="service", taxonomy_term=term
    )
    return service


def build_world(make_user) -> CareWorld:
    from opendeal.core.roles import Role

    Postcode.objects.create(
        postcode="WN5 9RN",
        latitude=Decimal("53.540000"),
        longitude=Decimal("-2.660000"),
        lsoa21_code="E01006345",
        ward_code="E05015627",
        local_authority_code="E08000010",
    )
    north = Team.objects.create(name="North team")
    south = Team.objects.create(name="South team")
    practitioner = make_user(Role.PRACTITIONER, full_name="Pat Practitioner")
    other = make_user(Role.PRACTITIONER, full_name="Oli Other")
    manager = make_user(Role.TEAM_MANAGER, full_name="Mo Manager")
    north.members.add(practitioner)
    south.members.add(other)
    north.managers.add(manager)
    person = services.create_person(
        practitioner,
        north,
        given_name="Margaret",
        family_name="Testperson",
        date_of_birth=datetime.date(1941, 5, 2),
        address="1 Test Street",
        postcode="wn5 9rn",
        phone="0161 496 0123",
        nhs_number="943 476 5919",
        strengths="Gardening",
        what_matters="Her allotment",
    )
    south_person = services.create_person(other, south, given_name="Sam", family_name="South")
    term = make_term("Gardening")
    service = make_service("Allotment club", term, "53.541000", "-2.661000")
    conversation = services.record_conversation(
        practitioner,
        person,
        kind="listen_and_connect",
        method="home_visit",
        held_on=timezone.localdate() - datetime.timedelta(days=3),
        strengths_heard="Knows everyone",
        outcome="community_connection",
        needs=[term],
        interests=[term],
    )
    relationship = services.add_relationship(
        practitioner, person, name="Karen", kind="family", phone="0161 496 0456"
    )
    action = services.add_action(
        practitioner,
        conversation,
        description="Visit the allotment club",
        owner="Margaret",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    connection = services.connect_to_service(practitioner, conversation, service)
    package = services.add_package(
        practitioner,
        person,
        kind="reablement",
        setting="home_care",
        weekly_cost=Decimal("245.50"),
        starts_on=timezone.localdate(),
    )
    services.record_swemwbs(
        practitioner,
        person,
        timezone.localdate(),
        dict.fromkeys(
            [
                "optimistic",
                "useful",
                "relaxed",
                "dealing_with_problems",
                "thinking_clearly",
                "close_to_others",
                "own_mind",
            ],
            3,
        ),
    )
    return CareWorld(
        north,
        south,
        practitioner,
        other,
        manager,
        person,
        south_person,
        conversation,
        relationship,
        action,
        connection,
        package,
        term,
        service,
    )
