"""Population denominators: the Nomis mid-year-estimate workbook, on the real shared file,
and errors that name the file that failed."""

import io
import warnings
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from opendeal.observatory.importers.base import ImportFailed
from opendeal.observatory.importers.population import import_population
from opendeal.observatory.models import Area, Indicator, Observation, Release

from .conftest import shared

pytestmark = pytest.mark.django_db
QUIET = {"progress": io.StringIO()}
CENSUS = "observatory/population/census2021_ts007_age_by_single_year_lad.csv"
NOMIS = "observatory/population/nomis_mye_aged16plus_lad_2010_to_2021.xlsx"
GEOGRAPHY = "local authority: district / unitary (as of April 2021)"


def wigan_16_plus() -> dict[str, Decimal]:
    return dict(
        Observation.objects.filter(
            release__indicator__code="mye-16-plus", area__code="E08000010"
        ).values_list("period", "value")
    )


def nomis_workbook(path: Path, rows: list[tuple], gender: str = "Total") -> Path:
    """A workbook in the Nomis layout of the real file, with the given authority rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (
        ("Population estimates - local authority based by single year of age",),
        ("ONS Crown Copyright Reserved [from Nomis on 4 July 2023]",),
        (),
        ("gender", gender),
        ("age", "Aged 16+"),
        (),
        (GEOGRAPHY, 2019, 2020),
        *rows,
    ):
        sheet.append(row)
    book.save(path)
    return path


def test_the_nomis_workbook_of_people_aged_16_and_over():
    import_population([shared(CENSUS)], **QUIET)  # the areas, by name
    report = import_population([shared(NOMIS)], **QUIET)
    indicator = Indicator.objects.get(code="mye-16-plus")
    assert indicator.name == "Population aged 16 and over (ONS mid-year estimates)"
    assert indicator.unit == "people" and indicator.is_total
    # Values as in the workbook's Wigan row (row 41), one per year of the Deal and after.
    assert wigan_16_plus() == {
        "2010": Decimal("256633"),
        "2011": Decimal("258205"),
        "2012": Decimal("258933"),
        "2013": Decimal("259942"),
        "2014": Decimal("260928"),
        "2015": Decimal("261971"),
        "2016": Decimal("262960"),
        "2017": Decimal("263837"),
        "2018": Decimal("264845"),
        "2019": Decimal("266900"),
        "2020": Decimal("268690"),
        "2021": Decimal("269233"),
    }
    wigan = Observation.objects.get(
        release__indicator=indicator, area__code="E08000010", period="2011"
    )
    assert (wigan.sex, wigan.period_sortable, str(wigan.period_end), wigan.period_range) == (
        "Persons",
        20110000,
        "2011-06-30",
        "1y",
    )
    # Every English district and unitary authority of April 2021, twelve years each; Wales,
    # Scotland and Northern Ireland are left out; no area is made up from a name.
    release = Release.objects.get(indicator=indicator)
    assert release.observations == 309 * 12 == report.releases[0].headline
    assert (release.first_period_sortable, release.last_period_sortable) == (20100000, 20210000)
    assert report.areas_created == 0
    assert not Area.objects.exclude(code__startswith="E").exists()
    # Names written otherwise by the census: "Bristol, City of" is Bristol's row.
    assert Observation.objects.filter(
        release=release, area__code="E06000023", period="2021"
    ).get().value == Decimal("388618")


def test_the_workbook_imports_with_the_census_that_names_its_areas():
    """In one command: the census (which makes the areas) first, then the workbook."""
    report = import_population([shared(CENSUS), shared(NOMIS)], **QUIET)
    assert wigan_16_plus()["2011"] == Decimal("258205")
    assert {r.indicator.split()[0] for r in report.releases} == {
        "census-all-ages",
        "census-18-plus",
        "census-65-plus",
        "mye-16-plus",
    }


def test_importing_the_workbook_again_changes_nothing():
    import_population([shared(CENSUS)], **QUIET)
    import_population([shared(NOMIS)], **QUIET)
    counts = (Release.objects.count(), Observation.objects.count(), Area.objects.count())
    report = import_population([shared(NOMIS)], **QUIET)
    assert (Release.objects.count(), Observation.objects.count(), Area.objects.count()) == counts
    assert [r.already_imported for r in report.releases] == [True]


def test_the_same_figures_saved_again_by_excel_change_nothing(tmp_path):
    """Other bytes, same figures: found by the figures, not the file."""
    import_population([shared(CENSUS)], **QUIET)
    import_population([shared(NOMIS)], label="Nomis, July 2023", **QUIET)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Nomis's workbook has no default style
        book = openpyxl.load_workbook(shared(NOMIS))
    book.properties.creator = "someone else"
    book.save(tmp_path / "nomis_saved_again.xlsx")
    before = Observation.objects.count()
    report = import_population([tmp_path / "nomis_saved_again.xlsx"], **QUIET)
    assert Observation.objects.count() == before
    assert Release.objects.filter(indicator__code="mye-16-plus").count() == 1
    assert [(r.label, r.already_imported) for r in report.releases] == [("Nomis, July 2023", True)]


def test_a_workbook_name_not_known_is_refused_naming_row_and_column(tmp_path):
    import_population([shared(CENSUS)], **QUIET)
    path = nomis_workbook(
        tmp_path / "nomis.xlsx",
        [
            ("Wigan", 265583, 266361),
            ("Cardiff", 290000, 291000),  # Welsh: left out, not an error
            ("Atlantis", 1, 2),
            ("Bolton", "12,x", 230000),
            ("Bury", 150000.5, None),
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        import_population([path], **QUIET)
    assert [str(error) for error in failure.value.errors] == [
        f"nomis.xlsx, row 10, column A ({GEOGRAPHY}): 'Atlantis' is not a known English local "
        "authority (import the areas first, e.g. the Census 2021 TS007 file or a Fingertips "
        "file).",
        "nomis.xlsx, row 11, column B (2019): '12,x' is not a number.",
        "nomis.xlsx, row 12, column B (2019): 150000.5 is not a whole number of people.",
    ]
    assert not Indicator.objects.filter(code="mye-16-plus").exists()
    assert not Release.objects.filter(indicator__code__startswith="mye").exists()


def test_a_workbook_of_another_layout_is_refused(tmp_path):
    path = nomis_workbook(tmp_path / "men.xlsx", [("Wigan", 1, 2)], gender="Men and boys")
    with pytest.raises(ImportFailed) as failure:
        import_population([path], **QUIET)
    assert [str(e) for e in failure.value.errors] == [
        "men.xlsx, row 4, column B: the gender 'Men and boys' is not Total, Male or Female."
    ]
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(("Area", "2019"))
    book.save(other)
    with pytest.raises(ImportFailed, match=r"other\.xlsx: no sheet has a header whose first cell"):
        import_population([other], **QUIET)
    not_a_workbook = tmp_path / "fake.xlsx"
    not_a_workbook.write_text("Area,2019\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"fake\.xlsx: is not an \.xlsx workbook"):
        import_population([not_a_workbook], **QUIET)
    assert not Release.objects.exists()


def test_a_file_that_is_not_text_is_named_not_the_first_file(tmp_path):
    """The census file is read well; the error must name the file that failed."""
    latin = tmp_path / "latin1_population.csv"
    latin.write_bytes("Area,mnemonic\nladu2021:Bar\xe7a,E06000001\n".encode("latin-1"))
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_population", str(shared(CENSUS)), str(latin), stdout=io.StringIO(), stderr=err
        )
    message = str(failure.value)
    assert "latin1_population.csv: is not UTF-8 text" in message
    assert "census2021_ts007" not in message
    assert not Release.objects.exists() and not Observation.objects.exists()
    assert "Importing population" in err.getvalue()  # the progress bar


def test_the_command_imports_the_workbook_with_a_progress_bar():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_population", str(shared(CENSUS)), str(shared(NOMIS)), stdout=out, stderr=err
    )
    assert "mye-16-plus Population aged 16 and over" in out.getvalue()
    assert "3,708 headline figures" in out.getvalue()
    assert "Importing population" in err.getvalue()
