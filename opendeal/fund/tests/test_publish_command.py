"""`opendeal export_360giving`: to standard output or a file, in each format."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from .publish_factories import make_grant
from .test_publish_giving360 import schema_errors


@pytest.fixture
def two_grants(db):
    return make_grant(title="First project"), make_grant(title="Second project")


def test_json_goes_to_standard_output_by_default(two_grants):
    out = io.StringIO()
    call_command("export_360giving", stdout=out, stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert schema_errors(package) == []
    assert [grant["title"] for grant in package["grants"]] == ["First project", "Second project"]


def test_csv_to_a_file(two_grants, tmp_path):
    output = tmp_path / "grants.csv"
    err = io.StringIO()
    call_command("export_360giving", "--format", "csv", "--output", str(output), stderr=err)
    rows = list(csv.reader(output.open(encoding="utf-8", newline="")))
    assert rows[0][0] == "Identifier"
    assert [row[1] for row in rows[1:]] == ["First project", "Second project"]
    assert f"Wrote 2 grants to {output} as CSV." in err.getvalue()
    assert [path.name for path in tmp_path.iterdir()] == ["grants.csv"]


def test_xlsx_to_a_file(two_grants, tmp_path):
    output = tmp_path / "grants.xlsx"
    call_command(
        "export_360giving", "--format", "xlsx", "--output", str(output), stderr=io.StringIO()
    )
    sheet = load_workbook(output, read_only=True)["grants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Identifier", "Title")
    assert [row[1] for row in rows[1:]] == ["First project", "Second project"]


def test_with_no_grants_there_is_nothing_to_publish(db, tmp_path):
    output = tmp_path / "grants.json"
    with pytest.raises(CommandError, match="There are no grants to publish yet"):
        call_command("export_360giving", "--output", str(output))
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_a_clear_error(two_grants, tmp_path):
    output = tmp_path / "missing-folder" / "grants.json"
    with pytest.raises(CommandError, match="Could not write"):
        call_command("export_360giving", "--output", str(output), stderr=io.StringIO())
