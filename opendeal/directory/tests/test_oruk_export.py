"""The standard's JSON for a service, checked against its schema, and export round trips."""

import copy
import filecmp
import json

import jsonschema
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from opendeal.directory import models as directory
from opendeal.directory.oruk.exporter import json_package, write_csv_package
from opendeal.directory.oruk.importer import import_json_data, import_package
from opendeal.directory.oruk.serialise import serialise_service
from opendeal.directory.oruk.spec import OBJECT_TYPES
from opendeal.directory.tests.oruk_files import (
    CSV_EXAMPLE_DIR,
    EXAMPLES_DIR,
    SCHEMA_DIR,
    load_json,
    schema_registry,
)

pytestmark = pytest.mark.django_db


def validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator(
        load_json(SCHEMA_DIR / schema_name),
        registry=schema_registry(),
        format_checker=FormatChecker(),
    )


def empty_the_directory() -> None:
    for object_type in reversed(OBJECT_TYPES):
        object_type.model.objects.all().delete()
    assert sum(object_type.model.objects.count() for object_type in OBJECT_TYPES) == 0


def test_a_service_serialises_as_the_standards_full_service_example():
    import_package(EXAMPLES_DIR / "service_full.json")

    produced = serialise_service(directory.Service.objects.get())

    expected = load_json(EXAMPLES_DIR / "service_full.json")
    # What we add: the empty lists the schemas allow, and a contact's phones (HSDS 3.0's place).
    expected["service_at_locations"][0]["location"]["attributes"] = []
    expected["organization"]["attributes"] = []
    expected["contacts"][0]["phones"] = []
    assert produced == expected
    assert list(produced) == list(expected)


@pytest.mark.parametrize("schema_name", ["compiled/service.json", "service.json"])
@pytest.mark.parametrize(
    "package", [EXAMPLES_DIR / "service_full.json", CSV_EXAMPLE_DIR], ids=["json", "csv"]
)
def test_a_serialised_service_is_valid_against_the_standards_schema(schema_name, package):
    import_package(package)

    produced = serialise_service(directory.Service.objects.get())

    validator(schema_name).validate(produced)
    # The check can fail: the same document with a status the standard does not have.
    broken = copy.deepcopy(produced)
    broken["schedules"][0]["freq"] = "FORTNIGHTLY"
    with pytest.raises(jsonschema.ValidationError, match="FORTNIGHTLY"):
        validator(schema_name).validate(broken)


def test_a_csv_imported_service_carries_its_contacts_phones():
    import_package(CSV_EXAMPLE_DIR)

    produced = serialise_service(directory.Service.objects.get())

    assert produced["contacts"][0]["phones"] == [
        {
            "id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e",
            "number": '"+44 1234 234567"',
            "description": directory.Phone.objects.get().description,
        }
    ]
    assert produced["languages"] == [
        {
            "id": "2989d3ed-c547-48f8-8f9d-432d81c7892e",
            "phone_id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e",
        }
    ]


def test_the_json_package_round_trips_unchanged():
    import_package(EXAMPLES_DIR / "service_full.json")
    # The standard's taxonomy example, in the exporter's top-level `taxonomies` list.
    taxonomy = load_json(EXAMPLES_DIR / "taxonomy.json")
    import_json_data({"contents": [], "taxonomies": [taxonomy]}, "taxonomy.json")
    first = json.loads(json.dumps(json_package()))
    assert first["total_items"] == 1
    assert [item["id"] for item in first["taxonomies"]] == [taxonomy["id"]]
    # The term inside the taxonomy is the one the service's attribute uses.
    assert first["contents"][0]["attributes"][0]["taxonomy_term"]["taxonomy_id"] == taxonomy["id"]

    empty_the_directory()
    import_json_data(first, "export.json")
    second = json.loads(json.dumps(json_package()))

    assert second == first
    assert directory.Attribute.objects.count() == 1
    assert directory.TaxonomyTerm.objects.get().taxonomy_id is not None


def test_the_csv_package_round_trips_unchanged(tmp_path):
    import_package(CSV_EXAMPLE_DIR)
    first = write_csv_package(tmp_path / "first")

    empty_the_directory()
    report = import_package(tmp_path / "first")
    second = write_csv_package(tmp_path / "second")

    assert report.counts == {
        object_type.key: {"created": 1, "updated": 0} for object_type in OBJECT_TYPES
    }
    assert report.ignored_files == []
    assert [path.name for path in first] == [path.name for path in second]
    for first_file, second_file in zip(first, second, strict=True):
        assert filecmp.cmp(first_file, second_file, shallow=False), first_file.name
    services_csv = (tmp_path / "first" / "services.csv").read_text(encoding="utf-8")
    assert services_csv.splitlines()[0].startswith("id,organization_id,name,description,url")
    assert "2023-03-15T10:30:45.123Z" in services_csv
