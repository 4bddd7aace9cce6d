"""The evidence report: each claim the King's Fund (2019) made for the Wigan Deal, checked for
the configured borough on the data imported — the figure, England's, the comparison, the
evaluation of the change of approach from the chosen year, the method and its caveats.

Every finding is worked out from the figures; where they are missing or too few the check
says "not enough data". The evaluation methods are `evaluation.py`'s; descriptive figures
(change since the first period, slope against England's) are `reports.py`'s.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.utils.safestring import SafeString

from opendeal.deal.charts import Line, line_chart

from . import evaluation, reports, selectors, statistics
from .models import (
    ENGLAND,
    LOCAL_AUTHORITY_TYPES,
    Area,
    Indicator,
    Observation,
    Release,
    Source,
)

KINGS_FUND = (
    "Naylor C and Wellings D (2019), A citizen-led approach to health and care: lessons from "
    "the Wigan Deal. The King's Fund."
)
NEIGHBOURS_COMPARED = 10


class Expectation(StrEnum):
    """What the claim says the figure did."""

    RISE_AGAINST_ENGLAND = "rise_against_england"  # a steeper trend than England's
    FALL_AGAINST_ENGLAND = "fall_against_england"
    FALL = "fall"
    RISE = "rise"
    REACH_ENGLAND = "reach_england"
    SPENDING_FALL = "spending_fall"


@dataclass(frozen=True)
class Claim:
    key: str
    title: str
    statement: str
    # Indicators that can test it, first found is used: (source, code prefix).
    indicators: tuple[tuple[str, str], ...]
    expectation: Expectation
    sexes: tuple[str, ...] = ("Persons",)


CLAIMS = (
    Claim(
        "healthy-life-expectancy",
        "Healthy life expectancy",
        "Healthy life expectancy rose against the national trend.",
        ((Source.FINGERTIPS, "90362"),),
        Expectation.RISE_AGAINST_ENGLAND,
        ("Male", "Female"),
    ),
    Claim(
        "cancer-mortality",
        "Premature mortality from cancer",
        "Premature deaths from cancer fell faster than in England.",
        ((Source.FINGERTIPS, "40501"), (Source.FINGERTIPS, "40502")),
        Expectation.FALL_AGAINST_ENGLAND,
    ),
    Claim(
        "heart-disease-mortality",
        "Premature mortality from heart disease",
        "Premature deaths from heart disease fell faster than in England.",
        ((Source.FINGERTIPS, "40401"), (Source.FINGERTIPS, "40402")),
        Expectation.FALL_AGAINST_ENGLAND,
    ),
    Claim(
        "smoking",
        "Smoking",
        "Fewer adults smoke.",
        ((Source.FINGERTIPS, "92443"),),
        Expectation.FALL,
    ),
    Claim(
        "physical-activity",
        "Physical activity",
        "More adults are physically active.",
        ((Source.FINGERTIPS, "93014"),),
        Expectation.RISE,
    ),
    Claim(
        "school-readiness",
        "School readiness",
        "School readiness reached the national average.",
        ((Source.EYFSP, "gld"), (Source.FINGERTIPS, "90631")),
        Expectation.REACH_ENGLAND,
    ),
    Claim(
        "care-homes",
        "Care homes rated good",
        "More care homes are rated good or outstanding.",
        ((Source.CQC, "care-homes-good-or-outstanding"),),
        Expectation.RISE,
    ),
    Claim(
        "staff-engagement",
        "Staff engagement",
        "Council staff are more engaged.",
        ((Source.STAFF_SURVEY, "engagement"),),
        Expectation.RISE,
    ),
    Claim(
        "savings",
        "Savings",
        "The council saved £140m.",
        ((Source.REVENUE_OUTTURN, "net-current-expenditure"), (Source.REVENUE_OUTTURN, "total")),
        Expectation.SPENDING_FALL,
    ),
)


class Finding(StrEnum):
    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNCLEAR = "unclear"
    NOT_ENOUGH_DATA = "not_enough_data"

    @property
    def label(self) -> str:
        return {
            "agrees": "The data agree",
            "disagrees": "The data disagree",
            "unclear": "No clear answer",
            "not_enough_data": "Not enough data",
        }[self.value]


@dataclass(frozen=True)
class Check:
    claim: Claim
    sex: str
    finding: Finding
    # The comparison in words, worked out from the figures.
    comparison: str
    method: str
    caveats: tuple[str, ...] = ()
    indicator: Indicator | None = None
    release: Release | None = None
    report: reports.AreaIndicatorReport | None = None
    evaluations: tuple[evaluation.Evaluation, ...] = ()
    chart: SafeString = field(default=SafeString(""), repr=False)

    @property
    def key(self) -> str:
        return f"{self.claim.key}-{self.sex.lower()}"

    @property
    def latest(self):
        return self.report.latest if self.report else None

    @property
    def weights_named(self) -> list[tuple[str, float]]:
        """The synthetic control's donor weights, by area name."""
        synthetic = self.synthetic
        if synthetic is None:
            return []
        names = dict(
            Area.objects.filter(code__in=[c for c, _ in synthetic.weights]).values_list(
                "code", "name"
            )
        )
        return [(names.get(code, code), weight) for code, weight in synthetic.weights]

    @property
    def synthetic(self) -> evaluation.SyntheticControl | None:
        return next(
            (e for e in self.evaluations if isinstance(e, evaluation.SyntheticControl)), None
        )


@dataclass(frozen=True)
class EvidenceReport:
    area: Area | None
    area_code: str
    change_year: int
    checks: tuple[Check, ...]


def evidence_report(area_code: str, change_year: int) -> EvidenceReport:
    """Every claim checked for the area; cached until a release is added or changed."""
    area = Area.objects.filter(code=area_code).first()
    releases = list(Release.objects.order_by("pk").values_list("public_id", "observations"))
    area_id = area.pk if area else None
    key = f"observatory-evidence:{area_code}:{area_id}:{change_year}:{hash(tuple(releases))}"
    found = cache.get(key)
    if found is None:
        found = EvidenceReport(
            area,
            area_code,
            change_year,
            tuple(
                check
                for claim in CLAIMS
                for check in _checks(claim, area, datetime.date(change_year, 1, 1))
            ),
        )
        cache.set(key, found, 60 * 60)
    return found


def _indicator_for(claim: Claim) -> Indicator | None:
    for source, code in claim.indicators:
        found = (
            selectors.indicators()
            .filter(source=source, code__startswith=code)
            .order_by("code")
            .first()
        )
        if found:
            return found
    return None


def _checks(claim: Claim, area: Area | None, change_on: datetime.date) -> list[Check]:
    indicator = _indicator_for(claim)
    if area is None or indicator is None:
        missing = "the borough" if area is None else "an indicator that measures it"
        return [
            Check(
                claim,
                claim.sexes[0],
                Finding.NOT_ENOUGH_DATA,
                f"Not enough data: no figures have been imported for {missing}.",
                "None",
            )
        ]
    release = selectors.release(indicator)
    available = selectors.sexes(release)
    sexes = [sex for sex in claim.sexes if sex in available] or available[:1]
    return [_check(claim, indicator, release, area, sex, change_on) for sex in sexes]


def _check(
    claim: Claim,
    indicator: Indicator,
    release: Release,
    area: Area,
    sex: str,
    change_on: datetime.date,
) -> Check:
    report = reports.area_indicator_report(
        indicator, area, sex=sex, release_id=str(release.public_id), with_chart=False
    )
    finding, comparison, method, caveats = _DESCRIBE[claim.expectation](report)
    caveats = list(caveats)
    if not report.has_intervals and report.rows:
        caveats.append(
            "This release has no confidence intervals, so the comparison uses the figures alone."
        )
    if any(row.area.period_range not in ("", "1y") for row in report.rows):
        caveats.append(
            "Figures are averages over overlapping periods of several years: neighbouring "
            "figures share years, so trends look smoother and intervals narrower than they are."
        )
    evaluations: tuple = ()
    if indicator.source != Source.REVENUE_OUTTURN and not indicator.is_total and report.rows:
        evaluations = evaluate(release, area, sex, change_on)
    check = Check(
        claim,
        sex,
        finding,
        comparison,
        method,
        tuple(caveats),
        indicator,
        release,
        report,
        evaluations,
    )
    return dataclasses.replace(check, chart=_chart(check))


# --- Findings from the descriptive figures -------------------------------------------------------


def _trend_against_england(falling: bool):
    def describe(report: reports.AreaIndicatorReport):
        method = (
            "Straight-line trends of the area and England by ordinary least squares, and the "
            "difference between them with its 95% interval (one regression with an "
            "interaction term)."
        )
        slope = report.slope
        if slope is None:
            return (
                Finding.NOT_ENOUGH_DATA,
                "Not enough data: fewer than three periods with figures for both the area "
                "and England.",
                method,
                (),
            )
        unit = report.indicator.unit
        words = (
            f"{report.area.name}: {_signed(slope.area.per_year)} {unit} a year; England: "
            f"{_signed(slope.england.per_year)} {unit} a year, over {slope.difference.periods} "
            f"periods. Difference {_signed(slope.difference.per_year)} a year (95% interval "
            f"{_signed(slope.difference.lower)} to {_signed(slope.difference.upper)})."
        )
        wanted = slope.difference.upper < 0 if falling else slope.difference.lower > 0
        against = slope.difference.lower > 0 if falling else slope.difference.upper < 0
        finding = Finding.AGREES if wanted else Finding.DISAGREES if against else Finding.UNCLEAR
        return finding, words, method, ()

    return describe


def _direction(falling: bool):
    def describe(report: reports.AreaIndicatorReport):
        method = (
            "Change from the first period to the latest, and the straight-line trend (ordinary "
            "least squares) with its 95% interval."
        )
        points = _by_year(report, lambda row: row.area)
        change, trend = report.change, statistics.trend_slope(points)
        if change is None or trend is None:
            return (
                Finding.NOT_ENOUGH_DATA,
                "Not enough data: fewer than three periods with figures.",
                method,
                (),
            )
        unit = report.indicator.unit
        words = (
            f"From {_figure(change.baseline_value, unit)} in {change.baseline_period} to "
            f"{_figure(change.latest_value, unit)} in {change.latest_period} "
            f"({_signed(change.difference)}); trend {_signed(trend.per_year)} a year (95% "
            f"interval {_signed(trend.lower)} to {_signed(trend.upper)})."
        )
        england = _england_change(report)
        if england:
            words += f" England over the same periods: {england}."
        wanted = trend.upper < 0 if falling else trend.lower > 0
        against = trend.lower > 0 if falling else trend.upper < 0
        finding = Finding.AGREES if wanted else Finding.DISAGREES if against else Finding.UNCLEAR
        return finding, words, method, ()

    return describe


def _reach_england(report: reports.AreaIndicatorReport):
    method = (
        "The latest figure against England's in the same period; by Fingertips' method "
        "(overlapping 95% intervals) where the release has intervals."
    )
    latest = report.latest
    if latest is None or latest.england is None or latest.england.value is None:
        return (
            Finding.NOT_ENOUGH_DATA,
            "Not enough data: no figure for both the area and England in the same period.",
            method,
            (),
        )
    unit = report.indicator.unit
    gap = latest.area.value - latest.england.value
    words = (
        f"{_figure(latest.area.value, unit)} against England's "
        f"{_figure(latest.england.value, unit)} in {latest.period} ({_signed(gap)})."
    )
    first = next((row for row in report.rows if row.england and row.england.value), None)
    if first is not None and first is not latest:
        words += (
            f" In {first.period} the gap was {_signed(first.area.value - first.england.value)}."
        )
    if latest.computed_comparison:
        similar = latest.computed_comparison in ("similar", "better")
        finding = Finding.AGREES if similar else Finding.DISAGREES
    else:
        finding = Finding.AGREES if gap >= 0 else Finding.DISAGREES
    return finding, words, method, ()


def _spending_fall(report: reports.AreaIndicatorReport):
    method = "Net current expenditure from the first year imported to the latest, in cash."
    change = report.change
    if change is None:
        return (
            Finding.NOT_ENOUGH_DATA,
            "Not enough data: fewer than two years of spending.",
            method,
            (),
        )
    unit = report.indicator.unit
    words = (
        f"{_figure(change.baseline_value, unit)} in {change.baseline_period}, "
        f"{_figure(change.latest_value, unit)} in {change.latest_period}: "
        f"{_signed(change.difference)} {unit}"
        + (f" ({_signed(change.percent)}%)" if change.percent is not None else "")
        + "."
    )
    england = _england_change(report)
    if england:
        words += f" England: {england}."
    caveats = (
        "Cash figures, not adjusted for inflation or for services moving between councils "
        "and the NHS (public health joined councils in 2013-14).",
        "A fall in spending is not the same as a saving made by the Deal: grant cuts forced "
        "savings on every council.",
    )
    finding = Finding.AGREES if change.difference < 0 else Finding.DISAGREES
    return finding, words, method, caveats


_DESCRIBE: dict[Expectation, Callable] = {
    Expectation.RISE_AGAINST_ENGLAND: _trend_against_england(falling=False),
    Expectation.FALL_AGAINST_ENGLAND: _trend_against_england(falling=True),
    Expectation.FALL: _direction(falling=True),
    Expectation.RISE: _direction(falling=False),
    Expectation.REACH_ENGLAND: _reach_england,
    Expectation.SPENDING_FALL: _spending_fall,
}


def _england_change(report: reports.AreaIndicatorReport) -> str:
    rows = [row for row in report.rows if row.england and row.england.value is not None]
    if len(rows) < 2 or report.area.code == ENGLAND:
        return ""
    first, last = rows[0].england.value, rows[-1].england.value
    percent = f" ({_signed((last - first) * 100 / first)}%)" if first else ""
    return f"{_figure(first)} to {_figure(last)}{percent}"


def _by_year(report, pick) -> dict[float, float]:
    found = {}
    for row in report.rows:
        observation = pick(row)
        if observation is not None and observation.value is not None:
            found[statistics.year_fraction(observation.period_end)] = float(observation.value)
    return found


def _figure(value, unit: str = "") -> str:
    number = f"{float(value):,.1f}".removesuffix(".0")
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


def _signed(value) -> str:
    number = round(float(value), 2)
    text = f"{abs(number):,.2f}".rstrip("0").rstrip(".")
    return f"+{text}" if number > 0 else f"−{text}" if number < 0 else "0"


# --- Evaluation of the change ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    sortable: int
    label: str
    start: datetime.date
    end: datetime.date

    @property
    def middle(self) -> float:
        return (statistics.year_fraction(self.start) + statistics.year_fraction(self.end)) / 2


def evaluation_panel(release: Release, sex: str) -> tuple[pd.DataFrame, list[PeriodInfo]]:
    """England and every local authority by period (columns in time order), with each
    period's span, from one query over the observation index."""
    values: dict[str, dict[int, float]] = defaultdict(dict)
    periods: dict[int, PeriodInfo] = {}
    rows = Observation.objects.filter(release=release, sex=sex).filter(
        area__area_type__in=[*LOCAL_AUTHORITY_TYPES, "country"]
    )
    for code, sortable, label, end, span, value in rows.values_list(
        "area__code", "period_sortable", "period", "period_end", "period_range", "value"
    ):
        if value is not None:
            values[code][sortable] = float(value)
        if sortable not in periods:
            years = int(span[:-1]) if span.endswith("y") and span[:-1].isdigit() else 1
            start = end.replace(year=end.year - years) + datetime.timedelta(days=1)
            periods[sortable] = PeriodInfo(sortable, label, start, end)
    ordered = [periods[key] for key in sorted(periods)]
    frame = pd.DataFrame.from_dict(values, orient="index")
    frame = frame.reindex(columns=[p.sortable for p in ordered])
    return frame, ordered


def evaluate(
    release: Release, area: Area, sex: str, change_on: datetime.date
) -> tuple[evaluation.Evaluation, ...]:
    """Interrupted time series, difference in differences against England and against the
    statistical neighbours, and synthetic control against every other authority."""
    panel, periods = evaluation_panel(release, sex)
    if area.code not in panel.index:
        return ()
    phases = [evaluation.phase_of(p.start, p.end, change_on) for p in periods]
    times = np.array([p.middle for p in periods])
    change_at = statistics.year_fraction(change_on)
    series = panel.loc[area.code]
    known = series.notna().to_numpy()
    known_phases = [phase for phase, is_known in zip(phases, known, strict=True) if is_known]
    results: list[evaluation.Evaluation] = [
        evaluation.interrupted_time_series(
            times[known], series.to_numpy()[known], known_phases, change_at
        )
    ]
    results.append(
        evaluation.difference_in_differences(
            panel, area.code, [ENGLAND], phases, times, comparison="England"
        )
    )
    _, neighbours = selectors.neighbours(area, limit=40)
    codes = [n.code for n in neighbours if n.code in panel.index][:NEIGHBOURS_COMPARED]
    results.append(
        evaluation.difference_in_differences(
            panel, area.code, codes, phases, times, comparison="statistical neighbours"
        )
    )
    donors = panel.drop(index=[ENGLAND], errors="ignore")
    results.append(evaluation.synthetic_control(donors, area.code, phases))
    return tuple(results)


def _chart(check: Check) -> SafeString:
    report = check.report
    if report is None or not report.rows:
        return SafeString("")
    area_points = [
        (r.area.period_end, r.area.value) for r in report.rows if r.area.value is not None
    ]
    others = []
    if report.has_england:
        others.append(
            Line(
                "England",
                [
                    (r.england.period_end, r.england.value)
                    for r in report.rows
                    if r.england is not None and r.england.value is not None
                ],
                "england",
            )
        )
    synthetic = check.synthetic
    if synthetic is not None and synthetic.has_enough_data:
        ends = {r.area.period_sortable: r.area.period_end for r in report.rows}
        others.append(
            Line(
                "Synthetic control",
                [
                    (ends[period], Decimal(str(round(value, 2))))
                    for period, value in zip(synthetic.periods, synthetic.synthetic, strict=True)
                    if period in ends
                ],
                "neighbour",
            )
        )
    return line_chart(
        area_points,
        chart_id=f"evidence-{check.key}",
        title=f"{report.indicator.name}, {report.area.name}, {check.sex}",
        unit=report.indicator.unit,
        others=others,
    )


# --- CSV ----------------------------------------------------------------------------------------

CSV_HEADER = [
    "claim",
    "statement (King's Fund, 2019)",
    "sex",
    "indicator",
    "release",
    "latest period",
    "area figure",
    "England figure",
    "finding",
    "comparison",
    "method",
    "caveats",
    "interrupted time series: level change",
    "interrupted time series: slope change a year",
    "interrupted time series: caveats",
    "difference in differences against England: effect",
    "difference in differences against England: pre-trend difference a year",
    "difference in differences against England: caveats",
    "difference in differences against neighbours: effect",
    "difference in differences against neighbours: pre-trend difference a year",
    "difference in differences against neighbours: caveats",
    "synthetic control: mean gap after the change",
    "synthetic control: mean gap over equally good weightings",
    "synthetic control: placebo p-value",
    "synthetic control: weights",
    "synthetic control: caveats",
]


def interval_text(interval: evaluation.Interval | None) -> str:
    if interval is None:
        return ""
    return (
        f"{_signed(interval.estimate)} (95% interval {_signed(interval.lower)} to "
        f"{_signed(interval.upper)})"
    )


def _caveats_text(result: evaluation.Evaluation | None) -> str:
    return " ".join(caveat.text for caveat in result.caveats) if result else ""


def csv_rows(report: EvidenceReport):
    for check in report.checks:
        by_method: dict[str, list] = defaultdict(list)
        for result in check.evaluations:
            by_method[result.method].append(result)
        its = (by_method.get("interrupted_time_series") or [None])[0]
        did_england, did_neighbours = (
            [*by_method.get("difference_in_differences", []), None, None]
        )[:2]
        synthetic = check.synthetic
        latest = check.latest
        yield [
            check.claim.title,
            check.claim.statement,
            check.sex,
            check.indicator.name if check.indicator else "",
            check.release.label if check.release else "",
            latest.period if latest else "",
            latest.area.value if latest else "",
            latest.england.value if latest and latest.england else "",
            check.finding.label,
            check.comparison,
            check.method,
            " ".join(check.caveats),
            interval_text(its.level_change) if its else "",
            interval_text(its.slope_change) if its else "",
            _caveats_text(its),
            interval_text(did_england.effect) if did_england else "",
            interval_text(did_england.pre_trend_difference) if did_england else "",
            _caveats_text(did_england),
            interval_text(did_neighbours.effect) if did_neighbours else "",
            interval_text(did_neighbours.pre_trend_difference) if did_neighbours else "",
            _caveats_text(did_neighbours),
            _signed(synthetic.mean_gap) if synthetic and synthetic.has_enough_data else "",
            (
                f"{_signed(synthetic.mean_gap_range[0])} to {_signed(synthetic.mean_gap_range[1])}"
                if synthetic and synthetic.has_enough_data
                else ""
            ),
            f"{synthetic.p_value:.3f}" if synthetic and synthetic.p_value is not None else "",
            "; ".join(f"{code} {weight:.3f}" for code, weight in synthetic.weights)
            if synthetic
            else "",
            _caveats_text(synthetic),
        ]
