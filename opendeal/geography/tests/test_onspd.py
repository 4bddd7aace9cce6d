import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from opendeal.core.models import AuditEvent
from opendeal.geography.geocoding import Location, locate_postcode
from opendeal.geography.importers import onspd
from opendeal.geography.importers.onspd import ImportFailed, import_postcodes
from opendeal.geography.models import Postcode

SAMPLE = settings.OPENDEAL_DATA_DIR / "directory/onspd_nov2025_sample.csv"
HEADER = ["pcd7", "pcds", "dointr", "doterm", "lad25cd", "wd25cd", "lat", "long", "lsoa21cd"]
# Made-up rows in the ONSPD's shape: two in Wigan (E08000010), one in Bolton (E08000001).
WIGAN_ROW = {
    "pcd7": "WN1 1AA",
    "pcds": "WN1 1AA",
    "dointr": "198001",
    "doterm": "",
    "lad25cd": "E08000010",
    "wd25cd": "E05015577",
    "lat": "53.545123",
    "long": "-2.632456",
    "lsoa21cd": "E01006201",
}
WIGAN_TERMINATED_ROW = {
    **WIGAN_ROW,
    "pcd7": "WN1 1AB",
    "pcds": "WN1 1AB",
    "doterm": "202001",
    "lat": "53.546",
    "long": "-2.631",
}
BOLTON_ROW = {
    **WIGAN_ROW,
    "pcd7": "BL1 1AA",
    "pcds": "BL1 1AA",
    "lad25cd": "E08000001",
    "wd25cd": "E05000650",
    "lat": "53.578",
    "long": "-2.429",
    "lsoa21cd": "E01004780",
}


def write_csv(directory: Path, rows: list[dict], header: list[str] = HEADER, name="onspd.csv"):
    path = directory / name
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def table() -> list[tuple]:
    return list(
        Postcode.objects.values_list(
            "postcode",
            "latitude",
            "longitude",
            "lsoa21_code",
            "ward_code",
            "local_authority_code",
            "terminated_on",
        )
    )


def run(path: Path, local_authorities=()) -> onspd.ImportReport:
    return import_postcodes(path, local_authorities, progress=io.StringIO())


SAMPLE_TABLE = [
    (
        "AB1 0AA",
        Decimal("57.101459"),
        Decimal("-2.242858"),
        "S01013490",
        "S13002843",
        "S12000033",
        datetime.date(1996, 6, 1),
    ),
    (
        "AB1 0AB",
        Decimal("57.102539"),
        Decimal("-2.246315"),
        "S01013490",
        "S13002843",
        "S12000033",
        datetime.date(1996, 6, 1),
    ),
    (
        "AB1 0AD",
        Decimal("57.100541"),
        Decimal("-2.248349"),
        "S01013490",
        "S13002843",
        "S12000033",
        datetime.date(1996, 6, 1),
    ),
    ("IM1 1AA", None, None, "M99999999", "M99999999", "M99999999", datetime.date(1999, 12, 1)),
]


@pytest.mark.django_db
class TestImportingTheRealSample:
    def test_every_row_is_loaded_as_the_ons_gives_it(self):
        report = run(SAMPLE)

        assert table() == SAMPLE_TABLE
        assert (
            report.rows_read,
            report.imported,
            report.created,
            report.updated,
            report.terminated,
            report.without_coordinates,
            report.outside_local_authorities,
            report.ward_column,
            report.local_authority_column,
        ) == (4, 4, 4, 0, 4, 1, 0, "wd25cd", "lad25cd")
        assert str(report) == (
            "onspd_nov2025_sample.csv: read 4 rows (wards from wd25cd, local authorities from "
            "lad25cd).\nImported 4 postcodes: 4 new, 0 updated; 4 terminated, "
            "1 without coordinates."
        )

    def test_the_import_is_audited(self):
        run(SAMPLE)
        event = AuditEvent.objects.get()
        assert (event.actor, event.action, event.details) == (
            None,
            "geography.postcodes_imported",
            {
                "file": "onspd_nov2025_sample.csv",
                "imported": 4,
                "created": 4,
                "local_authorities": [],
            },
        )

    def test_importing_again_updates_in_place(self):
        run(SAMPLE)
        report = run(SAMPLE)
        assert table() == SAMPLE_TABLE
        assert (report.imported, report.created, report.updated) == (4, 0, 4)

    def test_a_new_release_changes_what_it_changes(self, tmp_path):
        run(SAMPLE)
        moved = {
            "pcds": "AB1 0AA",
            "doterm": "",
            "lat": "57.2",
            "long": "-2.3",
            "lsoa21cd": "S01000001",
            "wd25cd": "S13000001",
            "lad25cd": "S12000034",
        }
        report = run(write_csv(tmp_path, [moved]))
        assert table() == [
            (
                "AB1 0AA",
                Decimal("57.200000"),
                Decimal("-2.300000"),
                "S01000001",
                "S13000001",
                "S12000034",
                None,
            ),
            *SAMPLE_TABLE[1:],
        ]
        assert (report.imported, report.created, report.updated) == (1, 0, 1)

    def test_the_isle_of_man_postcode_has_no_coordinates_so_cannot_be_located(self):
        run(SAMPLE)
        assert Postcode.objects.get(postcode="IM1 1AA").has_coordinates is False
        assert locate_postcode("AB1 0AB").latitude == Decimal("57.102539")


@pytest.mark.django_db
class TestWiganPostcodes:
    def test_a_wigan_postcode_is_located_after_import(self, tmp_path):
        run(write_csv(tmp_path, [WIGAN_ROW, WIGAN_TERMINATED_ROW, BOLTON_ROW]))
        assert locate_postcode("wn11aa") == Location(
            postcode="WN1 1AA",
            latitude=Decimal("53.545123"),
            longitude=Decimal("-2.632456"),
            lsoa21_code="E01006201",
            ward_code="E05015577",
            local_authority_code="E08000010",
        )
        assert Postcode.objects.get(postcode="WN1 1AB").terminated_on == datetime.date(2020, 1, 1)
        assert Postcode.objects.get(postcode="WN1 1AA").terminated_on is None

    def test_only_the_chosen_local_authorities_are_loaded(self, tmp_path):
        path = write_csv(tmp_path, [WIGAN_ROW, BOLTON_ROW, WIGAN_TERMINATED_ROW])
        report = run(path, ["e08000010 "])
        assert list(Postcode.objects.values_list("postcode", flat=True)) == ["WN1 1AA", "WN1 1AB"]
        assert (report.rows_read, report.imported, report.outside_local_authorities) == (3, 2, 1)
        assert str(report).endswith("\nSkipped 1 postcodes outside the chosen local authorities.")

    def test_several_local_authorities(self, tmp_path):
        path = write_csv(tmp_path, [WIGAN_ROW, BOLTON_ROW])
        run(path, ["E08000010", "E08000001"])
        assert Postcode.objects.count() == 2

    def test_the_newest_ward_and_district_columns_are_used(self, tmp_path):
        header = [
            "pcds",
            "doterm",
            "lad23cd",
            "lad24cd",
            "wd24cd",
            "wd23cd",
            "wdstl05cd",
            "lat",
            "long",
            "lsoa21cd",
        ]
        row = {
            **WIGAN_ROW,
            "lad23cd": "E08000099",
            "lad24cd": "E08000010",
            "wd23cd": "E05000001",
            "wd24cd": "E05015577",
            "wdstl05cd": "X",
        }
        report = run(write_csv(tmp_path, [row], header=header))
        saved = Postcode.objects.get()
        assert (saved.ward_code, saved.local_authority_code) == ("E05015577", "E08000010")
        assert (report.ward_column, report.local_authority_column) == ("wd24cd", "lad24cd")

    def test_a_byte_order_mark_and_upper_case_header_are_fine(self, tmp_path):
        path = tmp_path / "bom.csv"
        path.write_text(
            "\ufeffPCDS,DOTERM,LAT,LONG,LSOA21CD,WD25CD,LAD25CD\n"
            "wn1  1aa,,53.545123,-2.632456,E01006201,E05015577,E08000010\n",
            encoding="utf-8",
        )
        run(path)
        assert table() == [
            (
                "WN1 1AA",
                Decimal("53.545123"),
                Decimal("-2.632456"),
                "E01006201",
                "E05015577",
                "E08000010",
                None,
            )
        ]

    def test_a_postcode_twice_in_one_batch_keeps_the_last(self, tmp_path):
        later = {**WIGAN_ROW, "lat": "53.6"}
        report = run(write_csv(tmp_path, [WIGAN_ROW, later]))
        assert list(Postcode.objects.values_list("latitude", flat=True)) == [Decimal("53.6")]
        assert (report.imported, report.created) == (2, 1)

    def test_rows_are_written_in_batches(self, tmp_path, monkeypatch):
        monkeypatch.setattr(onspd, "BATCH_SIZE", 2)
        rows = [{**WIGAN_ROW, "pcds": f"WN1 {n}AA"} for n in range(1, 6)]
        report = run(write_csv(tmp_path, rows))
        assert list(Postcode.objects.values_list("postcode", flat=True)) == [
            "WN1 1AA",
            "WN1 2AA",
            "WN1 3AA",
            "WN1 4AA",
            "WN1 5AA",
        ]
        assert report.created == 5


def _assert_fails(path: Path, expected_message: str, local_authorities=()) -> None:
    table_before = table()
    events_before = AuditEvent.objects.count()
    with pytest.raises(ImportFailed) as raised:
        run(path, local_authorities)
    assert str(raised.value) == expected_message
    assert table() == table_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
class TestBadFilesWriteNothing:
    @pytest.fixture(autouse=True)
    def already_loaded(self):
        run(SAMPLE)

    @pytest.mark.parametrize("missing", ["pcds", "doterm", "lat", "long", "lsoa21cd"])
    def test_a_missing_column(self, tmp_path, missing):
        header = [name for name in HEADER if name != missing]
        path = write_csv(tmp_path, [WIGAN_ROW], header=header)
        _assert_fails(
            path, f"onspd.csv, row 1, column {missing}: The header has no {missing} column."
        )

    def test_no_ward_column(self, tmp_path):
        header = [name for name in HEADER if name != "wd25cd"] + ["wdstl05cd"]
        _assert_fails(
            write_csv(tmp_path, [WIGAN_ROW], header=header),
            "onspd.csv, row 1, column wd25cd: The header has no wd25cd (or wdNNcd) column.",
        )

    def test_an_empty_file(self, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_text("")
        _assert_fails(path, "empty.csv, row 1: The file is empty: it needs the ONSPD header.")

    def test_an_unparseable_latitude_after_good_rows(self, tmp_path):
        rows = [WIGAN_ROW, BOLTON_ROW, {**WIGAN_TERMINATED_ROW, "lat": "53.5x"}]
        _assert_fails(
            write_csv(tmp_path, rows),
            "onspd.csv, row 4, column lat: “53.5x” is not a number of degrees.",
        )

    def test_an_empty_longitude(self, tmp_path):
        _assert_fails(
            write_csv(tmp_path, [{**WIGAN_ROW, "long": ""}]),
            "onspd.csv, row 2, column long: “” is not a number of degrees.",
        )

    def test_a_latitude_off_the_globe(self, tmp_path):
        _assert_fails(
            write_csv(tmp_path, [{**WIGAN_ROW, "lat": "-91"}]),
            "onspd.csv, row 2, column lat: -91 is outside -90 to 90 degrees.",
        )

    def test_a_bad_termination_month(self, tmp_path):
        _assert_fails(
            write_csv(tmp_path, [{**WIGAN_ROW, "doterm": "202013"}]),
            "onspd.csv, row 2, column doterm: “202013” is not a month written YYYYMM.",
        )

    def test_a_bad_postcode(self, tmp_path):
        _assert_fails(
            write_csv(tmp_path, [{**WIGAN_ROW, "pcds": "WIGAN"}]),
            "onspd.csv, row 2, column pcds: “WIGAN” is not a postcode.",
        )

    def test_a_bad_code(self, tmp_path):
        _assert_fails(
            write_csv(tmp_path, [{**WIGAN_ROW, "lsoa21cd": "E0100620112"}]),
            "onspd.csv, row 2, column lsoa21cd: “E0100620112” is not a GSS code.",
        )

    def test_a_short_row(self, tmp_path):
        path = tmp_path / "short.csv"
        path.write_text(
            "pcds,doterm,lat,long,lsoa21cd,wd25cd,lad25cd\n"
            "WN1 1AA,,53.545123,-2.632456,E01006201,E05015577,E08000010\n"
            "WN1 1AB,,53.545123,-2.632456,E01006201\n"
        )
        _assert_fails(
            path,
            "short.csv, row 3, column wd25cd: The row stops after 5 columns; it has no wd25cd.",
        )

    def test_a_bad_row_outside_the_chosen_local_authorities_still_fails(self, tmp_path):
        rows = [WIGAN_ROW, {**BOLTON_ROW, "lat": "north"}]
        _assert_fails(
            write_csv(tmp_path, rows),
            "onspd.csv, row 3, column lat: “north” is not a number of degrees.",
            local_authorities=["E08000010"],
        )

    def test_a_bad_row_after_several_batches(self, tmp_path, monkeypatch):
        monkeypatch.setattr(onspd, "BATCH_SIZE", 2)
        rows = [{**WIGAN_ROW, "pcds": f"WN1 {n}AA"} for n in range(1, 6)]
        rows.append({**WIGAN_ROW, "pcds": "AB1 0AA", "lat": "?"})
        _assert_fails(
            write_csv(tmp_path, rows),
            "onspd.csv, row 7, column lat: “?” is not a number of degrees.",
        )


@pytest.mark.django_db
class TestCommand:
    def test_it_imports_and_prints_the_report_with_a_progress_bar(self):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("import_postcodes", str(SAMPLE), stdout=stdout, stderr=stderr)
        assert stdout.getvalue() == (
            "onspd_nov2025_sample.csv: read 4 rows (wards from wd25cd, local authorities from "
            "lad25cd).\nImported 4 postcodes: 4 new, 0 updated; 4 terminated, "
            "1 without coordinates.\n"
        )
        assert "Importing postcodes: 100%" in stderr.getvalue()
        assert table() == SAMPLE_TABLE

    def test_it_filters_to_local_authorities(self, tmp_path):
        path = write_csv(tmp_path, [WIGAN_ROW, BOLTON_ROW, WIGAN_TERMINATED_ROW])
        stdout = io.StringIO()
        call_command(
            "import_postcodes",
            str(path),
            "--local-authority",
            "E08000010",
            stdout=stdout,
            stderr=io.StringIO(),
        )
        assert list(Postcode.objects.values_list("postcode", flat=True)) == ["WN1 1AA", "WN1 1AB"]
        assert "Skipped 1 postcodes outside the chosen local authorities." in stdout.getvalue()

    def test_a_bad_file_names_the_row_and_writes_nothing(self, tmp_path):
        path = write_csv(tmp_path, [WIGAN_ROW, {**BOLTON_ROW, "doterm": "soon"}])
        with pytest.raises(CommandError) as raised:
            call_command("import_postcodes", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        assert str(raised.value) == (
            "onspd.csv, row 3, column doterm: “soon” is not a month written YYYYMM. "
            "Nothing was imported."
        )
        assert Postcode.objects.count() == 0

    def test_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError) as raised:
            call_command("import_postcodes", str(tmp_path / "nope.csv"), stderr=io.StringIO())
        assert (
            str(raised.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."
        )
