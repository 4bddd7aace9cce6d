"""Directory records -> the standard's JSON (HSDS-UK 3.0), as in its `service_full.json`.

Empty values are left out rather than written as null: the standard's schemas type every field
as a string or number, and null would fail them.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models

from opendeal.directory.models import Attribute, Location, Organization, Service, Taxonomy
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


def record_fields(object_type: ObjectType, obj: models.Model, *, leave_out: tuple = ()) -> dict:
    """`id` and the standard's fields of one record, leaving out empty ones and `leave_out`."""
    data: dict[str, Any] = {"id": str(obj.pk)}
    for name in object_type.fields:
        if name in leave_out:
            continue
        value = getattr(obj, model_field(object_type, name).attname)
        if value is None or value == "":
            continue
        data[name] = json_value(value)
    return data


def attributes_of(record_id: uuid.UUID) -> list[dict]:
    attributes = Attribute.objects.filter(link_id=record_id).select_related("taxonomy_term")
    result = []
    for attribute in attributes:
        data = record_fields(BY_KEY["attribute"], attribute, leave_out=("link_id",))
        if attribute.taxonomy_term is not None:
            data.pop("taxonomy_term_id", None)
            data["taxonomy_term"] = record_fields(BY_KEY["taxonomy_term"], attribute.taxonomy_term)
        result.append(data)
    return result


def serialise_organization(organization: Organization) -> dict:
    data = record_fields(BY_KEY["organization"], organization)
    data["organization_identifiers"] = [
        record_fields(BY_KEY["organization_identifier"], identifier, leave_out=("organization_id",))
        for identifier in organization.organization_identifiers.all()
    ]
    data["attributes"] = attributes_of(organization.pk)
    return data


def serialise_location(location: Location) -> dict:
    data = record_fields(BY_KEY["location"], location)
    data["addresses"] = [
        record_fields(BY_KEY["address"], address, leave_out=("location_id",))
        for address in location.addresses.all()
    ]
    data["accessibility"] = [
        record_fields(BY_KEY["accessibility"], item, leave_out=("location_id",))
        for item in location.accessibility.all()
    ]
    data["attributes"] = attributes_of(location.pk)
    return data


def serialise_taxonomy(taxonomy: Taxonomy) -> dict:
    data = record_fields(BY_KEY["taxonomy"], taxonomy)
    terms = BY_KEY["taxonomy_term"].model.objects.filter(taxonomy_id=taxonomy.pk)
    data["taxonomy_terms"] = [record_fields(BY_KEY["taxonomy_term"], term) for term in terms]
    return data


def serialise_service(service: Service) -> dict:
    """A service with everything the standard nests in it (the `/services/{id}` response)."""
    below_service = ("service_id",)
    data = record_fields(
        BY_KEY["service"],
        service,
        leave_out=("organization_id",) if service.organization_id else (),
    )
    data["schedules"] = [
        record_fields(BY_KEY["schedule"], schedule, leave_out=below_service)
        for schedule in service.schedules.all()
    ]
    data["service_areas"] = [
        record_fields(BY_KEY["service_area"], area, leave_out=below_service)
        for area in service.service_areas.all()
    ]
    data["service_at_locations"] = [
        {"id": str(link.pk), "location": serialise_location(link.location)}
        for link in service.service_at_locations.select_related("location")
    ]
    data["languages"] = [
        record_fields(BY_KEY["language"], language, leave_out=below_service)
        for language in service.languages.all()
    ]
    if service.organization is not None:
        data["organization"] = serialise_organization(service.organization)
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
    data["attributes"] = attributes_of(service.pk)
    return data
