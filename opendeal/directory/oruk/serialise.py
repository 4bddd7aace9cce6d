"""Directory records -> the standard's JSON (HSDS-UK 3.0), as in its `service_full.json`.

Empty values are left out rather than written as null: the standard's schemas type every field
as a string or number, and null would fail them.

Many records at once: load them with `full_services` (one query per related table, whatever
the number of services) and pass an `AttributeIndex` holding the attributes of all of them
(attributes point at records by id, not by foreign key, so they cannot be prefetched).
"""

import datetime as dt
import functools
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet

from opendeal.directory.models import (
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from opendeal.directory.oruk.spec import BY_KEY, ObjectType, model_field


def json_value(value: Any) -> Any:
    """One field value as the standard writes it."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        # 100.000000 -> 100 and 53.5450 -> 53.545, so a value reads back as it was written.
        normalised = value.normalize()
        return (
            int(normalised) if normalised == normalised.to_integral_value() else float(normalised)
        )
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@functools.cache
def _attnames(key: str) -> tuple[tuple[str, str], ...]:
    """(the standard's name, model attname) of each of an object type's fields."""
    object_type = BY_KEY[key]
    return tuple((name, model_field(object_type, name).attname) for name in object_type.fields)


def record_fields(object_type: ObjectType, obj: models.Model, *, leave_out: tuple = ()) -> dict:
    """`id` and the standard's fields of one record, leaving out empty ones and `leave_out`."""
    data: dict[str, Any] = {"id": str(obj.pk)}
    for name, attname in _attnames(object_type.key):
        if name in leave_out:
            continue
        value = getattr(obj, attname)
        if value is None or value == "":
            continue
        data[name] = json_value(value)
    return data


class AttributeIndex:
    """The attributes (with their taxonomy terms) of a set of records, loaded in one query."""

    def __init__(self, record_ids: Iterable[uuid.UUID]) -> None:
        self.by_link: dict[uuid.UUID, list[Attribute]] = {}
        ids = set(record_ids)
        if not ids:
            return
        attributes = Attribute.objects.filter(link_id__in=ids).select_related("taxonomy_term")
        for attribute in attributes.order_by("id"):
            self.by_link.setdefault(attribute.link_id, []).append(attribute)

    @classmethod
    def for_services(
        cls, services: Iterable[Service], also: Iterable[uuid.UUID] = ()
    ) -> "AttributeIndex":
        """For the services, their organizations and their locations (already loaded), and
        the records `also` names."""
        ids: set[uuid.UUID] = set(also)
        for service in services:
            ids.add(service.pk)
            if service.organization_id:
                ids.add(service.organization_id)
            ids.update(link.location_id for link in service.service_at_locations.all())
        return cls(ids)

    def serialise(self, record_id: uuid.UUID) -> list[dict]:
        result = []
        for attribute in self.by_link.get(record_id, ()):
            data = record_fields(BY_KEY["attribute"], attribute, leave_out=("link_id",))
            if attribute.taxonomy_term is not None:
                data.pop("taxonomy_term_id", None)
                data["taxonomy_term"] = record_fields(
                    BY_KEY["taxonomy_term"], attribute.taxonomy_term
                )
            result.append(data)
        return result


def full_services(services: QuerySet[Service]) -> QuerySet[Service]:
    """`services` with everything `serialise_service` reads, in a fixed number of queries."""
    return services.select_related("organization").prefetch_related(
        "schedules",
        "service_areas",
        "languages",
        "funding",
        "cost_options",
        "contacts__phones",
        "organization__organization_identifiers",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "location__accessibility"
            ),
        ),
    )


def serialise_organization(
    organization: Organization, attributes: AttributeIndex | None = None
) -> dict:
    attributes = attributes or AttributeIndex([organization.pk])
    data = record_fields(BY_KEY["organization"], organization)
    data["organization_identifiers"] = [
        record_fields(BY_KEY["organization_identifier"], identifier, leave_out=("organization_id",))
        for identifier in organization.organization_identifiers.all()
    ]
    data["attributes"] = attributes.serialise(organization.pk)
    return data


def serialise_location(location: Location, attributes: AttributeIndex | None = None) -> dict:
    attributes = attributes or AttributeIndex([location.pk])
    data = record_fields(BY_KEY["location"], location)
    data["addresses"] = [
        record_fields(BY_KEY["address"], address, leave_out=("location_id",))
        for address in location.addresses.all()
    ]
    data["accessibility"] = [
        record_fields(BY_KEY["accessibility"], item, leave_out=("location_id",))
        for item in location.accessibility.all()
    ]
    data["attributes"] = attributes.serialise(location.pk)
    return data


def serialise_taxonomy(taxonomy: Taxonomy, *, with_terms: bool = True) -> dict:
    data = record_fields(BY_KEY["taxonomy"], taxonomy)
    if with_terms:
        terms = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy.pk)
        data["taxonomy_terms"] = [record_fields(BY_KEY["taxonomy_term"], term) for term in terms]
    return data


def serialise_service_summary(service: Service) -> dict:
    """A service's own fields and its organization's (the `/services` list's items)."""
    data = record_fields(
        BY_KEY["service"],
        service,
        leave_out=("organization_id",) if service.organization_id else (),
    )
    if service.organization is not None:
        data["organization"] = record_fields(BY_KEY["organization"], service.organization)
    return data


def serialise_service(
    service: Service,
    attributes: AttributeIndex | None = None,
    *,
    with_locations: bool = True,
    with_organization: bool = True,
) -> dict:
    """A service with everything the standard nests in it (the `/services/{id}` response).
    Inside a service-at-location or an organization, the enclosing record is left out."""
    attributes = attributes or AttributeIndex.for_services([service])
    below_service = ("service_id",)
    data = record_fields(
        BY_KEY["service"],
        service,
        leave_out=("organization_id",) if service.organization_id and with_organization else (),
    )
    data["schedules"] = [
        record_fields(BY_KEY["schedule"], schedule, leave_out=below_service)
        for schedule in service.schedules.all()
    ]
    data["service_areas"] = [
        record_fields(BY_KEY["service_area"], area, leave_out=below_service)
        for area in service.service_areas.all()
    ]
    if with_locations:
        data["service_at_locations"] = [
            {"id": str(link.pk), "location": serialise_location(link.location, attributes)}
            for link in service.service_at_locations.all()
        ]
    data["languages"] = [
        record_fields(BY_KEY["language"], language, leave_out=below_service)
        for language in service.languages.all()
    ]
    if service.organization is not None and with_organization:
        data["organization"] = serialise_organization(service.organization, attributes)
    data["funding"] = [
        record_fields(BY_KEY["funding"], funding, leave_out=below_service)
        for funding in service.funding.all()
    ]
    data["cost_options"] = [
        record_fields(BY_KEY["cost_option"], option, leave_out=below_service)
        for option in service.cost_options.all()
    ]
    data["contacts"] = []
    for contact in service.contacts.all():
        contact_data = record_fields(BY_KEY["contact"], contact, leave_out=below_service)
        # HSDS 3.0 nests a contact's phones; the UK profile has no other place for them in JSON.
        contact_data["phones"] = [
            record_fields(BY_KEY["phone"], phone, leave_out=("contact_id",))
            for phone in contact.phones.all()
        ]
        data["contacts"].append(contact_data)
    data["attributes"] = attributes.serialise(service.pk)
    return data


def serialise_services(services: Iterable[Service]) -> list[dict]:
    """Full records of services loaded through `full_services`, with one attributes query."""
    services = list(services)
    attributes = AttributeIndex.for_services(services)
    return [serialise_service(service, attributes) for service in services]
