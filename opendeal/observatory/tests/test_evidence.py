"""The evidence report on real imported files: each King's Fund claim checked for Wigan, with
the figures, the findings worked out from them and "not enough data" where that is true."""

import csv
import dataclasses
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from opendeal.observatory import evidence, statistics
from opendeal.observatory.evidence import Finding
from opendeal.observatory.importers.eyfsp import import_eyfsp
from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.importers.neighbours import (
    import_ons_neighbours,
    set_council_neighbours,
)
from opendeal.observatory.importers.revenue_outturn import import_revenue_outturn
from opendeal.observatory.models import Area, Neighbour

from .conftest import HLE_2024, SMOKING, shared

CANCER = "observatory/fingertips_40502_u75_preventable_cancer_mortality_2001-03_to_2015-17.csv"
EYFSP = "observatory/dfe_eyfsp_good_level_of_development_2012-13_to_2018-19.csv"
QUIET = {"progress": io.StringIO()}


@pytest.fixture
def imported(db):
    for relative in (HLE_2024, CANCER, SMOKING):
        import_fingertips(shared(relative), **QUIET)
    import_eyfsp(shared(EYFSP), **QUIET)
    import_revenue_outturn(sorted(shared("observatory/finance").glob("*.xls")), **QUIET)
    import_ons_neighbours(shared("observatory/neighbours"))


def by_key(report):
    return {check.key: check for check in report.checks}


# What the real files say of each claim for Wigan, with the change dated from 2011, and why.
EXPECTED_2011 = {
    # From 2011 - 13 to 2018 - 20 Wigan's healthy life expectancy rose a little (+0.05 and
    # +0.02 years a year) and England's fell a little (-0.02), but the differences' 95%
    # intervals (-0.28 to +0.41; -0.15 to +0.24) hold zero.
    "healthy-life-expectancy-male": Finding.UNCLEAR,
    "healthy-life-expectancy-female": Finding.UNCLEAR,
    # Preventable cancer (the stand-in): from 2011 - 13 to 2015 - 17 Wigan's fell from 94.5 to
    # 93.6 per 100,000, England's from 84.8 to 78: slower in Wigan, the difference's interval
    # +0.4 to +2.28 a year wholly above zero.
    "cancer-mortality-persons": Finding.DISAGREES,
    "heart-disease-mortality-persons": Finding.NOT_ENOUGH_DATA,
    # 22.5% in 2011 to 11.1% in 2024, trend -0.91 a year (-1.05 to -0.76).
    "smoking-persons": Finding.AGREES,
    "physical-activity-persons": Finding.NOT_ENOUGH_DATA,
    # 67.9% against England's 71.8% in 2018/19; no interval and no published comparison.
    "school-readiness-persons": Finding.DISAGREES,
    "care-homes-persons": Finding.NOT_ENOUGH_DATA,
    "staff-engagement-persons": Finding.NOT_ENOUGH_DATA,
    # Cash spending fell £50.8m (2010/11 to 2014/15): short of the £140m claimed, which a
    # saving counted against rising costs could still reach.
    "savings-persons": Finding.UNCLEAR,
}


def test_each_claim_gets_the_finding_its_figures_support(imported):
    checks = by_key(evidence.evidence_report("E08000010", 2011))
    assert {key: check.finding for key, check in checks.items()} == EXPECTED_2011


def test_each_claim_is_checked_on_the_data_present(imported):
    checks = by_key(evidence.evidence_report("E08000010", 2011))
    assert list(checks) == [
        "healthy-life-expectancy-male",
        "healthy-life-expectancy-female",
        "cancer-mortality-persons",
        "heart-disease-mortality-persons",
        "smoking-persons",
        "physical-activity-persons",
        "school-readiness-persons",
        "care-homes-persons",
        "staff-engagement-persons",
        "savings-persons",
    ]
    # No file for these: the report says so rather than guessing.
    for key in (
        "heart-disease-mortality-persons",
        "physical-activity-persons",
        "care-homes-persons",
        "staff-engagement-persons",
    ):
        assert checks[key].finding == Finding.NOT_ENOUGH_DATA
        assert checks[key].comparison.startswith("Not enough data")
    hle = checks["healthy-life-expectancy-male"]
    assert hle.latest.period == "2018 - 20"
    assert hle.latest.area.value == Decimal("59.2")
    assert hle.comparison.startswith("From 2011 (2011 - 13 to 2018 - 20): Wigan: ")
    assert hle.finding == Finding.UNCLEAR
    assert any("overlapping periods" in caveat for caveat in hle.caveats)

    # HLE has no period before 2011, so every evaluation says not enough data.
    assert [e.method for e in hle.evaluations] == [
        "interrupted_time_series",
        "difference_in_differences",
        "difference_in_differences",
        "synthetic_control",
    ]
    assert all(not e.has_enough_data for e in hle.evaluations)
    assert all("not_enough_data" in e.caveat_codes for e in hle.evaluations)
    # 2010 - 12 spans the change: left out, not counted as before it.
    its = hle.evaluations[0]
    assert (its.periods_before, its.periods_transition, its.periods_after) == (0, 1, 8)

    # Cancer mortality (2001-03 on) is evaluated from 2011 by every method.
    cancer = checks["cancer-mortality-persons"]
    its, did_england, did_neighbours, synthetic = cancer.evaluations
    assert its.has_enough_data and its.periods_before == 8 and its.periods_after == 5
    assert did_england.has_enough_data and did_england.comparison_units == ("E92000001",)
    assert did_neighbours.has_enough_data and len(did_neighbours.comparison_units) == 10
    assert synthetic.has_enough_data and synthetic.donors > 100
    assert 0 < synthetic.p_value <= 1 and len(synthetic.placebos) == synthetic.donors + 1
    assert abs(sum(weight for _, weight in synthetic.weights) - 1) < 0.01

    savings = checks["savings-persons"]
    assert savings.indicator.source == "revenue_outturn"
    assert savings.finding == Finding.UNCLEAR
    assert "in 2010/11" in savings.comparison and "in 2014/15" in savings.comparison
    assert "England over the same years: 121,175,930 £ thousand to 112,403,971" in (
        savings.comparison
    )
    assert "changed by −8.2%, a larger fall than England's" in savings.comparison
    assert "The fall, £50.8m, is short of the £140m claimed" in savings.comparison
    assert any("not the same as a saving" in caveat for caveat in savings.caveats)
    readiness = checks["school-readiness-persons"]
    assert readiness.indicator.slug == "eyfsp-gld"
    assert "England's" in readiness.comparison
    assert not readiness.is_substitute


def test_the_trend_against_englands_is_measured_from_the_change_year(imported):
    """The claims of trends against England's are tested over the periods that begin in the
    chosen year or later, not over the whole series."""
    later = by_key(evidence.evidence_report("E08000010", 2013))
    cancer = later["cancer-mortality-persons"]
    assert cancer.comparison.startswith("From 2013 (2013 - 15 to 2015 - 17): ")
    assert "over 3 periods" in cancer.comparison
    assert "2013 or later" in cancer.method
    hle = later["healthy-life-expectancy-male"]
    assert hle.comparison.startswith("From 2013 (2013 - 15 to 2018 - 20): ")
    # From 2016 the cancer figures (to 2015 - 17) have no period at all: too few to tell.
    latest = by_key(evidence.evidence_report("E08000010", 2016))
    cancer = latest["cancer-mortality-persons"]
    assert cancer.finding == Finding.UNCLEAR
    assert cancer.comparison.startswith("Too few periods to tell: 0 beginning in 2016 or later")
    # HLE has exactly three (2016 - 18 to 2018 - 20).
    assert "over 3 periods" in latest["healthy-life-expectancy-male"].comparison
    assert by_key(evidence.evidence_report("E08000010", 2017))[
        "healthy-life-expectancy-male"
    ].comparison.startswith("Too few periods to tell: 2 beginning in 2017 or later have")


def test_a_substitute_indicator_is_flagged(client, imported):
    cancer = by_key(evidence.evidence_report("E08000010", 2011))["cancer-mortality-persons"]
    assert cancer.indicator.code == "40502" and cancer.is_substitute
    assert cancer.caveats[0].startswith(
        "A substitute measure: the claim's own indicator (OHID Fingertips 40501) has not been "
        "imported, so Under 75 mortality rate from cancer considered preventable (OHID "
        "Fingertips 40502) stands in for it."
    )
    assert "only deaths from cancers considered preventable" in cancer.caveats[0]
    hle = by_key(evidence.evidence_report("E08000010", 2011))["healthy-life-expectancy-male"]
    assert not hle.is_substitute
    assert not any("substitute" in caveat for caveat in hle.caveats)
    text = html.unescape(client.get(reverse("observatory:evidence")).content.decode())
    section = text[text.index('id="cancer-mortality-persons"') :]
    section = section[: section.index("</section>")]
    assert "A substitute for the claim's own measure" in section
    assert "A substitute measure: the claim's own indicator (OHID Fingertips 40501)" in section


def test_the_saving_is_set_against_the_amount_claimed(imported):
    savings = by_key(evidence.evidence_report("E08000010", 2011))["savings-persons"]
    claim, report = savings.claim, savings.report
    assert claim.claimed_amount == Decimal("140000000")
    change_on = datetime.date(2011, 1, 1)
    # The real fall is £50,840,000: it reaches a claim of that much, not of a pound more.
    for claimed, expected in (
        (Decimal("50840000"), Finding.AGREES),
        (Decimal("50840001"), Finding.UNCLEAR),
    ):
        described = evidence._spending_fall(
            dataclasses.replace(claim, claimed_amount=claimed), report, change_on
        )
        assert described.finding == expected
    reaches = evidence._spending_fall(
        dataclasses.replace(claim, claimed_amount=Decimal("50000000")), report, change_on
    )
    assert "The fall, £50.8m, reaches the £50m claimed." in reaches.comparison
    # Spending that rose shows no saving at all.
    rose = dataclasses.replace(
        report,
        change=statistics.Change("2010/11", Decimal("567796"), "2014/15", Decimal("618636")),
    )
    described = evidence._spending_fall(claim, rose, change_on)
    assert described.finding == Finding.DISAGREES
    assert "Spending did not fall" in described.comparison


def test_the_evidence_table_carries_the_synthetic_control(client, imported):
    cancer = by_key(evidence.evidence_report("E08000010", 2011))["cancer-mortality-persons"]
    synthetic = cancer.synthetic
    assert synthetic.has_enough_data
    rows = cancer.table_rows
    assert [row.period for row in rows] == [row.period for row in cancer.report.rows]
    assert all(row.synthetic is not None for row in rows)
    assert rows[0].synthetic == Decimal(str(round(synthetic.synthetic[0], 2)))
    text = client.get(reverse("observatory:evidence")).content.decode()
    section = text[text.index('id="cancer-mortality-persons"') :]
    table = section[section.index("<table") : section.index("</table>")]
    assert ">Synthetic control</th>" in table
    first = table[table.index(">2001 - 03<") :]
    first = first[: first.index("</tr>")]
    assert first.count("govuk-table__cell--numeric") == 3
    assert f">{rows[0].synthetic.normalize():f}<" in first or f">{rows[0].synthetic}<" in first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("wigan", "published", "expected"),
    [
        # Below England's figure, but the publisher's comparison (from intervals not in the
        # release) says similar: it is used, not the sign of the gap.
        ("70.1,,", "Similar", Finding.AGREES),
        ("72.5,,", "Worse", Finding.DISAGREES),
        # Nothing published: the sign of the gap, as the polarity reads.
        ("70.1,,", "", Finding.DISAGREES),
        ("72.5,,", "", Finding.AGREES),
        # An interval: Fingertips' method, whatever was published.
        ("70.1,68.0,72.0", "Worse", Finding.AGREES),
    ],
)
def test_reaching_englands_level_uses_the_publishers_comparison_without_an_interval(
    tmp_path, wigan, published, expected
):
    header = (
        "Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
        "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
        "Compared to England value or percentiles,Time period Sortable\n"
    )
    name = "School readiness: good level of development at the end of reception"
    rows = [
        f"90631,{name},E92000001,England,England,Persons,5 yrs,,,2018/19,71.8,,,Not compared,"
        "20180000\n",
        f"90631,{name},E08000010,Wigan,UA,Persons,5 yrs,,,2018/19,{wigan},{published},20180000\n",
    ]
    path = tmp_path / "readiness.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    import_fingertips(path, **QUIET)
    check = by_key(evidence.evidence_report("E08000010", 2011))["school-readiness-persons"]
    assert check.finding == expected
    # DfE's own figures are not imported: Fingertips' copy stands in, and the page says so.
    assert check.is_substitute and check.caveats[0].startswith("A substitute measure")


def test_the_page_and_its_csv(client, imported):
    page = client.get(reverse("observatory:evidence"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Evidence report: Wigan" in text
    assert text.count('role="img"') >= 5
    assert "Not enough data" in text
    download = client.get(reverse("observatory:evidence_csv") + "?from=2011")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == evidence.CSV_HEADER
    assert len(rows) == 11
    cancer = next(row for row in rows if row[0] == "Premature mortality from cancer")
    header = rows[0]
    assert cancer[header.index("synthetic control: placebo p-value")] != ""
    assert cancer[header.index("interrupted time series: level change")].count("95% interval") == 1

    later = client.get(reverse("observatory:evidence") + "?from=2016")
    assert later.status_code == 200 and later.context["report"].change_year == 2016
    smoking = by_key(later.context["report"])["smoking-persons"]
    assert smoking.evaluations[0].periods_before == 5
    bad = client.get(reverse("observatory:evidence") + "?from=nonsense")
    assert bad.context["report"].change_year == 2011


@pytest.mark.django_db
def test_without_any_figures_every_claim_says_not_enough_data(client):
    report = evidence.evidence_report("E08000010", 2011)
    assert {check.finding for check in report.checks} == {Finding.NOT_ENOUGH_DATA}
    assert client.get(reverse("observatory:evidence")).status_code == 200


def did_against_neighbours(report, key="healthy-life-expectancy-female"):
    return by_key(report)[key].evaluations[2]


def test_the_difference_in_differences_is_judged_by_its_placebo_test(client, imported):
    """Female healthy life expectancy from 2015 against the neighbours: the robust interval
    (+0.94 to +3.81) excludes zero, but two of the ten neighbours, each treated as if it had
    made the change, show a larger change: rank 3 of 11, p = 3/11. Not clear."""
    did = did_against_neighbours(evidence.evidence_report("E08000010", 2015))
    assert did.comparison == "statistical neighbours" and did.effect.excludes_zero
    assert (did.permutation_rank, did.placebo_count) == (3, 10)
    assert did.permutation_p_value == pytest.approx(3 / 11) and did.is_clear is False
    assert evidence.placebo_text(did).startswith("Ranked 3 of 11 by the size of the change")
    assert "permutation p-value 0.273" in evidence.placebo_text(did)
    assert "Not clear" in evidence.placebo_text(did)
    # Against England alone there is nothing to permute.
    england = by_key(evidence.evidence_report("E08000010", 2015))[
        "healthy-life-expectancy-female"
    ].evaluations[1]
    assert england.is_clear is None
    assert evidence.placebo_text(england).startswith("Too few comparison areas to tell (1)")

    text = html.unescape(
        client.get(reverse("observatory:evidence") + "?from=2015").content.decode()
    )
    section = text[text.index('id="healthy-life-expectancy-female"') :]
    section = section[: section.index("</section>")]
    assert "Placebo test" in section
    assert "Ranked 3 of 11" in section and "Not clear" in section
    assert "with one treated area it is too narrow" in section
    download = client.get(reverse("observatory:evidence_csv") + "?from=2015")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    column = rows[0].index("difference in differences against neighbours: placebo test")
    female = next(row for row in rows if row[0] == "Healthy life expectancy" and row[2] == "Female")
    assert female[column].startswith("Ranked 3 of 11")


@pytest.mark.django_db
def test_without_neighbours_the_report_says_how_to_set_them_and_refreshes_when_they_are(client):
    for relative in (CANCER,):
        import_fingertips(shared(relative), **QUIET)
    did = did_against_neighbours(
        evidence.evidence_report("E08000010", 2011), "cancer-mortality-persons"
    )
    assert not did.has_enough_data and did.caveat_codes == {
        "no_comparison_areas",
        "transition_left_out",
    }
    words = did.caveats[0].text
    assert "No statistical neighbours are set for Wigan" in words
    assert "opendeal import_neighbours" in words and "lack" not in words
    assert "opendeal import_neighbours" in html.unescape(
        client.get(reverse("observatory:evidence")).content.decode()
    )
    # Importing neighbours changes the cache key, so the report is worked out again.
    import_ons_neighbours(shared("observatory/neighbours"))
    did = did_against_neighbours(
        evidence.evidence_report("E08000010", 2011), "cancer-mortality-persons"
    )
    assert did.has_enough_data and len(did.comparison_units) == 10
    # So does the council setting its own list (which takes precedence).
    set_council_neighbours(None, "E08000010", ["E08000018", "E08000027", "E08000006"])
    did = did_against_neighbours(
        evidence.evidence_report("E08000010", 2011), "cancer-mortality-persons"
    )
    assert did.comparison_units == ("E08000018", "E08000027", "E08000006")


@pytest.mark.django_db
def test_the_cache_key_follows_the_areas_neighbour_rows():
    import_ons_neighbours(shared("observatory/neighbours"))
    wigan = Area.objects.get(code="E08000010")
    before = evidence.neighbours_checksum(wigan)
    assert before == evidence.neighbours_checksum(wigan)
    last = Neighbour.objects.filter(area=wigan).order_by("pk").last()
    last.delete()
    assert evidence.neighbours_checksum(wigan) != before
    assert evidence.neighbours_checksum(None) == ""
