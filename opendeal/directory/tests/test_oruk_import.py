"""Importing Open Referral UK packages: the standard's own examples, re-imports, bad input."""

import datetime as dt
import json
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.directory import models as directory
from opendeal.directory.oruk.importer import OrukImportError, import_json_data, import_package
from opendeal.directory.oruk.spec import OBJECT_TYPES
from opendeal.directory.tests.oruk_files import (
    CSV_EXAMPLE_DIR,
    EXAMPLE_LATITUDE,
    EXAMPLE_LONGITUDE,
    EXAMPLES_DIR,
    STANDARD_EXAMPLES_DIR,
    load_json,
)

pytestmark = pytest.mark.django_db

SERVICE_ID = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")


def directory_counts() -> dict[str, int]:
    return {object_type.key: object_type.model.objects.count() for object_type in OBJECT_TYPES}


NOTHING = dict.fromkeys((object_type.key for object_type in OBJECT_TYPES), 0)

# What examples/service_full.json holds: one of each, but no taxonomy (the term names it only)
# and no phone (the UK profile's service JSON has no place for one).
SERVICE_FULL_COUNTS = {**dict.fromkeys(NOTHING, 1), "taxonomy": 0, "phone": 0}


def copy_csv_example(tmp_path: Path) -> Path:
    folder = tmp_path / "csv"
    shutil.copytree(CSV_EXAMPLE_DIR, folder)
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_standards_full_service_example_imports_every_object_it_holds():
    report = import_package(EXAMPLES_DIR / "service_full.json")

    assert directory_counts() == SERVICE_FULL_COUNTS
    assert report.counts == {
        key: {"created": 1, "updated": 0} for key, count in SERVICE_FULL_COUNTS.items() if count
    }
    service = directory.Service.objects.get()
    assert service.pk == SERVICE_ID
    assert service.status == "active"
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.last_modified == dt.datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=dt.UTC)
    assert service.organization.name == "Example Organization Inc."
    location = directory.Location.objects.get()
    assert (location.latitude, location.longitude) == (
        Decimal(EXAMPLE_LATITUDE),
        Decimal(EXAMPLE_LONGITUDE),
    )
    link = directory.ServiceAtLocation.objects.get()
    assert (link.service_id, link.location_id) == (service.pk, location.pk)
    schedule = directory.Schedule.objects.get()
    assert schedule.service_id == service.pk
    assert (schedule.freq, schedule.interval, schedule.byday) == ("WEEKLY", 1, "TH,FR")
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(10), dt.time(18))
    assert directory.CostOption.objects.get().amount == Decimal("35")
    attribute = directory.Attribute.objects.get()
    # The attribute sits inside the service, so it is linked to the service.
    assert (attribute.link_id, attribute.link_type) == (service.pk, "link_type")
    assert attribute.taxonomy_term.parent_id == uuid.UUID("0bc248fa-dc27-4650-9ba4-8f1a24ef16a2")
    assert AuditEvent.objects.filter(action="directory.import_oruk").count() == 1


def test_the_standards_paginated_service_list_imports():
    report = import_package(EXAMPLES_DIR / "service_list.json")

    assert directory_counts() == {**NOTHING, "service": 1, "organization": 1}
    assert report.counts == {
        "organization": {"created": 1, "updated": 0},
        "service": {"created": 1, "updated": 0},
    }
    assert directory.Service.objects.get().organization.name == "Example Organization Inc."


def test_the_standards_csv_package_imports_one_of_each_object():
    report = import_package(CSV_EXAMPLE_DIR)

    assert directory_counts() == dict.fromkeys(NOTHING, 1)
    assert report.counts == {key: {"created": 1, "updated": 0} for key in NOTHING}
    # Read: every file of a table the directory holds, under either of its names; not read:
    # the other tables.
    assert report.ignored_files == [
        "meta_table_descriptions.csv",
        "programs.csv",
        "required_documents.csv",
    ]
    language = directory.Language.objects.get()
    assert language.service_id == SERVICE_ID
    assert language.phone.contact.name == "Ann Persona"
    schedule = directory.Schedule.objects.get()
    assert schedule.service_at_location_id == uuid.UUID("e94c9f38-1e8f-4564-91d4-d53501ab1765")
    assert schedule.bymonthday == "2,3,4"
    # schedule.csv and schedules.csv hold the same schedule; only schedules.csv has these.
    assert (schedule.wkst, schedule.count, schedule.until) == ("TU", 3, dt.date(2005, 1, 1))
    assert (schedule.byweekno, schedule.byyearday) == ("41,42", "2,3,4")
    assert schedule.location_id == uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")
    assert schedule.timezone == Decimal("3")
    # address.csv and addresses.csv likewise; only addresses.csv has address_2.
    address = directory.Address.objects.get()
    assert (address.address_1, address.address_2) == ("1-30 Main Street", "MyVillage")
    term = directory.TaxonomyTerm.objects.get()
    assert term.taxonomy_id == uuid.UUID("07ff6aee-a219-438c-b694-d2fcb6c5373b")
    assert directory.Attribute.objects.get().taxonomy_term_id == term.pk


def test_the_older_file_names_are_read_when_the_standards_are_absent(tmp_path):
    folder = copy_csv_example(tmp_path)
    (folder / "schedule.csv").unlink()

    import_package(folder)

    schedule = directory.Schedule.objects.get()
    # schedules.csv has the RRULE columns that schedule.csv lacks.
    assert (schedule.wkst, schedule.count, schedule.until) == ("TU", 3, dt.date(2005, 1, 1))
    assert schedule.location_id == uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")


def test_importing_again_updates_by_id_and_creates_nothing(tmp_path):
    import_package(CSV_EXAMPLE_DIR)
    folder = copy_csv_example(tmp_path)
    replace_in(folder / "services.csv", "Community Counselling", "Community Counselling Plus")

    report = import_package(folder)

    assert directory_counts() == dict.fromkeys(NOTHING, 1)
    assert report.counts == {key: {"created": 0, "updated": 1} for key in NOTHING}
    assert directory.Service.objects.get().name == "Community Counselling Plus"


def test_a_reference_to_a_record_already_in_the_directory_is_accepted():
    import_package(CSV_EXAMPLE_DIR)
    new_service = {
        "id": "5b0cbd1e-8d3e-4a8a-9d2e-3f1c8f0d2a11",
        "name": "Walking group",
        "status": "active",
        "organization_id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    }

    report = import_json_data([new_service], "new.json")

    assert report.counts == {"service": {"created": 1, "updated": 0}}
    assert directory.Service.objects.get(name="Walking group").organization.name == (
        "Example Organization Inc."
    )


# --- Bad input: a clear error naming where, and nothing written ------------------------------


def assert_refused(source, *expected_problems: str) -> None:
    before = directory_counts()
    with pytest.raises(OrukImportError) as refused:
        if isinstance(source, Path):
            import_package(source)
        else:
            import_json_data(source, "bad.json")
    assert [str(problem) for problem in refused.value.problems] == list(expected_problems)
    for problem in expected_problems:
        assert problem in str(refused.value)
    assert directory_counts() == before


def test_a_service_without_its_required_name_is_refused_and_nothing_is_written():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    del service["name"]

    assert_refused({"contents": [service]}, "bad.json: contents[0], field “name”: is required")
    assert AuditEvent.objects.filter(action="directory.import_oruk").count() == 0


def test_a_malformed_uuid_in_a_csv_file_names_the_file_row_and_field(tmp_path):
    folder = copy_csv_example(tmp_path)
    replace_in(folder / "schedule.csv", "48102e86-bb50-41c4-8f1e-e269368c41d1", "48102e86-nonsense")

    assert_refused(
        folder, "schedule.csv row 2, field “id”: “48102e86-nonsense” is not a valid UUID."
    )


def test_an_unknown_reference_in_a_csv_file_is_refused(tmp_path):
    folder = copy_csv_example(tmp_path)
    unknown = "0f0f0f0f-0000-4000-8000-000000000000"
    replace_in(
        folder / "services.csv",
        "ac148810-d857-441c-9679-408f346de14b,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
        f"ac148810-d857-441c-9679-408f346de14b,{unknown}",
    )

    assert_refused(
        folder,
        f"services.csv row 2, field “organization_id”: there is no organization “{unknown}” "
        "in the package or directory",
    )


def test_an_unknown_location_in_json_names_its_path():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    unknown = "0f0f0f0f-0000-4000-8000-000000000000"
    service["service_at_locations"][0] = {
        "id": "e94c9f38-1e8f-4564-91d4-d53501ab1765",
        "location_id": unknown,
    }

    assert_refused(
        [service],
        "bad.json: [0].service_at_locations[0], field “location_id”: "
        f"there is no location “{unknown}” in the package or directory",
    )


def test_a_refused_update_leaves_the_directory_as_it_was(tmp_path):
    import_package(CSV_EXAMPLE_DIR)
    folder = copy_csv_example(tmp_path)
    replace_in(folder / "services.csv", "Community Counselling", "Renamed")
    replace_in(folder / "locations.csv", "physical", "underground")

    assert_refused(
        folder,
        "locations.csv row 2, field “location_type”: Value 'underground' is not a valid choice.",
    )
    assert directory.Service.objects.get().name == "Community Counselling"


def test_every_problem_is_reported_not_just_the_first():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["status"] = "open"
    service["minimum_age"] = 12.5
    service["schedules"][0]["opens_at"] = "ten o'clock"

    with pytest.raises(OrukImportError) as refused:
        import_json_data([service], "bad.json")

    assert [(problem.where, problem.field) for problem in refused.value.problems] == [
        ("bad.json: [0]", "status"),
        ("bad.json: [0]", "minimum_age"),
        ("bad.json: [0].schedules[0]", "opens_at"),
    ]
    assert directory_counts() == NOTHING


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(OrukImportError) as refused:
        import_package(path)

    assert str(refused.value.problems[0]).startswith("broken.json: is not readable JSON")
    assert directory_counts() == NOTHING


def test_a_json_value_of_the_wrong_shape_is_refused():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["schedules"] = {"id": "48102e86-bb50-41c4-8f1e-e269368c41d1"}
    service["contacts"][0] = "Ann"

    assert_refused(
        json.loads(json.dumps([service])),
        "bad.json: [0], field “schedules”: must be a list",
        "bad.json: [0].contacts[0]: must be an object",
    )


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            ("service_at_locations", 0, "location", "latitude"),
            1234.5,
            "no more than 3 digits before",
        ),
        (
            ("service_at_locations", 0, "location", "latitude"),
            "53.1234567",
            "no more than 6 decimal",
        ),
        (("service_at_locations", 0, "location", "longitude"), "west", "must be a decimal number"),
        (("schedules", 0, "opens_at"), "25:00", "it is an invalid time"),
        (("cost_options", 0, "amount"), True, "must be a single value"),
        (("id",), "ac148810-nonsense", "is not a valid UUID"),
    ],
)
def test_values_the_quick_checks_refuse_get_djangos_messages(path, value, message):
    service = load_json(EXAMPLES_DIR / "service_full.json")
    target = service
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value

    with pytest.raises(OrukImportError) as refused:
        import_json_data([service], "bad.json")

    assert message in str(refused.value.problems[0])
    assert directory_counts() == NOTHING


def test_well_formed_values_take_the_quick_path_to_the_same_values():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    location = service["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 53.545012, "-2.632501"
    service["schedules"][0]["opens_at"] = "09:30"
    service["cost_options"][0]["amount"] = 2.5

    import_json_data([service], "good.json")

    stored = directory.Location.objects.get()
    assert (stored.latitude, stored.longitude) == (Decimal("53.545012"), Decimal("-2.632501"))
    assert directory.Schedule.objects.get().opens_at == dt.time(9, 30)
    assert directory.CostOption.objects.get().amount == Decimal("2.50")


# --- Text the database cannot store, coordinates, copies of one record, review dates --------


@pytest.mark.parametrize(
    "character, name",
    [("\x00", "a NUL character (U+0000)"), ("\ud800", "an unpaired surrogate (U+D800)")],
)
def test_text_the_database_cannot_store_is_refused_naming_where(character, name):
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["name"] = f"Bad{character}name"
    service["contacts"][0]["name"] = f"Ann{character}"

    assert_refused(
        {"contents": [service]},
        f"bad.json: contents[0], field “name”: holds {name} at position 4",
        f"bad.json: contents[0].contacts[0], field “name”: holds {name} at position 4",
    )


def test_a_nul_in_a_csv_file_names_the_file_row_and_field(tmp_path):
    folder = copy_csv_example(tmp_path)
    replace_in(folder / "services.csv", "Community Counselling", "Community\x00Counselling")

    assert_refused(
        folder,
        "services.csv row 2, field “name”: holds a NUL character (U+0000) at position 10",
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("latitude", 500, "500 is outside -90 to 90 degrees"),
        ("latitude", "-90.000001", "-90.000001 is outside -90 to 90 degrees"),
        ("longitude", 180.5, "180.5 is outside -180 to 180 degrees"),
    ],
)
def test_coordinates_outside_wgs84_are_refused(name, value, message):
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["service_at_locations"][0]["location"][name] = value

    assert_refused(
        [service], f"bad.json: [0].service_at_locations[0].location, field “{name}”: {message}"
    )


def test_coordinates_at_the_limits_are_accepted():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    location = service["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = -90, "180"

    import_json_data([service], "edge.json")

    stored = directory.Location.objects.get()
    assert (stored.latitude, stored.longitude) == (Decimal(-90), Decimal(180))


def test_the_standards_own_example_is_refused_for_its_placeholder_coordinates():
    """The published example puts its location at latitude 100, longitude 101."""
    assert_refused(
        STANDARD_EXAMPLES_DIR / "service_full.json",
        "service_full.json: $.service_at_locations[0].location, field “latitude”: "
        "100 is outside -90 to 90 degrees",
    )


def test_two_copies_of_a_service_that_disagree_are_refused_naming_both():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    other = json.loads(json.dumps(service))
    other["name"] = "Other name"

    assert_refused(
        [service, other],
        "bad.json: [1], field “name”: is “Other name” but the same service at bad.json: [0] "
        "has “Community Counselling”",
    )


def test_copies_of_a_record_that_agree_or_fill_each_other_in_are_one_record():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    other = json.loads(json.dumps(service))
    website = service["organization"].pop("website")
    email = other["organization"].pop("email")

    import_json_data([service, other], "copies.json")

    stored = directory.Organization.objects.get()
    assert (stored.website, stored.email) == (website, email)
    assert directory.Service.objects.count() == 1


def test_address_csv_and_addresses_csv_that_disagree_are_refused_naming_both(tmp_path):
    folder = copy_csv_example(tmp_path)
    replace_in(folder / "addresses.csv", "1-30 Main Street", "2 Side Street")

    assert_refused(
        folder,
        "addresses.csv row 2, field “address_1”: is “2 Side Street” but address.csv row 2 "
        "gives “1-30 Main Street” for the same address",
    )


def test_a_new_service_is_reviewed_as_of_the_feeds_date_or_the_import():
    today = timezone.localdate()
    assured = load_json(EXAMPLES_DIR / "service_full.json")  # assured_date 2005-01-01
    modified_only = json.loads(json.dumps(assured))
    modified_only.update(id=str(uuid.uuid4()), assured_date=None)
    neither = json.loads(json.dumps(assured))
    neither.update(id=str(uuid.uuid4()), assured_date=None, last_modified=None)
    future = json.loads(json.dumps(assured))
    future.update(id=str(uuid.uuid4()), assured_date=str(today + dt.timedelta(days=30)))
    for copy in (modified_only, neither, future):
        copy["service_at_locations"] = copy["schedules"] = copy["contacts"] = []
        copy["cost_options"] = copy["funding"] = copy["languages"] = []
        copy["service_areas"] = copy["attributes"] = []

    import_json_data([assured, modified_only, neither, future], "feed.json")

    reviewed = dict(directory.Service.objects.values_list("id", "last_reviewed_on"))
    assert reviewed[SERVICE_ID] == dt.date.fromisoformat(assured["assured_date"])
    assert reviewed[uuid.UUID(modified_only["id"])] == dt.date(2023, 3, 15)
    assert reviewed[uuid.UUID(neither["id"])] == today
    assert reviewed[uuid.UUID(future["id"])] == today
    # Stale only where the feed's own date is over a year old.
    stale = {service.pk for service in directory.Service.objects.all() if service.is_stale()}
    assert stale == {SERVICE_ID, uuid.UUID(modified_only["id"])}


def test_a_reimport_keeps_a_later_review_and_takes_a_later_assured_date():
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["assured_date"] = "2025-06-01"
    import_json_data([service], "feed.json")
    directory.Service.objects.update(last_reviewed_on=dt.date(2025, 9, 1))

    import_json_data([service], "feed.json")
    assert directory.Service.objects.get().last_reviewed_on == dt.date(2025, 9, 1)

    service["assured_date"] = "2025-10-01"
    import_json_data([service], "feed.json")
    assert directory.Service.objects.get().last_reviewed_on == dt.date(2025, 10, 1)
