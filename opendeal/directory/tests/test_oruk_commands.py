"""`opendeal import_oruk` and `opendeal export_oruk`."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError

from opendeal.directory import models as directory
from opendeal.directory.oruk import importer
from opendeal.directory.tests.oruk_files import CSV_EXAMPLE_DIR, EXAMPLES_DIR, load_json

pytestmark = pytest.mark.django_db


def test_import_oruk_reads_a_csv_folder_and_reports_counts():
    out = StringIO()

    call_command("import_oruk", str(CSV_EXAMPLE_DIR), stdout=out)

    assert "service: 1 created, 0 updated" in out.getvalue()
    assert "Not read: meta_table_descriptions.csv, programs.csv" in out.getvalue()
    assert directory.Service.objects.count() == 1


def test_import_oruk_refuses_a_bad_file_and_writes_nothing(tmp_path):
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["id"] = "not-a-uuid"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([service]), encoding="utf-8")

    with pytest.raises(CommandError, match=re.escape("bad.json: [0], field “id”: “not-a-uuid”")):
        call_command("import_oruk", str(path))

    assert directory.Service.objects.count() == 0
    assert directory.Organization.objects.count() == 0


def test_import_oruk_refuses_a_nul_naming_the_file_record_and_field(tmp_path):
    service = load_json(EXAMPLES_DIR / "service_full.json")
    service["schedules"][0]["notes"] = "Closed\u0000 at lunch"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([service]), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_oruk", str(path))

    assert "nul.json: [0].schedules[0], field “notes”: holds a NUL character" in str(refused.value)
    assert directory.Service.objects.count() == 0
    assert directory.Schedule.objects.count() == 0


def test_import_oruk_reports_a_database_refusal_without_a_traceback(tmp_path, monkeypatch):
    def refuse(merged, report):
        raise DataError("value too long for the column")

    monkeypatch.setattr(importer, "_write", refuse)

    with pytest.raises(CommandError, match=re.escape("the database refused it (value too long")):
        call_command("import_oruk", str(EXAMPLES_DIR / "service_full.json"))
    assert directory.Service.objects.count() == 0


def test_export_oruk_writes_json_that_import_oruk_reads_back(tmp_path):
    call_command("import_oruk", str(EXAMPLES_DIR / "service_full.json"), stdout=StringIO())
    output = tmp_path / "directory.json"

    call_command("export_oruk", "--output", str(output), stdout=StringIO())
    directory.Service.objects.update(name="Changed")
    out = StringIO()
    call_command("import_oruk", str(output), stdout=out)

    assert load_json(output)["contents"][0]["name"] == "Community Counselling"
    assert "service: 0 created, 1 updated" in out.getvalue()
    assert directory.Service.objects.get().name == "Community Counselling"


def test_export_oruk_writes_a_csv_folder(tmp_path):
    call_command("import_oruk", str(CSV_EXAMPLE_DIR), stdout=StringIO())

    call_command(
        "export_oruk", "--format", "csv", "--output", str(tmp_path / "out"), stdout=StringIO()
    )

    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(
        [
            "accessibility.csv",
            "address.csv",
            "attribute.csv",
            "contacts.csv",
            "cost_options.csv",
            "funding.csv",
            "languages.csv",
            "locations.csv",
            "organization_identifiers.csv",
            "organizations.csv",
            "phones.csv",
            "schedule.csv",
            "service_areas.csv",
            "service_at_location.csv",
            "services.csv",
            "taxonomies.csv",
            "taxonomy_terms.csv",
        ]
    )
