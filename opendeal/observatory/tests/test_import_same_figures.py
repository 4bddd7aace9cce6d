"""Re-importing the same figures is a no-op however the file is spelt: releases are
recognised by their parsed figures, not only by the bytes of the file."""

import csv
import io
from pathlib import Path

import pytest

from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.models import CategoryObservation, Indicator, Observation, Release

from .conftest import HLE_2024, HLE_2025, SMOKING, shared

pytestmark = pytest.mark.django_db
ACTIVE = "observatory/fingertips_93014_physically_active_adults_2015-16_to_2024-25.csv"


def quiet_import(path: Path, **options):
    return import_fingertips(path, progress=io.StringIO(), **options)


def rows_of(relative: str) -> tuple[list[str], list[list[str]]]:
    with shared(relative).open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        return next(reader), list(reader)


def r_style(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """As R's write.csv saves a data frame read from the API CSV: names made syntactic
    (spaces to dots), every field quoted, empty fields as NA, rows in another order."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
        writer.writerow([name.replace(" ", ".") for name in header])
        writer.writerows([[field or "NA" for field in row] for row in reversed(rows)])
    return path


def counts() -> tuple[int, int, int]:
    return (
        Release.objects.count(),
        Observation.objects.count(),
        CategoryObservation.objects.count(),
    )


def test_the_same_figures_with_r_spellings_are_not_a_second_release(tmp_path):
    quiet_import(shared(SMOKING), label="APS 2024")
    before = counts()
    header, rows = rows_of(SMOKING)
    report = quiet_import(r_style(tmp_path / "smoking_from_r.csv", header, rows))
    assert counts() == before
    [release] = report.releases
    assert (release.label, release.already_imported, release.headline) == ("APS 2024", True, 0)
    assert "was already imported; nothing changed" in str(report)
    assert Release.objects.get().label == "APS 2024"


def test_a_copy_of_an_older_release_does_not_become_the_latest(tmp_path):
    """The audit's case: the 2024 release spelt otherwise, imported after the 2025 one."""
    quiet_import(shared(HLE_2024), label="2024 release")
    quiet_import(shared(HLE_2025), label="2025 release")
    header, rows = rows_of(HLE_2024)
    quiet_import(r_style(tmp_path / "hle_2024_again.csv", header, rows), label="copy")
    indicator = Indicator.objects.get(code="90362")
    assert [r.label for r in Release.objects.filter(indicator=indicator).newest_first()] == [
        "2025 release",
        "2024 release",
    ]


def test_changed_figures_are_a_new_release(tmp_path):
    quiet_import(shared(SMOKING))
    header, rows = rows_of(SMOKING)
    value = header.index("Value")
    rows[100][value] = str(float(rows[100][value]) + 0.1)  # one revised figure
    revised = quiet_import(r_style(tmp_path / "revised.csv", header, rows))
    # And one figure fewer, with the periods and the count of figures matching neither.
    fewer = quiet_import(r_style(tmp_path / "fewer.csv", header, rows[:-1]))
    assert not revised.releases[0].already_imported and not fewer.releases[0].already_imported
    assert Release.objects.count() == 3
    assert revised.releases[0].headline == 4587


def test_a_changed_comparison_or_note_is_a_new_release(tmp_path):
    quiet_import(shared(SMOKING))
    header, rows = rows_of(SMOKING)
    rows[7][header.index("Compared to England value or percentiles")] = "Worse"
    report = quiet_import(r_style(tmp_path / "recompared.csv", header, rows))
    assert not report.releases[0].already_imported
    assert Release.objects.count() == 2


def test_category_breakdowns_are_compared_too(tmp_path):
    header, rows = rows_of(SMOKING)
    breakdown = list(rows[0])
    breakdown[header.index("Category Type")] = "District & UA deprivation deciles"
    breakdown[header.index("Category")] = "Most deprived decile"
    breakdown[header.index("Value")] = "25.1"
    first = tmp_path / "first.csv"
    with first.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows, breakdown])
    quiet_import(first)
    same = quiet_import(r_style(tmp_path / "same.csv", header, [*rows, breakdown]))
    assert same.releases[0].already_imported and counts() == (1, 4587, 1)
    breakdown[header.index("Value")] = "25.2"
    changed = quiet_import(r_style(tmp_path / "changed.csv", header, [*rows, breakdown]))
    assert not changed.releases[0].already_imported and counts() == (2, 2 * 4587, 2)


def test_each_indicator_of_a_file_is_judged_on_its_own(tmp_path):
    """A file holding smoking again and physical activity anew: one new release only."""
    quiet_import(shared(SMOKING), label="smoking")
    header, smoking = rows_of(SMOKING)
    active_header, active = rows_of(ACTIVE)
    assert active_header == header
    report = quiet_import(r_style(tmp_path / "both.csv", header, [*smoking, *active]))
    by_indicator = {r.indicator.split()[0]: r for r in report.releases}
    assert by_indicator["92443"].already_imported and by_indicator["92443"].label == "smoking"
    assert not by_indicator["93014"].already_imported
    assert by_indicator["93014"].headline == len(active)
    assert sorted(Release.objects.values_list("indicator__code", flat=True)) == ["92443", "93014"]
    assert Observation.objects.count() == len(smoking) + len(active)


def test_importing_the_copy_twice_still_changes_nothing(tmp_path):
    quiet_import(shared(SMOKING))
    header, rows = rows_of(SMOKING)
    copy = r_style(tmp_path / "copy.csv", header, rows)
    quiet_import(copy)
    before = counts()
    assert quiet_import(copy).releases[0].already_imported
    assert counts() == before
