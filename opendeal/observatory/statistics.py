"""The observatory's descriptive statistics: small functions on plain values, no database.

- `compare_with_england`: Fingertips' default comparison of an area with England (comparator
  method 1, "single overlapping CIs for one CI level": `SingleOverlappingCIsForOneCILevelComparer`
  in fingertips-open's PholioVisualisation.Analysis). The area is "similar" when England's
  value lies within the area's 95% confidence interval, ends included; otherwise it is higher
  or lower, which is "better" or "worse" by the indicator's polarity. England's own interval
  plays no part; without a valid interval for the area there is no comparison.
- `change_since`: the change from a baseline period to the latest.
- `trend_slope` and `slope_against`: ordinary least squares (statsmodels) slopes per year, and
  the difference between an area's slope and England's with its 95% interval, from one
  regression with an interaction (value ~ year + area + year x area). Overlapping
  three-year periods share years, so their errors are correlated and the interval is too
  narrow; the page says so.

The evaluation of a change of approach (interrupted time series, difference-in-differences,
synthetic control) lives apart, in `evaluation.py`.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .models import Comparison, Polarity

PUBLISHED_LABELS = {
    "better": Comparison.BETTER,
    "similar": Comparison.SIMILAR,
    "worse": Comparison.WORSE,
    "higher": Comparison.HIGHER,
    "lower": Comparison.LOWER,
    "not compared": Comparison.NOT_COMPARED,
}


def published_comparison(label: str) -> Comparison | None:
    """A publisher's comparison label as a Comparison; None for a label not known here (the
    page then shows the label as published)."""
    return PUBLISHED_LABELS.get(label.strip().lower())


def compare_with_england(
    value: Decimal | None,
    lower: Decimal | None,
    upper: Decimal | None,
    england_value: Decimal | None,
    polarity: str,
) -> Comparison | None:
    """Fingertips' comparator method 1: similar when England's value lies within the area's
    95% interval (lower <= England <= upper); otherwise better or worse by polarity (higher or
    lower for an indicator without one), by the area's value against England's. None when the
    area has no value or no valid interval (a bound missing; or, a check of ours, the lower
    bound above the upper), or England has no value."""
    if value is None or england_value is None or lower is None or upper is None:
        return None
    if lower > upper:
        return None
    if lower <= england_value <= upper:
        return Comparison.SIMILAR
    is_higher = not value < england_value
    if polarity == Polarity.HIGHER_IS_BETTER:
        return Comparison.BETTER if is_higher else Comparison.WORSE
    if polarity == Polarity.LOWER_IS_BETTER:
        return Comparison.WORSE if is_higher else Comparison.BETTER
    return Comparison.HIGHER if is_higher else Comparison.LOWER


@dataclass(frozen=True)
class Change:
    baseline_period: str
    baseline_value: Decimal
    latest_period: str
    latest_value: Decimal

    @property
    def difference(self) -> Decimal:
        return self.latest_value - self.baseline_value

    @property
    def percent(self) -> Decimal | None:
        if self.baseline_value == 0:
            return None
        return (self.difference * 100 / self.baseline_value).quantize(Decimal("0.1"))


def change_since(
    points: Sequence[tuple[str, Decimal | None]], baseline_period: str | None = None
) -> Change | None:
    """From the baseline period (the first with a value when not given) to the latest value.
    `points` are (period, value), oldest first."""
    known = [(period, value) for period, value in points if value is not None]
    if len(known) < 2:
        return None
    baseline = (
        next((p for p in known if p[0] == baseline_period), None) if baseline_period else known[0]
    )
    if baseline is None or baseline == known[-1]:
        return None
    return Change(baseline[0], baseline[1], known[-1][0], known[-1][1])


def year_fraction(day: datetime.date) -> float:
    """A date as a decimal year (periods are placed at their last day)."""
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


@dataclass(frozen=True)
class Slope:
    per_year: float
    lower: float
    upper: float
    periods: int


@dataclass(frozen=True)
class SlopeComparison:
    area: Slope
    england: Slope
    # Area's slope minus England's, with its 95% interval.
    difference: Slope

    @property
    def is_clearly_different(self) -> bool:
        return self.difference.lower > 0 or self.difference.upper < 0


MINIMUM_PERIODS = 3


def trend_slope(points: Mapping[float, float]) -> Slope | None:
    """OLS slope per year with its 95% interval; None with fewer than three points."""
    import numpy
    import statsmodels.api as sm

    if len(points) < MINIMUM_PERIODS:
        return None
    years = numpy.array(sorted(points))
    values = numpy.array([points[year] for year in years])
    fit = sm.OLS(values, sm.add_constant(years)).fit()
    lower, upper = fit.conf_int(alpha=0.05)[1]
    return Slope(float(fit.params[1]), float(lower), float(upper), len(points))


def slope_against(
    area: Mapping[float, float], england: Mapping[float, float]
) -> SlopeComparison | None:
    """The area's trend against England's over the years both have, from one OLS with an
    interaction term; None with fewer than three shared years."""
    import numpy
    import statsmodels.api as sm

    shared = sorted(set(area) & set(england))
    if len(shared) < MINIMUM_PERIODS:
        return None
    area_slope = trend_slope({year: area[year] for year in shared})
    england_slope = trend_slope({year: england[year] for year in shared})
    years = numpy.array(shared + shared, dtype=float)
    is_area = numpy.array([1.0] * len(shared) + [0.0] * len(shared))
    values = numpy.array([area[y] for y in shared] + [england[y] for y in shared], dtype=float)
    design = sm.add_constant(numpy.column_stack([years, is_area, years * is_area]))
    fit = sm.OLS(values, design).fit()
    lower, upper = fit.conf_int(alpha=0.05)[3]
    difference = Slope(float(fit.params[3]), float(lower), float(upper), len(shared))
    return SlopeComparison(area_slope, england_slope, difference)
