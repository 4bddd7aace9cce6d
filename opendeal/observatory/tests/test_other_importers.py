"""The importers of the publishers' own layouts, on the real shared files."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from opendeal.observatory.importers.base import ImportFailed
from opendeal.observatory.importers.cqc import import_cqc_directory
from opendeal.observatory.importers.eyfsp import import_eyfsp
from opendeal.observatory.importers.neighbours import import_ons_neighbours, set_council_neighbours
from opendeal.observatory.importers.oflog import import_oflog
from opendeal.observatory.importers.population import import_population
from opendeal.observatory.importers.revenue_outturn import import_revenue_outturn
from opendeal.observatory.importers.staff_survey import import_staff_survey
from opendeal.observatory.models import (
    Area,
    AreaType,
    Indicator,
    Neighbour,
    NeighbourModel,
    Observation,
    Polarity,
    Release,
)
from opendeal.observatory.selectors import neighbours

from .conftest import shared

pytestmark = pytest.mark.django_db
QUIET = {"progress": io.StringIO()}
EYFSP = "observatory/dfe_eyfsp_good_level_of_development_2012-13_to_2018-19.csv"
OFLOG = "observatory/oflog_adult_social_care_measures_2015-16_to_2022-23.csv"
CENSUS = "observatory/population/census2021_ts007_age_by_single_year_lad.csv"
CQC = "care/cqc_care_directory_2019-07-17_greater_manchester_care_homes.csv"


def figure(indicator_code: str, area: str, period: str, sex: str = "Persons") -> Observation:
    return Observation.objects.get(
        release__indicator__code=indicator_code, area__code=area, period=period, sex=sex
    )


def test_eyfsp_school_readiness():
    import_eyfsp(shared(EYFSP), **QUIET)
    indicator = Indicator.objects.get(source="eyfsp")
    assert (indicator.unit, indicator.polarity) == ("%", Polarity.HIGHER_IS_BETTER)
    wigan = figure("gld", "E08000010", "2018/19")
    assert (wigan.value, wigan.count, wigan.denominator) == (
        Decimal("67.9"),
        Decimal("2474"),
        Decimal("3645"),
    )
    assert figure("gld", "E08000010", "2012/13", sex="Male").value == Decimal("30.2")
    assert str(wigan.period_end) == "2019-08-31"
    # England and the regions; the file gives London only as Inner and Outer London (E13),
    # which are not regions and are left out.
    assert figure("gld", "E92000001", "2018/19").value == Decimal("71.8")
    assert Area.objects.filter(area_type=AreaType.REGION).count() == 8
    assert Area.objects.get(code="E08000010").region.name == "North West"
    assert not Area.objects.filter(code__startswith="E13").exists()


def test_oflog_adult_social_care_measures():
    report = import_oflog(shared(OFLOG), **QUIET)
    assert Indicator.objects.filter(source="oflog").count() == 7 == len(report.releases)
    turnover = figure("ASC7", "E08000010", "2016/17")
    assert turnover.value == Decimal("23.50076962")
    assert Indicator.objects.get(code="ASC7").polarity == Polarity.NO_JUDGEMENT
    assert Indicator.objects.get(code="ASC1").polarity == Polarity.HIGHER_IS_BETTER
    # Empty values are missing figures, not errors.
    assert Observation.objects.filter(value__isnull=True).count() == 298


def test_oflog_refuses_a_file_without_its_columns(tmp_path):
    path = tmp_path / "oflog.csv"
    path.write_text("Financial year,Value\n2016-17,1\n", encoding="utf-8")
    with pytest.raises(
        ImportFailed,
        match="missing columns Local authority code, Local authority name, Measure, Code, rank_order",
    ):
        import_oflog(path, **QUIET)
    assert not Release.objects.exists()


def test_revenue_outturn_spending_by_service_and_year():
    workbooks = sorted(shared("observatory/finance").glob("*.xls"))
    import_revenue_outturn(workbooks, **QUIET)
    assert (
        Release.objects.filter(indicator__source="revenue_outturn").count()
        == Indicator.objects.count()
    )
    adult = {
        o.period: o.value
        for o in Observation.objects.filter(
            release__indicator__code="adult-social-care", area__code="E08000010"
        )
    }
    assert adult == {
        "2011/12": Decimal("79716"),
        "2012/13": Decimal("78309"),
        "2013/14": Decimal("75816"),
        "2014/15": Decimal("75986"),
    }
    # One social care line in 2010-11; the sum of the two later.
    assert figure("social-care-adults-and-children", "E08000010", "2010/11").value == Decimal(
        "117704"
    )
    assert figure("social-care-adults-and-children", "E08000010", "2011/12").value == Decimal(
        "116108"
    )
    assert not Observation.objects.filter(
        release__indicator__code="public-health", period="2012/13"
    ).exists()
    assert Indicator.objects.get(code="adult-social-care").unit == "£ thousand"
    assert figure("adult-social-care", "E92000001", "2014/15").value > 10_000_000
    # Again: nothing new, and the workbooks are not even opened.
    before = Observation.objects.count()
    report = import_revenue_outturn(workbooks, **QUIET)
    assert Observation.objects.count() == before and all(
        r.already_imported for r in report.releases
    )


def test_revenue_outturn_without_gss_codes_names_each_authority(tmp_path):
    one_year = shared("observatory/finance/mhclg_revenue_outturn_summary_RS_2011-12.xls")
    with pytest.raises(ImportFailed) as failure:
        import_revenue_outturn([one_year], **QUIET)
    assert str(failure.value.errors[0]) == (
        "mhclg_revenue_outturn_summary_RS_2011-12.xls, row 8, column E-code: "
        "E0101 Bath & North East Somerset UA: no GSS code (import the 2014-15 workbook with it)."
    )
    assert not Observation.objects.exists()


def test_population_census_and_mid_year_estimates():
    import_population([shared(CENSUS)], **QUIET)
    assert figure("census-all-ages", "E08000010", "2021").value == Decimal("329329")
    assert figure("census-all-ages", "E92000001", "2021").value == Decimal("56490045")
    assert not Area.objects.filter(code__startswith="W").exists()
    estimates = [
        shared(f"observatory/population/{name}")
        for name in (
            "ons_mye_mid2019_lad19_single_year_of_age.rda",
            "ons_mye_mid2020_lad21_single_year_of_age.rda",
        )
    ]
    import_population(estimates, **QUIET)
    assert (
        figure("mye-all-ages", "E08000010", "2019").value,
        figure("mye-18-plus", "E08000010", "2019").value,
        figure("mye-65-plus", "E08000010", "2019").value,
    ) == (Decimal("328662"), Decimal("259746"), Decimal("62908"))
    # The two mid-year files are one release; census and estimates are separate indicators.
    assert Release.objects.get(indicator__code="mye-all-ages").last_period_sortable == 20200000


def test_cqc_directory_counts_care_homes_and_says_it_has_no_ratings():
    import_population([shared(CENSUS)], **QUIET)  # the areas, by name
    report = import_cqc_directory(shared(CQC), **QUIET)
    homes = figure("care-homes", "E08000010", "2019-07-17")
    # The file has 56 Wigan rows (PROVENANCE.md says 59; the file is what is counted).
    assert homes.value == Decimal("56")
    assert homes.period_end == datetime.date(2019, 7, 17)
    assert not Indicator.objects.filter(code="care-homes-good-or-outstanding").exists()
    assert "no rating column" in str(report)


def test_cqc_directory_with_ratings_gives_the_share_good_or_outstanding(tmp_path):
    import_population([shared(CENSUS)], **QUIET)
    path = tmp_path / "directory.csv"
    path.write_text(
        "CQC care directory – with filters\n\n"
        "Name,Service types,Local Authority,Latest overall rating\n"
        "Home A,Residential homes,Wigan,Good\n"
        "Home B,Nursing homes|Residential homes,Wigan,Outstanding\n"
        "Home C,Residential homes,Wigan,Requires improvement\n"
        "Home D,Nursing homes,Wigan,\n"
        "Agency E,Homecare agencies,Wigan,Good\n"
        "Home F,Residential homes,Bolton,Inadequate\n",
        encoding="utf-8",
    )
    import_cqc_directory(path, date=datetime.date(2024, 5, 1), **QUIET)
    share = figure("care-homes-good-or-outstanding", "E08000010", "2024-05-01")
    assert (share.value, share.count, share.denominator) == (Decimal("66.7"), 2, 3)
    assert figure("care-homes", "E08000010", "2024-05-01").value == 4
    assert figure("care-homes-good-or-outstanding", "E08000001", "2024-05-01").value == 0


def test_cqc_directory_names_an_unknown_authority(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(
        "Name,Service types,Local Authority\nHome A,Residential homes,Atlantis\n", encoding="utf-8"
    )
    with pytest.raises(
        ImportFailed,
        match="row 2, column Local Authority: 'Atlantis' is not a known local authority",
    ):
        import_cqc_directory(path, date=datetime.date(2024, 5, 1), **QUIET)


STAFF_SURVEY = (
    "area_code,area_name,period,engagement_score,respondents,lower_ci_95,upper_ci_95\n"
    "E08000010,Wigan,2014,6.4,2100,6.3,6.5\n"
    "E08000010,Wigan,2016/17,7.1,2350,,\n"
)


def test_staff_survey_in_the_documented_layout(tmp_path):
    path = tmp_path / "engagement.csv"
    path.write_text(STAFF_SURVEY, encoding="utf-8")
    import_staff_survey(path, unit="score out of 10", **QUIET)
    first = figure("engagement", "E08000010", "2014")
    assert (first.value, first.denominator, first.lower_ci_95) == (
        Decimal("6.4"),
        2100,
        Decimal("6.3"),
    )
    assert figure("engagement", "E08000010", "2016/17").period_end == datetime.date(2017, 3, 31)
    assert Indicator.objects.get(code="engagement").unit == "score out of 10"


def test_staff_survey_lists_every_bad_value(tmp_path):
    path = tmp_path / "engagement.csv"
    path.write_text(STAFF_SURVEY + "E8,Wigan,2018,high,,,\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_staff_survey(path, **QUIET)
    assert [str(e) for e in failure.value.errors] == [
        "engagement.csv, row 4, column area_code: 'E8' is not a GSS code.",
        "engagement.csv, row 4, column engagement_score: 'high' is not a number.",
    ]
    assert not Observation.objects.exists()


def test_the_example_staff_survey_file_imports(settings):
    example = Path(settings.PROJECT_DIR) / "docs" / "examples" / "staff-survey-engagement.csv"
    import_staff_survey(example, **QUIET)
    assert Observation.objects.filter(release__indicator__code="engagement").count() == 3


def test_ons_neighbours_keep_english_areas_in_rank_order():
    import_ons_neighbours(shared("observatory/neighbours"))
    wigan = Area.objects.get(code="E08000010")
    source, nearest = neighbours(wigan, limit=4)
    assert [area.name for area in nearest] == [
        "Rotherham",
        "Dudley",
        "Tamworth",
        "Stockton-on-Tees",
    ]
    assert source == NeighbourModel.GLOBAL.label
    assert not Neighbour.objects.exclude(neighbour__code__startswith="E").exists()
    # Importing again replaces, never doubles.
    count = Neighbour.objects.count()
    import_ons_neighbours(shared("observatory/neighbours"))
    assert Neighbour.objects.count() == count


def test_a_council_list_of_neighbours_comes_first():
    import_ons_neighbours(shared("observatory/neighbours"))
    set_council_neighbours(None, "E08000010", ["E08000001", "E08000002"])
    source, nearest = neighbours(Area.objects.get(code="E08000010"))
    assert source == NeighbourModel.COUNCIL.label
    assert [area.code for area in nearest] == ["E08000001", "E08000002"]


def test_import_commands_report_and_refuse(tmp_path):
    out = io.StringIO()
    call_command("import_eyfsp", str(shared(EYFSP)), stdout=out, stderr=io.StringIO())
    assert "3,378 headline figures" in out.getvalue()
    bad = tmp_path / "eyfsp.csv"
    bad.write_text("time_period,gld_percent\n201819,70\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns geographic_level"):
        call_command("import_eyfsp", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--council needs --area"):
        call_command("import_neighbours", "--council", "E08000001", stdout=io.StringIO())
