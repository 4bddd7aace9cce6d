"""What the indicator page and the series API show for one indicator, area, sex and release:
plain dataclasses built from `selectors` and `statistics`."""

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString

from opendeal.deal.charts import Line, line_chart

from . import selectors, statistics
from .models import ENGLAND, Area, Comparison, Indicator, Observation, Release, Source


@dataclass(frozen=True)
class PeriodRow:
    period: str
    area: Observation
    england: Observation | None
    # Fingertips' method (England's value against the area's interval), where it has one.
    computed_comparison: Comparison | None
    neighbours: tuple[Decimal | None, ...] = ()

    @property
    def published_comparison(self) -> str:
        return self.area.published_comparison

    @property
    def has_interval(self) -> bool:
        return self.area.lower_ci_95 is not None and self.area.upper_ci_95 is not None


@dataclass(frozen=True)
class AreaIndicatorReport:
    indicator: Indicator
    release: Release
    releases: tuple[Release, ...]
    area: Area
    sex: str
    sexes: tuple[str, ...]
    rows: tuple[PeriodRow, ...]
    neighbours: tuple[Area, ...]
    neighbour_source: str
    change: statistics.Change | None
    slope: statistics.SlopeComparison | None
    # The area's own straight-line trend (shown when England's is not comparable).
    trend: statistics.Slope | None
    baseline_period: str | None
    chart: SafeString = field(repr=False, default=SafeString(""))

    @property
    def latest(self) -> PeriodRow | None:
        known = [row for row in self.rows if row.area.value is not None]
        return known[-1] if known else None

    @property
    def has_england(self) -> bool:
        return any(row.england is not None for row in self.rows) and self.area.code != ENGLAND

    @property
    def compares_with_england(self) -> bool:
        """Whether England's figure is comparable: not for totals (spending, population)."""
        return self.has_england and not self.indicator.is_total

    @property
    def has_intervals(self) -> bool:
        return any(row.has_interval for row in self.rows)

    @property
    def is_spending(self) -> bool:
        return self.indicator.source == Source.REVENUE_OUTTURN

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(row.period for row in self.rows)


def area_indicator_report(
    indicator: Indicator,
    area: Area,
    *,
    sex: str | None = None,
    release_id: str | None = None,
    baseline_period: str | None = None,
    with_chart: bool = True,
) -> AreaIndicatorReport:
    release = selectors.release(indicator, release_id)
    sexes = tuple(selectors.sexes(release))
    chosen_sex = sex if sex in sexes else (sexes[0] if sexes else "Persons")
    # The nearest neighbours that have figures in this release (a release may cover only
    # upper-tier authorities, and a neighbour may be a district).
    neighbour_source, candidates = selectors.neighbours(area, limit=20)
    codes = [area.code, ENGLAND, *(n.code for n in candidates)]
    by_code = selectors.series_by_code(release, codes, chosen_sex)
    neighbours = [n for n in candidates if by_code.get(n.code)][: selectors.NEIGHBOURS_SHOWN]
    england_by_period = {o.period_sortable: o for o in by_code.get(ENGLAND, [])}
    neighbour_values = [
        {o.period_sortable: o.value for o in by_code.get(n.code, [])} for n in neighbours
    ]
    rows = tuple(
        PeriodRow(
            period=observation.period,
            area=observation,
            england=england_by_period.get(observation.period_sortable),
            computed_comparison=_computed(
                observation, england_by_period.get(observation.period_sortable), indicator
            ),
            neighbours=tuple(
                values.get(observation.period_sortable) for values in neighbour_values
            ),
        )
        for observation in by_code.get(area.code, [])
    )
    change = statistics.change_since(
        [(row.period, row.area.value) for row in rows], baseline_period
    )
    slope = None
    if area.code != ENGLAND and not indicator.is_total:
        slope = statistics.slope_against(
            by_year(rows, lambda row: row.area),
            by_year(rows, lambda row: row.england),
        )
    report = AreaIndicatorReport(
        indicator=indicator,
        release=release,
        releases=tuple(selectors.releases(indicator)),
        area=area,
        sex=chosen_sex,
        sexes=sexes,
        rows=rows,
        neighbours=tuple(neighbours),
        neighbour_source=neighbour_source,
        change=change,
        slope=slope,
        trend=statistics.trend_slope(by_year(rows, lambda row: row.area)),
        baseline_period=change.baseline_period if change else baseline_period,
    )
    if not with_chart:
        return report
    return dataclasses.replace(report, chart=_chart(report, by_code))


def _computed(area: Observation, england: Observation | None, indicator: Indicator):
    if england is None or area.area_id == england.area_id:
        return None
    return statistics.compare_with_england(
        area.value, area.lower_ci_95, area.upper_ci_95, england.value, indicator.polarity
    )


def by_year(rows, pick) -> dict[float, float]:
    """The figures `pick` takes from each row, by decimal year (rows without one left out)."""
    found = {}
    for row in rows:
        observation = pick(row)
        if observation is not None and observation.value is not None:
            found[statistics.year_fraction(observation.period_end)] = float(observation.value)
    return found


def _points(observations: list[Observation]):
    return [(o.period_end, o.value) for o in observations if o.value is not None]


def _chart(report: AreaIndicatorReport, by_code: dict[str, list[Observation]]) -> SafeString:
    others = [
        Line(n.name, _points(by_code.get(n.code, [])), "neighbour") for n in report.neighbours
    ]
    if report.area.code != ENGLAND and not report.indicator.is_total:
        others.append(Line("England", _points(by_code.get(ENGLAND, [])), "england"))
    return line_chart(
        _points(by_code.get(report.area.code, [])),
        chart_id="observatory-trend",
        title=f"{report.indicator.name}, {report.area.name}, {report.sex}",
        unit=report.indicator.unit,
        others=others,
    )
