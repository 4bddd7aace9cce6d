"""`opendeal import_fingertips`: the Fingertips API CSV in, as releases, all or nothing."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from opendeal.observatory.importers.base import ImportFailed
from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.models import (
    Area,
    AreaType,
    CategoryObservation,
    Indicator,
    Observation,
    Polarity,
    Release,
)

from .conftest import HLE_2024, HLE_2025, SMOKING, shared

pytestmark = pytest.mark.django_db


def quiet_import(path: Path, **options):
    return import_fingertips(path, progress=io.StringIO(), **options)


def nothing_written() -> bool:
    return not (
        Observation.objects.exists()
        or CategoryObservation.objects.exists()
        or Release.objects.exists()
        or Area.objects.exists()
    )


def real_rows(relative: str, count: int) -> tuple[list[str], list[list[str]]]:
    with shared(relative).open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        return header, [row for _, row in zip(range(count), reader, strict=False)]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_imports_the_real_smoking_file():
    report = quiet_import(shared(SMOKING))
    release = Release.objects.get()
    indicator = release.indicator
    assert (indicator.source, indicator.code, indicator.slug) == (
        "fingertips",
        "92443",
        "fingertips-92443",
    )
    assert (indicator.unit, indicator.polarity) == ("%", Polarity.LOWER_IS_BETTER)
    assert Observation.objects.count() == 4587 == release.observations
    assert not CategoryObservation.objects.exists()
    assert (release.first_period_sortable, release.last_period_sortable) == (20110000, 20240000)
    wigan = Observation.objects.get(release=release, area__code="E08000010", period="2011")
    assert (wigan.value, wigan.published_comparison, wigan.period_range) == (
        Decimal("22.5"),
        "Similar",
        "1y",
    )
    assert str(wigan.period_end) == "2011-12-31" and wigan.lower_ci_95 is None
    assert Area.objects.get(code="E08000010").area_type == AreaType.METROPOLITAN
    assert Area.objects.get(code="E92000001").area_type == AreaType.COUNTRY
    assert Area.objects.get(code="E07000032").area_type == AreaType.DISTRICT
    assert "4,587 headline figures and 0 category breakdowns" in str(report)


def test_importing_again_changes_nothing():
    quiet_import(shared(SMOKING))
    counts = (Release.objects.count(), Observation.objects.count(), Area.objects.count())
    report = quiet_import(shared(SMOKING))
    assert (Release.objects.count(), Observation.objects.count(), Area.objects.count()) == counts
    assert report.releases[0].already_imported
    assert "was already imported; nothing changed" in str(report)


def test_releases_are_never_spliced():
    """ONS revised healthy life expectancy: each file is its own release, the latest is read
    by default, and neither borrows periods from the other."""
    quiet_import(shared(HLE_2025), label="2025 release")
    quiet_import(shared(HLE_2024), label="2024 release")  # imported later, published earlier
    indicator = Indicator.objects.get(code="90362")
    latest, older = Release.objects.filter(indicator=indicator).newest_first()
    assert (latest.label, older.label) == ("2025 release", "2024 release")

    def wigan_male(release):
        return dict(
            Observation.objects.filter(release=release, area__code="E08000010", sex="Male")
            .order_by("period_sortable")
            .values_list("period", "value")
        )

    new, old = wigan_male(latest), wigan_male(older)
    assert list(new)[:2] == ["2011 - 13", "2012 - 14"] and "2010 - 12" not in new
    assert next(iter(old)) == "2010 - 12" and "2021 - 23" not in old
    # The revision: the same period differs between the releases.
    assert (old["2011 - 13"], new["2011 - 13"]) == (Decimal("60.9"), Decimal("60.1"))


def test_a_file_missing_required_columns_is_refused_naming_them(tmp_path):
    header, rows = real_rows(SMOKING, 3)
    keep = [i for i, name in enumerate(header) if name not in ("Area Code", "Time period")]
    path = write_csv(
        tmp_path / "broken.csv", [header[i] for i in keep], [[r[i] for i in keep] for r in rows]
    )
    with pytest.raises(ImportFailed) as failure:
        quiet_import(path)
    assert [str(error) for error in failure.value.errors] == [
        "broken.csv, row 1: missing columns Area Code, Time period."
    ]
    assert nothing_written()


def test_non_numeric_values_are_listed_by_row_and_nothing_is_written(tmp_path):
    header, rows = real_rows(SMOKING, 40)
    value, lower = header.index("Value"), header.index("Lower CI 95.0 limit")
    rows[4][value] = "n/a"
    rows[30][lower] = "12,3x"
    path = write_csv(tmp_path / "bad.csv", header, rows)
    with pytest.raises(ImportFailed) as failure:
        quiet_import(path)
    assert [str(error) for error in failure.value.errors] == [
        "bad.csv, row 6, column Value: 'n/a' is not a number.",
        "bad.csv, row 32, column Lower CI 95.0 limit: '12,3x' is not a number.",
    ]
    assert nothing_written()


def test_other_comparison_column_names_and_no_time_period_range_are_tolerated(tmp_path):
    header, rows = real_rows(HLE_2025, 50)
    header = [
        "Compared to Region value or percentiles" if name == "Compared to percentiles" else name
        for name in header
    ]
    drop = header.index("Time period range")
    path = write_csv(
        tmp_path / "older.csv",
        [n for i, n in enumerate(header) if i != drop],
        [[v for i, v in enumerate(row) if i != drop] for row in rows],
    )
    quiet_import(path)
    assert Observation.objects.count() == 50
    assert set(Observation.objects.values_list("period_range", flat=True)) == {"3y"}


def test_r_spellings_of_the_header_are_read(tmp_path):
    header, rows = real_rows(SMOKING, 10)
    path = write_csv(tmp_path / "r.csv", [name.replace(" ", ".") for name in header], rows)
    quiet_import(path)
    assert Observation.objects.count() == 10


def test_category_breakdowns_are_kept_apart_from_headline_figures(tmp_path):
    header, rows = real_rows(SMOKING, 5)
    category_row = list(rows[0])
    category_row[header.index("Category Type")] = (
        "District & UA deprivation deciles in England (IMD2015)"
    )
    category_row[header.index("Category")] = "Most deprived decile (IMD2015)"
    category_row[header.index("Value")] = "25.1"
    path = write_csv(tmp_path / "with-categories.csv", header, [*rows, category_row])
    report = quiet_import(path)
    assert Observation.objects.count() == 5
    breakdown = CategoryObservation.objects.get()
    assert (breakdown.category, breakdown.value) == (
        "Most deprived decile (IMD2015)",
        Decimal("25.1"),
    )
    assert (report.releases[0].headline, report.releases[0].categories) == (5, 1)


def test_a_figure_twice_is_refused(tmp_path):
    header, rows = real_rows(SMOKING, 3)
    path = write_csv(tmp_path / "twice.csv", header, [*rows, rows[1]])
    with pytest.raises(ImportFailed, match="row 5: A second figure for E92000001"):
        quiet_import(path)
    assert nothing_written()


def test_the_command_imports_a_file_and_reports(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_fingertips", "--file", str(shared(SMOKING)), stdout=out, stderr=err)
    assert "4,587 headline figures" in out.getvalue()
    assert "Importing Fingertips" in err.getvalue()  # the progress bar


def test_the_command_refuses_a_bad_file_with_the_problems(tmp_path):
    path = tmp_path / "empty-ish.csv"
    path.write_text("Area Code,Value\nE08000010,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns Indicator ID, Indicator Name"):
        call_command(
            "import_fingertips", "--file", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert nothing_written()


def test_the_command_fetches_an_indicator_from_the_api(settings, tmp_path, fingertips_api):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command(
        "import_fingertips",
        "--indicator",
        "92443",
        "--area-type",
        "502",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert fingertips_api.requests == [
        "/api/all_data/csv/by_indicator_id?indicator_ids=92443&child_area_type_id=502&parent_area_type_id=15"
    ]
    assert Observation.objects.count() == 4587
    assert list(
        (tmp_path / "public-data" / "fingertips").glob("fingertips_92443_area_type_502_*.csv")
    )


def test_the_command_says_when_the_api_cannot_be_reached(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.OPENDEAL_FINGERTIPS_API_URL = "http://127.0.0.1:9/api"  # nothing listens on port 9
    with pytest.raises(CommandError, match="Could not fetch indicator 92443"):
        call_command(
            "import_fingertips", "--indicator", "92443", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert nothing_written()
