"""Which HSDS-UK 3.0 objects the directory holds, their CSV files and their references.

The importer, the serialiser and the exporter all read this one table, so a field added to a
model and listed here is imported, exported and round-tripped everywhere.
"""

from dataclasses import dataclass, field

from django.db import models

from opendeal.directory import models as directory


@dataclass(frozen=True)
class ObjectType:
    key: str
    model: type[models.Model]
    # The standard's CSV file first (the `path` of its table schema, which the exporter
    # writes); then other names packages use for the same table. The importer reads every one
    # present as one table: the standard's own example package has `address.csv` and
    # `schedule.csv` (its schemas' names) and also `addresses.csv` and `schedules.csv`, which
    # hold the same records with more of the schema's columns.
    csv_files: tuple[str, ...]
    # The standard's field names other than `id`, in the standard's column order.
    fields: tuple[str, ...]
    # Foreign keys by the standard's name (`service_id`) -> the object type they point at.
    references: dict[str, str] = field(default_factory=dict)

    @property
    def csv_file(self) -> str:
        return self.csv_files[0]


OBJECT_TYPES: tuple[ObjectType, ...] = (
    # In dependency order: an object comes after everything it references.
    ObjectType(
        "taxonomy",
        directory.Taxonomy,
        ("taxonomies.csv", "taxonomy.csv"),
        ("name", "description", "uri", "version"),
    ),
    ObjectType(
        "taxonomy_term",
        directory.TaxonomyTerm,
        ("taxonomy_terms.csv",),
        ("name", "description", "parent_id", "taxonomy", "taxonomy_id", "term_uri", "term"),
    ),
    ObjectType(
        "organization",
        directory.Organization,
        ("organizations.csv",),
        ("name", "description", "email", "website", "logo", "uri", "parent_organization_id"),
    ),
    ObjectType(
        "organization_identifier",
        directory.OrganizationIdentifier,
        ("organization_identifiers.csv",),
        ("organization_id", "identifier_scheme", "identifier_type", "identifier"),
        {"organization_id": "organization"},
    ),
    ObjectType(
        "location",
        directory.Location,
        ("locations.csv",),
        (
            "location_type",
            "name",
            "description",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
    ),
    ObjectType(
        "address",
        directory.Address,
        ("address.csv", "addresses.csv"),
        (
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        {"location_id": "location"},
    ),
    ObjectType(
        "accessibility",
        directory.Accessibility,
        ("accessibility.csv",),
        ("location_id", "description", "details", "url", "accessibility"),
        {"location_id": "location"},
    ),
    ObjectType(
        "service",
        directory.Service,
        ("services.csv",),
        (
            "organization_id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "fees",
            "accreditations",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "alert",
            "last_modified",
        ),
        {"organization_id": "organization"},
    ),
    ObjectType(
        "service_at_location",
        directory.ServiceAtLocation,
        ("service_at_location.csv",),
        ("service_id", "location_id"),
        {"service_id": "service", "location_id": "location"},
    ),
    ObjectType(
        "contact",
        directory.Contact,
        ("contacts.csv",),
        ("service_id", "name", "title"),
        {"service_id": "service"},
    ),
    ObjectType(
        "phone",
        directory.Phone,
        ("phones.csv",),
        ("contact_id", "number", "description"),
        {"contact_id": "contact"},
    ),
    ObjectType(
        "language",
        directory.Language,
        ("languages.csv",),
        ("service_id", "phone_id"),
        {"service_id": "service", "phone_id": "phone"},
    ),
    ObjectType(
        "schedule",
        directory.Schedule,
        ("schedule.csv", "schedules.csv"),
        (
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
        {
            "service_id": "service",
            "location_id": "location",
            "service_at_location_id": "service_at_location",
        },
    ),
    ObjectType(
        "cost_option",
        directory.CostOption,
        ("cost_options.csv",),
        ("service_id", "valid_from", "valid_to", "option", "amount", "amount_description"),
        {"service_id": "service"},
    ),
    ObjectType(
        "funding",
        directory.Funding,
        ("funding.csv",),
        ("service_id", "source"),
        {"service_id": "service"},
    ),
    ObjectType(
        "service_area",
        directory.ServiceArea,
        ("service_areas.csv",),
        ("service_id", "name", "extent", "extent_type", "uri", "service_area"),
        {"service_id": "service"},
    ),
    ObjectType(
        "attribute",
        directory.Attribute,
        ("attribute.csv",),
        ("link_id", "taxonomy_term_id", "link_type"),
        {"taxonomy_term_id": "taxonomy_term"},
    ),
)

BY_KEY: dict[str, ObjectType] = {object_type.key: object_type for object_type in OBJECT_TYPES}


def model_field(object_type: ObjectType, name: str) -> models.Field:
    """The model field behind one of the standard's field names (`service_id` -> `service`)."""
    if name in object_type.references:
        return object_type.model._meta.get_field(name.removesuffix("_id"))
    return object_type.model._meta.get_field(name)
