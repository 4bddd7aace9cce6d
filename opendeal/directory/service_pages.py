"""What the public service page shows, read in a fixed number of queries.

The page shows only listings the public may see: active or temporarily closed services
(`PUBLIC_STATUSES`); inactive and defunct ones are gone from the directory.
"""

import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch

from . import costs as cost_rules
from .models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .opening_times import describe_schedules

PUBLIC_STATUSES = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


@dataclass(frozen=True)
class PlaceOnMap:
    """One marker: a service (or one of its locations) with coordinates, for the map script."""

    name: str
    latitude: float
    longitude: float
    url: str
    address: str = ""

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "lat": self.latitude,
            "lng": self.longitude,
            "url": self.url,
            "address": self.address,
        }


@dataclass
class LocationDetails:
    location: Location
    address: Address | None
    address_lines: list[str]
    accessibility: list[str]
    opening_times: list[str]

    @property
    def has_coordinates(self) -> bool:
        return self.location.latitude is not None and self.location.longitude is not None


@dataclass
class ServiceDetails:
    service: Service
    opening_times: list[str]
    locations: list[LocationDetails]
    contacts: list[Contact]
    costs: list[CostOption]
    categories: list[TaxonomyTerm]
    languages: list[str]
    accessibility: list[str] = field(default_factory=list)

    @property
    def is_free(self) -> bool:
        """Free by the rule "free services only" searches with (see `costs.py`)."""
        return cost_rules.is_free(cost.amount for cost in self.costs)

    @property
    def ages(self) -> str:
        return age_range_words(self.service.minimum_age, self.service.maximum_age)


def age_range_words(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"Ages {minimum} to {maximum}"
    if minimum is not None:
        return f"Ages {minimum} and over"
    if maximum is not None:
        return f"Ages up to {maximum}"
    return ""


def address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    parts = [address.address_1, address.address_2, address.city, address.postal_code]
    return [part.strip() for part in parts if part and part.strip()]


def first_address(location: Location) -> Address | None:
    """The physical address before a postal one."""
    addresses = sorted(location.addresses.all(), key=lambda a: a.address_type != "physical")
    return addresses[0] if addresses else None


def _accessibility_lines(location: Location) -> list[str]:
    lines = []
    for item in location.accessibility.all():
        for text in (item.description, item.details):
            text = (text or "").strip()
            if text and text not in lines:
                lines.append(text)
    return lines


def public_service(service_id: uuid.UUID) -> ServiceDetails | None:
    """The service with everything its page shows, or None when the public may not see it."""
    schedules = Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "id"))
    links = Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
            "location__addresses", "location__accessibility", "schedules", "location__schedules"
        ),
    )
    service = (
        Service.objects.filter(id=service_id, status__in=PUBLIC_STATUSES)
        .select_related("organization")
        .prefetch_related(
            schedules,
            links,
            "contacts__phones",
            Prefetch("cost_options", queryset=CostOption.objects.order_by("amount", "id")),
        )
        .first()
    )
    if service is None:
        return None
    terms = _attached_terms(service.id)
    locations = [_location_details(link) for link in service.service_at_locations.all()]
    accessibility = [line for location in locations for line in location.accessibility]
    return ServiceDetails(
        service=service,
        opening_times=describe_schedules(service.schedules.all()),
        locations=locations,
        contacts=list(service.contacts.all()),
        costs=list(service.cost_options.all()),
        categories=[term for term in terms if not _is_language(term)],
        languages=[term.name for term in terms if _is_language(term)],
        accessibility=list(dict.fromkeys(accessibility)),
    )


def _location_details(link: ServiceAtLocation) -> LocationDetails:
    location = link.location
    address = first_address(location)
    schedules = [*link.schedules.all(), *location.schedules.all()]
    return LocationDetails(
        location=location,
        address=address,
        address_lines=address_lines(address),
        accessibility=_accessibility_lines(location),
        opening_times=describe_schedules(schedules),
    )


def _attached_terms(record_id: uuid.UUID) -> list[TaxonomyTerm]:
    """The taxonomy terms attached to a record through the standard's attributes."""
    attributes = (
        Attribute.objects.filter(link_id=record_id, taxonomy_term__isnull=False)
        .select_related("taxonomy_term")
        .order_by("taxonomy_term__name")
    )
    return list(dict.fromkeys(attribute.taxonomy_term for attribute in attributes))


def _is_language(term: TaxonomyTerm) -> bool:
    # HSDS-UK 3.0's language objects carry no name: publishers tag languages with terms of a
    # language taxonomy instead.
    return "language" in (term.taxonomy or "").lower()


def places_on_map(details: ServiceDetails, url: str) -> list[PlaceOnMap]:
    return [
        PlaceOnMap(
            name=details.service.name,
            latitude=float(place.location.latitude),
            longitude=float(place.location.longitude),
            url=url,
            address=", ".join(place.address_lines),
        )
        for place in details.locations
        if place.has_coordinates
    ]


def public_services_at(location: Location) -> list[Service]:
    """The services the public can see at a location, by name (for an event held there)."""
    return list(
        Service.objects.filter(service_at_locations__location=location, status__in=PUBLIC_STATUSES)
        .distinct()
        .order_by("name")
    )
