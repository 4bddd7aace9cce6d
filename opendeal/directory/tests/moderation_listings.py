"""Small listings for the moderation tests: an organisation with one service at one place,
with a contact, a cost, a category and opening hours, and people in each part."""

import datetime
import uuid
from decimal import Decimal

from opendeal.core.models import User
from opendeal.directory import schedules
from opendeal.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Location,
    Organization,
    OrganizationMember,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from opendeal.geography.models import Postcode


def make_term(name: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(id=uuid.uuid4(), name=name, description=f"{name} services")


def make_organization(name: str = "Pemberton Pantry") -> Organization:
    return Organization.objects.create(id=uuid.uuid4(), name=name, description="A pantry")


def add_member(user: User, organization: Organization) -> User:
    OrganizationMember.objects.create(user=user, organization=organization)
    return user


def make_place(
    postcode: str = "WN5 9RN", latitude: str = "53.544202", longitude: str = "-2.665879"
) -> Postcode:
    return Postcode.objects.get_or_create(
        postcode=postcode,
        defaults={
            "latitude": Decimal(latitude),
            "longitude": Decimal(longitude),
            "local_authority_code": "E08000010",
        },
    )[0]


def make_location(name: str = "Community room", postcode: str = "WN5 9RN") -> Location:
    location = Location.objects.create(
        id=uuid.uuid4(), location_type=Location.LocationType.PHYSICAL, name=name
    )
    Address.objects.create(
        id=uuid.uuid4(),
        location=location,
        address_1="Sherwood Crescent",
        city="Wigan",
        state_province="England",
        postal_code=postcode,
        country="GB",
        address_type=Address.AddressType.PHYSICAL,
    )
    return location


def make_listing(
    organization: Organization | None = None,
    *,
    name: str = "Community pantry",
    term: TaxonomyTerm | None = None,
    location: Location | None = None,
    reviewed_on: datetime.date | None = datetime.date(2026, 1, 10),
) -> Service:
    organization = organization or make_organization()
    service = Service.objects.create(
        id=uuid.uuid4(),
        organization=organization,
        name=name,
        description="Groceries for a small weekly amount.",
        status=Service.Status.ACTIVE,
        minimum_age=18,
        last_reviewed_on=reviewed_on,
    )
    ServiceAtLocation.objects.create(
        id=uuid.uuid4(), service=service, location=location or make_location()
    )
    contact = Contact.objects.create(id=uuid.uuid4(), service=service, name="Enquiries")
    Phone.objects.create(id=uuid.uuid4(), contact=contact, number="01942 100000")
    CostOption.objects.create(
        id=uuid.uuid4(), service=service, option="per week", amount=Decimal("3.50")
    )
    Attribute.objects.create(
        id=uuid.uuid4(),
        link_type="service",
        link_id=service.id,
        taxonomy_term=term or make_term("Food"),
    )
    hours = schedules.OpeningHours(
        days={
            "TU": (datetime.time(10), datetime.time(14)),
            "TH": (datetime.time(10), datetime.time(14)),
        }
    )
    for fields in schedules.to_schedule_fields(hours):
        Schedule.objects.create(id=uuid.uuid4(), service=service, **fields)
    return service
