"""Every `opendeal import_…` command records its run, so /metrics counts failed imports."""

import pytest
from django.core.management import CommandError, call_command

from opendeal.core.management.importing import describe_source
from opendeal.core.models import ImportRun

pytestmark = pytest.mark.django_db

IMPORT_COMMANDS = [
    ("import_cqc_directory", "cqc_directory"),
    ("import_eyfsp", "eyfsp"),
    ("import_oflog", "oflog"),
    ("import_population", "population"),
    ("import_revenue_outturn", "revenue_outturn"),
    ("import_staff_survey", "staff_survey"),
    ("import_oruk", "oruk"),
    ("import_postcodes", "postcodes"),
]


@pytest.mark.parametrize(("command", "importer"), IMPORT_COMMANDS)
def test_a_failed_import_is_recorded_with_its_source(tmp_path, command, importer):
    missing = tmp_path / "missing.csv"
    with pytest.raises(CommandError):
        call_command(command, str(missing))
    run = ImportRun.objects.get()
    assert (run.importer, run.source, run.succeeded) == (importer, str(missing), False)
    assert run.error and run.finished_at is not None


def test_fingertips_records_the_file_it_was_given(tmp_path):
    missing = tmp_path / "fingertips.csv"
    with pytest.raises(CommandError):
        call_command("import_fingertips", "--file", str(missing))
    run = ImportRun.objects.get()
    assert (run.importer, run.source, run.succeeded) == ("fingertips", str(missing), False)


def test_a_good_import_is_recorded_as_succeeded(tmp_path):
    package = tmp_path / "services.json"
    package.write_text("[]", encoding="utf-8")
    call_command("import_oruk", str(package))
    run = ImportRun.objects.get()
    assert (run.importer, run.succeeded, run.error) == ("oruk", True, "")


def test_the_source_names_every_file_and_never_a_missing_option():
    assert describe_source({"files": ["a.xlsx", "b.xlsx"], "label": "x"}) == "a.xlsx b.xlsx"
    assert describe_source({"file": None, "indicator": 90362}) == "90362"
    assert describe_source({"folder": None}) == ""
