"""The evidence report: each claim the King's Fund (2019) made for the Wigan Deal, checked for
the configured borough on the data imported — the figure, England's, the comparison, the
evaluation of the change of approach from the chosen year, the method and its caveats.

Every finding is worked out from the figures; where they are missing or too few the check
says "not enough data". The evaluation methods are `evaluation.py`'s; descriptive figures
(change since the first period, slope against England's) are `reports.py`'s.
"""

import dataclasses
import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

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
    Comparison,
    Indicator,
    Neighbour,
    Observation,
    Polarity,
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
    # Indicators that can test it, first found is used: (source, code prefix). The first is
    # the claim's own measure; a later one stands in for it, with a caveat on the page.
    indicators: tuple[tuple[str, str], ...]
    expectation: Expectation
    sexes: tuple[str, ...] = ("Persons",)
    # How a stand-in differs from the claim's own measure: (code prefix, words).
    substitute_notes: tuple[tuple[str, str], ...] = ()
    # The amount claimed, in pounds (for a saving).
    claimed_amount: Decimal | None = None

    def substitute_note(self, indicator: Indicator) -> str:
        return next(
            (words for code, words in self.substitute_notes if indicator.code.startswith(code)),
            "",
        )


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
        substitute_notes=(
            (
                "40502",
                "It counts only deaths from cancers considered preventable, not every "
                "premature death from cancer, which is what the claim is about.",
            ),
        ),
    ),
    Claim(
        "heart-disease-mortality",
        "Premature mortality from heart disease",
        "Premature deaths from heart disease fell faster than in England.",
        ((Source.FINGERTIPS, "40401"), (Source.FINGERTIPS, "40402")),
        Expectation.FALL_AGAINST_ENGLAND,
        substitute_notes=(
            (
                "40402",
                "It counts only deaths from cardiovascular diseases considered preventable, "
                "not every premature death from them.",
            ),
        ),
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
        substitute_notes=(
            (
                "90631",
                "It is the same measure (a good level of development at the end of reception) "
                "as Fingertips republishes it, which may lag the DfE's release.",
            ),
        ),
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
        claimed_amount=Decimal("140000000"),
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
    # The indicator stands in for the claim's own measure, which has not been imported.
    is_substitute: bool = False

    @property
    def key(self) -> str:
        return f"{self.claim.key}-{self.sex.lower()}"

    @property
    def synthetic_by_period(self) -> dict[int, Decimal]:
        """The synthetic control's figure by period (sortable), to two places, as charted;
        empty when it has too little data to be charted."""
        synthetic = self.synthetic
        if synthetic is None or not synthetic.has_enough_data:
            return {}
        return {
            period: Decimal(str(round(value, 2)))
            for period, value in zip(synthetic.periods, synthetic.synthetic, strict=True)
        }

    @property
    def table_rows(self) -> list["TableRow"]:
        """Everything the chart shows, by period: the area, England and the synthetic
        control."""
        if self.report is None:
            return []
        synthetic = self.synthetic_by_period
        return [
            TableRow(
                row.period,
                row.area.value,
                row.england.value if row.england is not None else None,
                synthetic.get(row.area.period_sortable),
            )
            for row in self.report.rows
        ]

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


class TableRow(NamedTuple):
    period: str
    area: Decimal | None
    england: Decimal | None
    synthetic: Decimal | None


@dataclass(frozen=True)
class EvidenceReport:
    area: Area | None
    area_code: str
    change_year: int
    checks: tuple[Check, ...]


def evidence_report(area_code: str, change_year: int) -> EvidenceReport:
    """Every claim checked for the area; cached until a release is added or changed, or the
    area's neighbours are."""
    area = Area.objects.filter(code=area_code).first()
    releases = list(Release.objects.order_by("pk").values_list("public_id", "observations"))
    area_id = area.pk if area else None
    key = (
        f"observatory-evidence:{area_code}:{area_id}:{change_year}:{hash(tuple(releases))}:"
        f"{neighbours_checksum(area)}"
    )
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


def neighbours_checksum(area: Area | None) -> str:
    """A checksum of the area's neighbour rows (every model): it changes when neighbours are
    imported, set or removed."""
    if area is None:
        return ""
    rows = Neighbour.objects.filter(area=area).order_by("pk")
    digest = hashlib.sha256(
        repr(list(rows.values_list("pk", "model", "rank", "neighbour_id"))).encode()
    )
    return digest.hexdigest()[:16]


def _indicator_for(claim: Claim) -> tuple[Indicator | None, bool]:
    """The first of the claim's indicators imported, and whether it stands in for the claim's
    own measure (the first listed)."""
    for position, (source, code) in enumerate(claim.indicators):
        found = (
            selectors.indicators()
            .filter(source=source, code__startswith=code)
            .order_by("code")
            .first()
        )
        if found:
            return found, position > 0
    return None, False


def _substitute_caveat(claim: Claim, indicator: Indicator) -> str:
    source, code = claim.indicators[0]
    words = (
        f"A substitute measure: the claim's own indicator ({Source(source).label} {code}) has "
        f"not been imported, so {indicator.name} ({indicator.get_source_display()} "
        f"{indicator.code}) stands in for it."
    )
    note = claim.substitute_note(indicator)
    return f"{words} {note}" if note else words


def _checks(claim: Claim, area: Area | None, change_on: datetime.date) -> list[Check]:
    indicator, is_substitute = _indicator_for(claim)
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
    return [
        _check(claim, indicator, release, area, sex, change_on, is_substitute=is_substitute)
        for sex in sexes
    ]


def _check(
    claim: Claim,
    indicator: Indicator,
    release: Release,
    area: Area,
    sex: str,
    change_on: datetime.date,
    *,
    is_substitute: bool = False,
) -> Check:
    report = reports.area_indicator_report(
        indicator, area, sex=sex, release_id=str(release.public_id), with_chart=False
    )
    described = _DESCRIBE[claim.expectation](claim, report, change_on)
    caveats = [_substitute_caveat(claim, indicator)] if is_substitute else []
    caveats.extend(described.caveats)
    if not report.has_intervals and report.rows and described.figures_alone:
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
        described.finding,
        described.comparison,
        described.method,
        tuple(caveats),
        indicator,
        release,
        report,
        evaluations,
        is_substitute=is_substitute,
    )
    return dataclasses.replace(check, chart=_chart(check))


# --- Findings from the descriptive figures -------------------------------------------------------


class Described(NamedTuple):
    finding: Finding
    comparison: str
    method: str
    caveats: tuple[str, ...] = ()
    # The comparison rests on the figures alone, not on intervals or a publisher's judgement.
    figures_alone: bool = True


def period_start(end: datetime.date, period_range: str) -> datetime.date:
    """The first day of a period from its last and its span ("3y"; one year when not given)."""
    years = (
        int(period_range[:-1]) if period_range.endswith("y") and period_range[:-1].isdigit() else 1
    )
    return end.replace(year=end.year - years) + datetime.timedelta(days=1)


def _trend_against_england(falling: bool):
    def describe(
        claim: Claim, report: reports.AreaIndicatorReport, change_on: datetime.date
    ) -> Described:
        year = change_on.year
        method = (
            f"Straight-line trends of the area and England by ordinary least squares over the "
            f"periods beginning in {year} or later (the change of approach), and the "
            "difference between them with its 95% interval (one regression with an "
            "interaction term)."
        )
        if report.slope is None:
            return Described(
                Finding.NOT_ENOUGH_DATA,
                "Not enough data: fewer than three periods with figures for both the area "
                "and England.",
                method,
            )
        after = [
            row
            for row in report.rows
            if period_start(row.area.period_end, row.area.period_range) >= change_on
        ]
        slope = statistics.slope_against(
            reports.by_year(after, lambda row: row.area),
            reports.by_year(after, lambda row: row.england),
        )
        if slope is None:
            shared = [
                row
                for row in after
                if row.area.value is not None
                and row.england is not None
                and row.england.value is not None
            ]
            return Described(
                Finding.UNCLEAR,
                f"Too few periods to tell: {len(shared)} beginning in {year} or later "
                f"{'has' if len(shared) == 1 else 'have'} figures for both {report.area.name} "
                f"and England, and comparing trends needs three. The figures run from "
                f"{report.rows[0].period} to {report.rows[-1].period}.",
                method,
            )
        unit = report.indicator.unit
        used = [row.period for row in after if row.area.value is not None]
        words = (
            f"From {year} ({used[0]} to {used[-1]}): {report.area.name}: "
            f"{_signed(slope.area.per_year)} {unit} a year; England: "
            f"{_signed(slope.england.per_year)} {unit} a year, over {slope.difference.periods} "
            f"periods. Difference {_signed(slope.difference.per_year)} a year (95% interval "
            f"{_signed(slope.difference.lower)} to {_signed(slope.difference.upper)})."
        )
        wanted = slope.difference.upper < 0 if falling else slope.difference.lower > 0
        against = slope.difference.lower > 0 if falling else slope.difference.upper < 0
        finding = Finding.AGREES if wanted else Finding.DISAGREES if against else Finding.UNCLEAR
        return Described(finding, words, method)

    return describe


def _direction(falling: bool):
    def describe(
        claim: Claim, report: reports.AreaIndicatorReport, change_on: datetime.date
    ) -> Described:
        method = (
            "Change from the first period to the latest, and the straight-line trend (ordinary "
            "least squares) with its 95% interval."
        )
        points = reports.by_year(report.rows, lambda row: row.area)
        change, trend = report.change, statistics.trend_slope(points)
        if change is None or trend is None:
            return Described(
                Finding.NOT_ENOUGH_DATA,
                "Not enough data: fewer than three periods with figures.",
                method,
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
        return Described(finding, words, method)

    return describe


# A comparison with England that means the area has reached England's level.
_REACHED = (Comparison.SIMILAR, Comparison.BETTER, Comparison.HIGHER)


def _reach_england(
    claim: Claim, report: reports.AreaIndicatorReport, change_on: datetime.date
) -> Described:
    method = (
        "The latest figure against England's in the same period: by Fingertips' method "
        "(similar when England's value lies within the area's 95% interval) where the release "
        "has an interval; otherwise by the publisher's own comparison with England where it "
        "gives one; otherwise by the figures alone (at or beyond England's, as the indicator's "
        "polarity reads)."
    )
    latest = report.latest
    if latest is None or latest.england is None or latest.england.value is None:
        return Described(
            Finding.NOT_ENOUGH_DATA,
            "Not enough data: no figure for both the area and England in the same period.",
            method,
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
    published = statistics.published_comparison(latest.published_comparison)
    if latest.computed_comparison:
        comparison = Comparison(latest.computed_comparison)
        words += f" By Fingertips' method: {comparison.label.lower()}."
    elif published is not None and published != Comparison.NOT_COMPARED:
        comparison = published
        words += (
            " As the publisher compared them (from intervals not in this release): "
            f"{latest.published_comparison.strip().lower()}."
        )
    else:
        reached = gap <= 0 if report.indicator.polarity == Polarity.LOWER_IS_BETTER else gap >= 0
        finding = Finding.AGREES if reached else Finding.DISAGREES
        return Described(finding, words, method)
    finding = Finding.AGREES if comparison in _REACHED else Finding.DISAGREES
    return Described(finding, words, method, figures_alone=False)


# Pounds in one unit of a spending figure.
_POUNDS_PER_UNIT = {"£": Decimal(1), "£ thousand": Decimal(1000), "£ million": Decimal(10**6)}


def _pounds(amount: Decimal) -> str:
    if abs(amount) >= 10**6:
        return f"£{float(amount) / 10**6:,.1f}m".replace(".0m", "m")
    return f"£{float(amount):,.0f}"


def _spending_fall(
    claim: Claim, report: reports.AreaIndicatorReport, change_on: datetime.date
) -> Described:
    method = (
        "Net current expenditure from the first year imported to the latest, in cash: the fall "
        "set against the amount claimed, and against England's change over the same years. "
        "The data agree when the fall reaches the amount claimed."
    )
    change = report.change
    if change is None:
        return Described(
            Finding.NOT_ENOUGH_DATA,
            "Not enough data: fewer than two years of spending.",
            method,
        )
    unit = report.indicator.unit
    name = report.area.name
    words = (
        f"{name}: {_figure(change.baseline_value, unit)} in {change.baseline_period}, "
        f"{_figure(change.latest_value, unit)} in {change.latest_period}: "
        f"{_signed(change.difference)} {unit}"
        + (f" ({_signed(change.percent)}%)" if change.percent is not None else "")
        + "."
    )
    england = _england_between(report, change.baseline_period, change.latest_period)
    if england is not None:
        first, last = england
        words += f" England over the same years: {_figure(first, unit)} to {_figure(last, unit)}"
        if first and change.percent is not None:
            england_percent = (last - first) * 100 / first
            words += f" ({_signed(england_percent)}%)"
            relation = (
                "a larger fall than England's"
                if change.percent < england_percent
                else "no larger a fall than England's"
            )
            words += f": {name}'s spending changed by {_signed(change.percent)}%, {relation}"
        words += "."
    caveats = (
        "Cash figures, not adjusted for inflation or for services moving between councils "
        "and the NHS (public health joined councils in 2013-14).",
        "A fall in spending is not the same as a saving made by the Deal: grant cuts forced "
        "savings on every council.",
        "Savings are usually counted against what would have been spent as costs and demand "
        "rose, so they can be larger than the fall in cash spending.",
    )
    claimed = claim.claimed_amount
    per_unit = _POUNDS_PER_UNIT.get(unit)
    if change.difference >= 0:
        words += f" Spending did not fall, so these figures show no saving since {change.baseline_period}."
        return Described(Finding.DISAGREES, words, method, caveats)
    if claimed is None or per_unit is None:
        words += " The amount claimed cannot be set against these figures."
        return Described(Finding.UNCLEAR, words, method, caveats)
    fall = -change.difference * per_unit
    if fall >= claimed:
        words += f" The fall, {_pounds(fall)}, reaches the {_pounds(claimed)} claimed."
        return Described(Finding.AGREES, words, method, caveats)
    words += (
        f" The fall, {_pounds(fall)}, is short of the {_pounds(claimed)} claimed: these "
        "figures do not show the amount, nor rule it out (see the caveats)."
    )
    return Described(Finding.UNCLEAR, words, method, caveats)


_DESCRIBE: dict[Expectation, Callable[..., Described]] = {
    Expectation.RISE_AGAINST_ENGLAND: _trend_against_england(falling=False),
    Expectation.FALL_AGAINST_ENGLAND: _trend_against_england(falling=True),
    Expectation.FALL: _direction(falling=True),
    Expectation.RISE: _direction(falling=False),
    Expectation.REACH_ENGLAND: _reach_england,
    Expectation.SPENDING_FALL: _spending_fall,
}


def _england_between(
    report: reports.AreaIndicatorReport, first_period: str, last_period: str
) -> tuple[Decimal, Decimal] | None:
    """England's figures in two of the area's periods, when it has both."""
    by_period = {
        row.period: row.england.value
        for row in report.rows
        if row.england is not None and row.england.value is not None
    }
    if report.area.code == ENGLAND or first_period not in by_period or last_period not in by_period:
        return None
    return by_period[first_period], by_period[last_period]


def _england_change(report: reports.AreaIndicatorReport) -> str:
    rows = [row for row in report.rows if row.england and row.england.value is not None]
    if len(rows) < 2 or report.area.code == ENGLAND:
        return ""
    first, last = rows[0].england.value, rows[-1].england.value
    percent = f" ({_signed((last - first) * 100 / first)}%)" if first else ""
    return f"{_figure(first)} to {_figure(last)}{percent}"


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
            periods[sortable] = PeriodInfo(sortable, label, period_start(end, span), end)
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
    if neighbours and not codes:
        # Neighbours are set, but none has figures in this release: the method says so.
        codes = [n.code for n in neighbours[:NEIGHBOURS_COMPARED]]
    results.append(
        evaluation.difference_in_differences(
            panel,
            area.code,
            codes,
            phases,
            times,
            comparison="statistical neighbours",
            none_given=no_neighbours_text(area),
        )
    )
    donors = panel.drop(index=[ENGLAND], errors="ignore")
    results.append(evaluation.synthetic_control(donors, area.code, phases))
    return tuple(results)


def no_neighbours_text(area: Area) -> str:
    return (
        f"No statistical neighbours are set for {area.name}, so there is nothing to compare it "
        "with. Import the ONS similar areas with `opendeal import_neighbours <folder>`, or set "
        f"the council's own list with `opendeal import_neighbours --area {area.code} --council "
        "<area codes>`."
    )


def placebo_text(result: evaluation.DifferenceInDifferences) -> str:
    """The difference in differences' placebo test in words, and whether it is clear."""
    if not result.has_enough_data:
        return ""
    areas = len(result.comparison_units)
    if not result.has_enough_placebos:
        return (
            f"Too few comparison areas to tell ({areas}): a placebo test needs at least "
            f"{evaluation.MINIMUM_PLACEBOS}, so whether the change stands out from chance "
            "cannot be judged."
        )
    total = result.placebo_count + 1
    words = (
        f"Ranked {result.permutation_rank} of {total} by the size of the change in the gap, "
        "each comparison area treated in turn as if it had made the change: permutation "
        f"p-value {result.permutation_p_value:.3f} (the smallest possible is {1 / total:.3f})."
    )
    if result.is_clear:
        return (
            f"{words} Clear: few comparison areas show as large a change "
            f"(p at most {evaluation.PERMUTATION_LEVEL:.2f})."
        )
    return f"{words} Not clear: comparison areas show changes as large without the change."


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
    synthetic = check.synthetic_by_period
    if synthetic:
        ends = {r.area.period_sortable: r.area.period_end for r in report.rows}
        others.append(
            Line(
                "Synthetic control",
                [(ends[period], value) for period, value in synthetic.items() if period in ends],
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
    "difference in differences against neighbours: placebo test",
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
            placebo_text(did_neighbours) if did_neighbours else "",
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
