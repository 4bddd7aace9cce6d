"""The whole directory as an Open Referral UK package that `importer` reads back unchanged.

JSON: the API's paginated list shape with every service in `contents`, plus top-level
`organizations` and `taxonomies` lists so organisations without services and taxonomies
survive. Records that the standard's JSON cannot place (a location with no service, an
attribute on nothing) are only in the CSV package, which holds every record.
"""

import csv
from pathlib import Path
from typing import Any

from opendeal.directory.models import Organization, Service, Taxonomy
from opendeal.directory.oruk.serialise import (
    full_services,
    json_value,
    serialise_organization,
    serialise_services,
    serialise_taxonomy,
)
from opendeal.directory.oruk.spec import OBJECT_TYPES, model_field

# Services serialised per batch: a fixed number of queries each, and SQLite's limit on
# query parameters is never reached by the prefetches' IN lists.
BATCH_SIZE = 500


def all_services_serialised() -> list[dict]:
    ids = list(Service.objects.order_by("id").values_list("id", flat=True))
    serialised: list[dict] = []
    for start in range(0, len(ids), BATCH_SIZE):
        batch = full_services(Service.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        serialised.extend(serialise_services(batch.order_by("id")))
    return serialised


def json_package() -> dict[str, Any]:
    services = all_services_serialised()
    return {
        "total_items": len(services),
        "total_pages": 1,
        "page_number": 1,
        "size": len(services),
        "first_page": True,
        "last_page": True,
        "empty": not services,
        "contents": services,
        "organizations": [
            serialise_organization(organization)
            for organization in Organization.objects.order_by("id")
        ],
        "taxonomies": [
            serialise_taxonomy(taxonomy) for taxonomy in Taxonomy.objects.order_by("id")
        ],
    }


def csv_value(value: Any) -> str:
    value = json_value(value)
    return "" if value is None else str(value)


def write_csv_package(folder: Path) -> list[Path]:
    """Write one of the standard's CSV files per object type into `folder`; return them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for object_type in OBJECT_TYPES:
        path = folder / object_type.csv_file
        columns = ("id", *object_type.fields)
        attnames = [
            "id" if name == "id" else model_field(object_type, name).attname for name in columns
        ]
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            for row in object_type.model.objects.order_by("id").values_list(*attnames):
                writer.writerow([csv_value(value) for value in row])
        written.append(path)
    return written
