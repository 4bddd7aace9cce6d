import datetime
import re
from decimal import Decimal

import pytest

from opendeal.deal import charts

D = datetime.date


def _attributes(svg: str, tag: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'([a-z][a-z0-9-]*)="([^"]*)"', match))
        for match in re.findall(rf"<{tag} ([^>]*)>", svg)
    ]


def test_progress_bar_fills_its_share_and_is_labelled():
    svg = charts.progress_bar(Decimal("42.50"), chart_id="p1", label="HW1", status="at_risk")

    assert svg.startswith('<svg class="opendeal-progress" viewBox="0 0 100 16"')
    assert 'role="img" aria-labelledby="p1-title p1-desc"' in svg
    assert '<title id="p1-title">HW1: 42% progress</title>' in svg
    bar = _attributes(svg, "rect")[1]
    assert bar == {
        "class": "opendeal-progress__bar opendeal-progress__bar--at-risk",
        "x": "0",
        "y": "0",
        "width": "42.5",
        "height": "16",
    }
    assert "style=" not in svg


def test_progress_bar_clamps_and_shows_nothing_unmeasured():
    over = charts.progress_bar(Decimal("130"), chart_id="p2", label="X")
    unmeasured = charts.progress_bar(None, chart_id="p3", label="Y")

    assert _attributes(over, "rect")[1]["width"] == "100"
    assert len(_attributes(unmeasured, "rect")) == 1
    assert "Y: not yet measured" in unmeasured


def test_line_chart_places_points_by_date_and_value():
    svg = charts.line_chart(
        [
            (D(2024, 1, 1), Decimal("0")),
            (D(2024, 1, 11), Decimal("50")),
            (D(2024, 1, 21), Decimal("100")),
        ],
        chart_id="c1",
        title="Active adults",
        unit="%",
        baseline=Decimal("0"),
        target=Decimal("100"),
    )

    points = [(p["cx"], p["cy"]) for p in _attributes(svg, "circle")]
    # x: 72 + 544 * days/20; y: 24 + 240 * (100 - value)/100 (ticks 0..100).
    assert points == [("72", "264"), ("344", "144"), ("616", "24")]
    assert _attributes(svg, "polyline")[0]["points"] == "72,264 344,144 616,24"
    target = next(line for line in _attributes(svg, "line") if "target" in line["class"])
    assert (target["y1"], target["y2"]) == ("24", "24")
    baseline = next(line for line in _attributes(svg, "line") if "baseline" in line["class"])
    assert (baseline["y1"], baseline["y2"]) == ("264", "264")
    assert "Target 100%" in svg
    assert "Baseline 0%" in svg
    assert (
        '<desc id="c1-desc">3 figures from 1 January 2024 to 21 January 2024, going from 0% to '
        "100%. Baseline 0%. Target 100%.</desc>"
    ) in svg


def test_line_chart_with_one_reading_centres_it():
    svg = charts.line_chart([(D(2024, 3, 31), Decimal("5"))], chart_id="c2", title="T")

    assert [(p["cx"]) for p in _attributes(svg, "circle")] == ["344"]
    assert "<polyline" not in svg
    assert "One figure: 5 on 31 March 2024." in svg


def test_line_chart_without_figures_says_so():
    svg = charts.line_chart([], chart_id="c3", title="Nothing")

    assert "No figures have been recorded yet." in svg
    assert "<circle" not in svg


def test_chart_text_is_escaped():
    svg = charts.line_chart(
        [(D(2024, 1, 1), Decimal("1"))],
        chart_id="c4",
        title='<script>alert("x")</script>',
        unit="<b>",
    )
    bars = charts.bar_chart([charts.Bar("A & <B>", 2)], chart_id="b1", title="T & U")

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "<b>" not in svg
    assert "A &amp; &lt;B&gt;" in bars
    assert "T &amp; U" in bars


def test_bar_chart_scales_bars_to_the_largest():
    svg = charts.bar_chart(
        [
            charts.Bar("On track", 4, "on-track"),
            charts.Bar("At risk", 1, "at-risk"),
            charts.Bar("Achieved", 0, "achieved"),
        ],
        chart_id="b2",
        title="By status",
    )

    bars = _attributes(svg, "rect")
    assert [(b["class"], b["width"], b["y"]) for b in bars] == [
        ("opendeal-chart__bar opendeal-chart__bar--on-track", "416", "12"),
        ("opendeal-chart__bar opendeal-chart__bar--at-risk", "104", "52"),
        ("opendeal-chart__bar opendeal-chart__bar--achieved", "0", "92"),
    ]
    assert '<desc id="b2-desc">On track: 4; At risk: 1; Achieved: 0.</desc>' in svg


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 100, [0, 25, 50, 75, 100]),
        (10, 20, [10, 12.5, 15, 17.5, 20]),
        (18, 20, [18, 18.5, 19, 19.5, 20]),
        (5, 5, [2, 4, 6, 8]),
    ],
)
def test_nice_ticks(low, high, expected):
    assert charts.nice_ticks(low, high) == expected


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("12.5000"), "%", "12.5%"),
        (Decimal("1234"), "people", "1,234 people"),
        (Decimal("100.00"), "", "100"),
    ],
)
def test_figure(value, unit, text):
    assert charts.figure(value, unit) == text


def test_line_chart_names_a_unit_once_and_draws_reference_labels_over_the_line():
    svg = charts.line_chart(
        [(D(2020, 1, 1), Decimal("250")), (D(2021, 1, 1), Decimal("240"))],
        chart_id="c5",
        title="Deaths",
        unit="per 100,000",
        target=Decimal("180"),
    )

    assert svg.count(">per 100,000</text>") == 1
    assert 'text-anchor="end">240</text>' in svg  # the ticks are plain numbers
    assert svg.index(">Target 180 per 100,000</text>") > svg.rindex("<circle")


def test_long_bar_labels_are_shortened_where_drawn_but_described_whole():
    svg = charts.bar_chart(
        [charts.Bar("Ashton community network meeting", 24), charts.Bar("Short", 3)],
        chart_id="bars",
        title="Attendance",
    )
    assert ">Ashton community n…</text>" in svg
    assert ">Short</text>" in svg
    assert "Ashton community network meeting: 24; Short: 3." in svg
