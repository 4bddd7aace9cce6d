"""Listings for the tests of the public directory pages (and of events held at directory
places): services with places, addresses, opening times, costs, contacts and categories."""

import datetime as dt
import uuid
from decimal import Decimal

from opendeal.directory import models as directory
from opendeal.geography.models import Postcode

# Wigan town centre, and places at known distances from it.
WIGAN = (53.5450, -2.6325)
STANDISH = (53.5870, -2.6610)  # about 5.1 km (3.1 miles) north
LEIGH = (53.4970, -2.5170)  # about 9.3 km (5.8 miles) south-east
MANCHESTER = (53.4808, -2.2426)  # about 26.6 km east


def add_postcode(postcode: str, at: tuple[float, float] | None) -> Postcode:
    return Postcode.objects.create(
        postcode=postcode,
        latitude=Decimal(str(at[0])) if at else None,
        longitude=Decimal(str(at[1])) if at else None,
        local_authority_code="E08000010",
    )


def make_place(
    at: tuple[float, float] | None,
    *,
    name: str = "",
    address_1: str = "",
    postcode: str = "",
    accessibility: str = "",
) -> directory.Location:
    location = directory.Location.objects.create(
        id=uuid.uuid4(),
        location_type="physical",
        name=name,
        latitude=Decimal(str(at[0])) if at else None,
        longitude=Decimal(str(at[1])) if at else None,
    )
    if address_1:
        directory.Address.objects.create(
            id=uuid.uuid4(),
            location=location,
            address_1=address_1,
            city="Wigan",
            state_province="Greater Manchester",
            postal_code=postcode,
            country="GB",
            address_type="physical",
        )
    if accessibility:
        directory.Accessibility.objects.create(
            id=uuid.uuid4(), location=location, description=accessibility
        )
    return location


def make_listing(
    name: str,
    description: str = "",
    *,
    at: tuple[float, float] | None = None,
    location: directory.Location | None = None,
    reviewed_days_ago: int | None = 30,
    **fields,
) -> directory.Service:
    fields.setdefault("status", "active")
    if reviewed_days_ago is not None:
        fields.setdefault("last_reviewed_on", dt.date.today() - dt.timedelta(reviewed_days_ago))
    service = directory.Service.objects.create(
        id=uuid.uuid4(), name=name, description=description, **fields
    )
    if at is not None and location is None:
        location = make_place(at, address_1=f"1 {name} Street", postcode="WN1 1AA")
    if location is not None:
        directory.ServiceAtLocation.objects.create(
            id=uuid.uuid4(), service=service, location=location
        )
    return service


def weekly(
    service: directory.Service, byday: str, opens: str, closes: str, **fields
) -> directory.Schedule:
    return directory.Schedule.objects.create(
        id=uuid.uuid4(),
        service=service,
        freq="WEEKLY",
        byday=byday,
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        **fields,
    )


def cost(service: directory.Service, amount: str, option: str = "") -> directory.CostOption:
    return directory.CostOption.objects.create(
        id=uuid.uuid4(), service=service, amount=Decimal(amount), option=option
    )


def make_category(name: str, taxonomy: str = "Categories") -> directory.TaxonomyTerm:
    return directory.TaxonomyTerm.objects.create(
        id=uuid.uuid4(), name=name, description=name, taxonomy=taxonomy
    )


def tag(service: directory.Service, term: directory.TaxonomyTerm) -> None:
    directory.Attribute.objects.create(
        id=uuid.uuid4(), link_id=service.pk, link_type="service", taxonomy_term=term
    )


def phone(service: directory.Service, number: str, *, name: str = "") -> directory.Phone:
    contact = directory.Contact.objects.create(id=uuid.uuid4(), service=service, name=name)
    return directory.Phone.objects.create(id=uuid.uuid4(), contact=contact, number=number)
