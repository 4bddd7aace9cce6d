"""The observatory's statistics on plain values."""

import datetime
from decimal import Decimal

import numpy
import pytest

from opendeal.observatory.models import Comparison, Polarity
from opendeal.observatory.statistics import (
    change_since,
    compare_with_england,
    published_comparison,
    slope_against,
    trend_slope,
    year_fraction,
)

D = Decimal


@pytest.mark.parametrize(
    ("area", "england_value", "polarity", "expected"),
    [
        # England's value within the area's interval: similar, whatever the polarity.
        ((D("60"), D("58"), D("62")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.SIMILAR),
        ((D("60"), D("58"), D("62")), D("61"), Polarity.LOWER_IS_BETTER, Comparison.SIMILAR),
        # The interval's ends count as within it.
        ((D("59"), D("58"), D("61")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.SIMILAR),
        ((D("63"), D("61"), D("65")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.SIMILAR),
        # England's value above the area's interval: the area is lower.
        ((D("57"), D("56"), D("58")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.WORSE),
        ((D("57"), D("56"), D("58")), D("61"), Polarity.LOWER_IS_BETTER, Comparison.BETTER),
        ((D("57"), D("56"), D("58")), D("61"), Polarity.NO_JUDGEMENT, Comparison.LOWER),
        # Below it: the area is higher.
        ((D("65"), D("64"), D("66")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.BETTER),
        ((D("65"), D("64"), D("66")), D("61"), Polarity.LOWER_IS_BETTER, Comparison.WORSE),
        ((D("65"), D("64"), D("66")), D("61"), Polarity.NO_JUDGEMENT, Comparison.HIGHER),
        # Just outside by the smallest step shown.
        ((D("59"), D("58"), D("60.9")), D("61"), Polarity.HIGHER_IS_BETTER, Comparison.WORSE),
    ],
)
def test_compare_with_england_by_englands_value_in_the_areas_interval(
    area, england_value, polarity, expected
):
    assert compare_with_england(*area, england_value, polarity) == expected


def test_englands_interval_plays_no_part():
    """Fingertips' comparator method 1 sets England's value, not its interval, against the
    area's interval (the function takes no interval for England). Each case below has
    an interval for England (in its comment) that overlaps the area's, so a test of overlapping
    intervals would call them similar; England's value lies outside the area's, so it is not."""
    # Area 58 to 60.9 against England 61 (60.8 to 61.2): the intervals share 60.8 to 60.9.
    assert (
        compare_with_england(D("59"), D("58"), D("60.9"), D("61"), Polarity.HIGHER_IS_BETTER)
        == Comparison.WORSE
    )
    # Area 59.5 to 60.5 against England 61 (59 to 63), which holds the whole of it.
    assert (
        compare_with_england(D("60"), D("59.5"), D("60.5"), D("61"), Polarity.HIGHER_IS_BETTER)
        == Comparison.WORSE
    )
    # Area 61.5 to 62.5 against England 61 (60 to 62), lower being better.
    assert (
        compare_with_england(D("62"), D("61.5"), D("62.5"), D("61"), Polarity.LOWER_IS_BETTER)
        == Comparison.WORSE
    )


def test_no_comparison_without_a_valid_interval_for_the_area():
    for lower, upper in ((None, None), (D("58"), None), (None, D("62")), (D("62"), D("58"))):
        assert (
            compare_with_england(D("60"), lower, upper, D("61"), Polarity.HIGHER_IS_BETTER) is None
        )
    assert compare_with_england(None, D("1"), D("2"), D("61"), Polarity.HIGHER_IS_BETTER) is None
    assert compare_with_england(D("60"), D("58"), D("62"), None, Polarity.NO_JUDGEMENT) is None


def test_published_labels():
    assert published_comparison("Worse") == Comparison.WORSE
    assert published_comparison(" not compared ") == Comparison.NOT_COMPARED
    assert published_comparison("Lowest quintile") is None


def test_change_since_the_first_or_a_chosen_baseline():
    points = [("2011", D("22.5")), ("2012", D("22.7")), ("2013", None), ("2014", D("18"))]
    change = change_since(points)
    assert (change.baseline_period, change.latest_period, change.difference, change.percent) == (
        "2011",
        "2014",
        D("-4.5"),
        D("-20.0"),
    )
    assert change_since(points, "2012").difference == D("-4.7")
    assert change_since(points, "2014") is None  # the baseline is the latest
    assert change_since(points, "1999") is None
    assert change_since([("2011", D("1"))]) is None


def test_year_fraction():
    assert year_fraction(datetime.date(2020, 1, 1)) == 2020.0
    assert year_fraction(datetime.date(2019, 12, 31)) == pytest.approx(2019 + 364 / 365)


def test_trend_slope_agrees_with_numpy():
    years = [2011.0, 2012.0, 2013.0, 2014.0, 2015.0]
    values = [22.5, 22.7, 20.1, 19.0, 18.6]
    slope = trend_slope(dict(zip(years, values, strict=True)))
    assert slope.per_year == pytest.approx(numpy.polyfit(years, values, 1)[0])
    assert slope.lower < slope.per_year < slope.upper and slope.periods == 5
    assert trend_slope({2011.0: 1.0, 2012.0: 2.0}) is None


def test_slope_against_england_is_the_difference_of_the_two_slopes():
    years = [2011.0 + n for n in range(8)]
    england = {y: 60 + 0.1 * (y - 2011) + (0.05 if int(y) % 2 else -0.05) for y in years}
    area = {y: 58 + 0.4 * (y - 2011) + (0.08 if int(y) % 3 else -0.04) for y in years}
    comparison = slope_against(area, england)
    assert comparison.area.per_year == pytest.approx(
        numpy.polyfit(years, list(area.values()), 1)[0]
    )
    assert comparison.england.per_year == pytest.approx(
        numpy.polyfit(years, list(england.values()), 1)[0]
    )
    assert comparison.difference.per_year == pytest.approx(
        comparison.area.per_year - comparison.england.per_year
    )
    assert comparison.is_clearly_different  # 0.4 a year against 0.1, with little noise
    level = slope_against({y: v + 1 for y, v in england.items()}, england)
    assert (
        level.difference.per_year == pytest.approx(0, abs=1e-9) and not level.is_clearly_different
    )


def test_slope_against_needs_three_shared_years():
    assert (
        slope_against({2011.0: 1.0, 2012.0: 2.0, 2013.0: 3.0}, {2013.0: 1.0, 2014.0: 2.0}) is None
    )
