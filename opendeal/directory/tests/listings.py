"""Directory records for tests: services with places, schedules and categories."""

import datetime as dt
import uuid
from decimal import Decimal

from opendeal.directory import models as directory

# Wigan town centre, and places at known distances from it.
WIGAN = (53.5450, -2.6325)
STANDISH = (53.5870, -2.6610)  # about 5.1 km north
LEIGH = (53.4970, -2.5170)  # about 9.1 km south-east
MANCHESTER = (53.4808, -2.2426)  # about 26.6 km east


def make_location(latitude: float, longitude: float, **fields) -> directory.Location:
    return directory.Location.objects.create(
        id=uuid.uuid4(),
        location_type="physical",
        latitude=Decimal(str(latitude)),
        longitude=Decimal(str(longitude)),
        **fields,
    )


def make_service(
    name: str,
    description: str = "",
    *,
    at: tuple[float, float] | list[tuple[float, float]] | None = None,
    **fields,
) -> directory.Service:
    fields.setdefault("status", "active")
    service = directory.Service.objects.create(
        id=uuid.uuid4(), name=name, description=description, **fields
    )
    places = [at] if isinstance(at, tuple) else (at or [])
    for latitude, longitude in places:
        directory.ServiceAtLocation.objects.create(
            id=uuid.uuid4(), service=service, location=make_location(latitude, longitude)
        )
    return service


def weekly(service: directory.Service, byday: str, opens: str, closes: str, **fields):
    return directory.Schedule.objects.create(
        id=uuid.uuid4(),
        service=service,
        freq="WEEKLY",
        byday=byday,
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        **fields,
    )


def make_term(name: str, *, parent=None, taxonomy_id=None) -> directory.TaxonomyTerm:
    return directory.TaxonomyTerm.objects.create(
        id=uuid.uuid4(),
        name=name,
        description=name,
        parent_id=parent.pk if parent else None,
        taxonomy_id=taxonomy_id,
    )


def tag(service: directory.Service, term: directory.TaxonomyTerm) -> None:
    directory.Attribute.objects.create(
        id=uuid.uuid4(), link_id=service.pk, link_type="service", taxonomy_term=term
    )
