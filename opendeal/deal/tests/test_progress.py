from decimal import Decimal as D

import pytest

from opendeal.deal.progress import (
    Trend,
    metric_progress,
    milestone_progress,
    trend,
    weighted_mean,
)


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "direction", "expected"),
    [
        (D("20"), D("10"), D("15"), "decrease", D("50.00")),
        (D("20"), D("10"), D("10"), "decrease", D("100.00")),
        (D("20"), D("10"), D("5"), "decrease", D("100.00")),  # beyond target: capped
        (D("20"), D("10"), D("25"), "decrease", D("0.00")),  # wrong way: floored
        (D("50"), D("80"), D("60"), "increase", D("33.33")),
        (D("50"), D("80"), D("50"), "increase", D("0.00")),
        (D("50"), D("50"), D("50"), "increase", D("100")),  # hold the line, held
        (D("50"), D("50"), D("49"), "increase", D("0.00")),  # hold the line, slipped
    ],
)
def test_metric_progress(baseline, target, latest, direction, expected):
    assert metric_progress(baseline, target, latest, direction) == expected


def test_metric_progress_is_none_without_a_reading_or_target():
    assert metric_progress(D("1"), D("2"), None, "increase") is None
    assert metric_progress(D("1"), None, D("2"), "increase") is None
    assert metric_progress(None, D("2"), D("2"), "increase") is None


def test_milestone_progress():
    assert milestone_progress(4, 1) == D("25.00")
    assert milestone_progress(3, 3) == D("100.00")
    assert milestone_progress(0, 0) is None


def test_weighted_mean_leaves_out_what_is_not_measured():
    assert weighted_mean([(D("1"), D("100")), (D("3"), D("0"))]) == D("25.00")
    assert weighted_mean([(D("1"), D("80")), (D("5"), None)]) == D("80.00")
    assert weighted_mean([(D("0"), D("80"))]) is None
    assert weighted_mean([]) is None


def test_trend_respects_direction():
    assert trend([D("20"), D("18")], "decrease") is Trend.IMPROVING
    assert trend([D("20"), D("18")], "increase") is Trend.WORSENING
    assert trend([D("5"), D("5")], "increase") is Trend.NO_CHANGE
    assert trend([D("5")], "increase") is None
