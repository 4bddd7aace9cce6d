"""The evidence report on real imported files: each King's Fund claim checked for Wigan, with
the figures, the findings worked out from them and "not enough data" where that is true."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from opendeal.observatory import evidence
from opendeal.observatory.evidence import Finding
from opendeal.observatory.importers.eyfsp import import_eyfsp
from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.importers.neighbours import import_ons_neighbours
from opendeal.observatory.importers.revenue_outturn import import_revenue_outturn

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
    assert hle.comparison.startswith("Wigan: ")
    assert hle.finding in (Finding.AGREES, Finding.DISAGREES, Finding.UNCLEAR)
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
    assert savings.finding in (Finding.AGREES, Finding.DISAGREES)
    assert "in 2010/11" in savings.comparison and "in 2014/15" in savings.comparison
    assert any("not the same as a saving" in caveat for caveat in savings.caveats)
    readiness = checks["school-readiness-persons"]
    assert readiness.indicator.slug == "eyfsp-gld"
    assert "England's" in readiness.comparison


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
