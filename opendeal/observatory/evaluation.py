"""Evaluating a change of approach from a chosen date: plain functions on arrays and pandas
DataFrames, no database, so each method is tested on data with a known answer.

- `interrupted_time_series`: segmented regression (statsmodels OLS) of one area's series on
  time, a level change at the change date and a slope change after it, with Newey-West (HAC)
  standard errors and t intervals.
- `difference_in_differences`: the area against comparison areas (England, or statistical
  neighbours), OLS with area and period fixed effects and the treated-after interaction term;
  a pre-trend check (the difference in linear trends before the change) tests the parallel
  trends the method assumes. With one treated area its robust interval is far too narrow, so
  placebo (permutation) inference re-runs the same fit with each comparison area treated in
  turn and ranks the area's |effect| among theirs (`permutation_test`).
- `synthetic_control`: the area against a weighted average of every other area (weights on the
  simplex, minimising the pre-period error), with in-space placebo tests — every donor treated
  in turn — and their permutation p-value from the rank of post/pre RMSPE ratios.

Each result carries its method, assumptions and caveats as data, and says "not enough data"
rather than estimating from too few periods. Nothing here concludes: the page does the words.

Periods are placed in phases by `phase_of`: before the change if a period ends before the
change date, after it if it starts on or after it, and *transition* otherwise (a three-year
period 2010-12 straddles a change in 2011); transition periods are left out of every fit.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

MINIMUM_PRE_PERIODS = 3
MINIMUM_POST_PERIODS = 2
CONFIDENCE = 0.95
# The tie-break's ridge weight in standardised units: small enough to leave a unique optimum
# unchanged (to ~1e-8), large enough to pick the minimum-norm optimum when there are many.
TIE_BREAK_RIDGE = 1e-8
# Weight on the sum-to-one row of the augmented least-squares problem: it holds the sum to one
# within ~1e-6 before the weights are rescaled to sum exactly to one.
SUM_TO_ONE_WEIGHT = 1e3
# Two optimal weightings differing by more than this in any donor's weight: not unique.
UNIQUENESS_TOLERANCE = 1e-4
# Fewest placebos (comparison areas) for a difference-in-differences placebo test to tell an
# effect from chance: with 9 the smallest possible p-value is 1/10.
MINIMUM_PLACEBOS = 9
# A permutation p-value at or below this is a clear result. With ten placebos the smallest
# possible p-value is 1/11, so a 5% level could never be met.
PERMUTATION_LEVEL = 0.10


class Phase(StrEnum):
    BEFORE = "before"
    TRANSITION = "transition"
    AFTER = "after"


def phase_of(start: datetime.date, end: datetime.date, change_on: datetime.date) -> Phase:
    """Where a period lies against the change date (periods straddling it are transition)."""
    if end < change_on:
        return Phase.BEFORE
    if start >= change_on:
        return Phase.AFTER
    return Phase.TRANSITION


@dataclass(frozen=True)
class Caveat:
    code: str
    text: str


@dataclass(frozen=True)
class Interval:
    estimate: float
    lower: float
    upper: float
    p_value: float | None = None

    @property
    def excludes_zero(self) -> bool:
        return self.lower > 0 or self.upper < 0


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """What every method's result says about itself."""

    method: str
    description: str
    assumptions: tuple[str, ...]
    caveats: tuple[Caveat, ...] = ()
    has_enough_data: bool = True
    periods_before: int = 0
    periods_after: int = 0
    periods_transition: int = 0

    @property
    def caveat_codes(self) -> set[str]:
        return {caveat.code for caveat in self.caveats}


def _not_enough(before: int, after: int, needed_before: int, needed_after: int) -> Caveat:
    return Caveat(
        "not_enough_data",
        f"Not enough data: {before} period(s) before the change and {after} after; "
        f"this method needs at least {needed_before} before and {needed_after} after.",
    )


def _counts(phases: Sequence[Phase]) -> dict:
    return {
        "periods_before": sum(p == Phase.BEFORE for p in phases),
        "periods_after": sum(p == Phase.AFTER for p in phases),
        "periods_transition": sum(p == Phase.TRANSITION for p in phases),
    }


def _transition_caveat(counts: dict) -> tuple[Caveat, ...]:
    if not counts["periods_transition"]:
        return ()
    return (
        Caveat(
            "transition_left_out",
            f"{counts['periods_transition']} period(s) span the change date and are left out "
            "of the fit.",
        ),
    )


def permutation_test(own: float, placebos: Sequence[float]) -> tuple[int, float]:
    """The rank of `own` among itself and the placebos' statistics (1: the largest; ties share
    the better rank), and the permutation p-value: the share of them all, `own` counted, at
    least as large as `own`."""
    values = [own, *placebos]
    rank = 1 + sum(value > own for value in values)
    return rank, sum(value >= own for value in values) / len(values)


def _interval(fit, name: str) -> Interval:
    lower, upper = fit.conf_int(alpha=1 - CONFIDENCE).loc[name]
    return Interval(float(fit.params[name]), float(lower), float(upper), float(fit.pvalues[name]))


# --- Interrupted time series -------------------------------------------------------------------

ITS_ASSUMPTIONS = (
    "Without the change, the trend before it would have continued in a straight line.",
    "Nothing else that affects the figure changed at the same time.",
)


@dataclass(frozen=True, kw_only=True)
class InterruptedTimeSeries(Evaluation):
    # Change in level at the change date, and in slope per year after it.
    level_change: Interval | None = None
    slope_change: Interval | None = None
    slope_before: Interval | None = None
    hac_lags: int = 0


def interrupted_time_series(
    times: Sequence[float],
    values: Sequence[float],
    phases: Sequence[Phase],
    change_at: float,
) -> InterruptedTimeSeries:
    """Segmented regression: value = a + b·(t - c) + level·after + slope·(t - c)·after.

    `times` are decimal years (a period's midpoint), `change_at` the change date as one.
    """
    import statsmodels.api as sm

    counts = _counts(phases)
    base = {
        "method": "interrupted_time_series",
        "description": "Interrupted time series: segmented regression of the area's own "
        "series (ordinary least squares, Newey-West standard errors, 95% t intervals).",
        "assumptions": ITS_ASSUMPTIONS,
        **counts,
    }
    if counts["periods_before"] < MINIMUM_PRE_PERIODS or counts["periods_after"] < 3:
        return InterruptedTimeSeries(
            **base,
            has_enough_data=False,
            caveats=(
                _not_enough(counts["periods_before"], counts["periods_after"], 3, 3),
                *_transition_caveat(counts),
            ),
        )
    kept = [i for i, phase in enumerate(phases) if phase != Phase.TRANSITION]
    time = np.asarray(times, dtype=float)[kept] - change_at
    after = np.array([phases[i] == Phase.AFTER for i in kept], dtype=float)
    design = pd.DataFrame(
        {"const": 1.0, "time": time, "level_change": after, "slope_change": time * after}
    )
    # Newey and West's (1994) rule of thumb for the lag length.
    lags = max(1, int(4 * (len(kept) / 100) ** (2 / 9)))
    fit = sm.OLS(np.asarray(values, dtype=float)[kept], design).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    caveats = list(_transition_caveat(counts))
    if len(kept) < 20:
        caveats.append(
            Caveat(
                "few_periods",
                f"Only {len(kept)} periods: Newey-West errors ({lags} lag(s)) are approximate "
                "in so short a series.",
            )
        )
    return InterruptedTimeSeries(
        **base,
        caveats=tuple(caveats),
        level_change=_interval(fit, "level_change"),
        slope_change=_interval(fit, "slope_change"),
        slope_before=_interval(fit, "time"),
        hac_lags=lags,
    )


# --- Difference in differences -----------------------------------------------------------------

DID_ASSUMPTIONS = (
    "Parallel trends: without the change, the area's figure would have moved in step with the "
    "comparison areas' (checked, as far as the periods before allow, by the pre-trend test).",
    "The change did not affect the comparison areas.",
)


@dataclass(frozen=True, kw_only=True)
class DifferenceInDifferences(Evaluation):
    comparison: str = ""
    comparison_units: tuple[str, ...] = ()
    # The treated-after interaction: the change in the gap to the comparison areas.
    effect: Interval | None = None
    # Before the change: the area's linear trend minus the comparison's, per year.
    pre_trend_difference: Interval | None = None
    # Placebo inference: each comparison area's effect with it treated in place of the area
    # (its comparison: the other comparison areas, never the area), and where the area's
    # |effect| ranks among them all (1: the largest) with the permutation p-value.
    placebo_effects: tuple[tuple[str, float], ...] = field(default=(), repr=False)
    permutation_rank: int | None = None
    permutation_p_value: float | None = None

    @property
    def placebo_count(self) -> int:
        return len(self.placebo_effects)

    @property
    def has_enough_placebos(self) -> bool:
        return self.permutation_p_value is not None and self.placebo_count >= MINIMUM_PLACEBOS

    @property
    def is_clear(self) -> bool | None:
        """Whether the placebo test sets the effect apart from chance; None when there are too
        few comparison areas to tell."""
        if not self.has_enough_placebos:
            return None
        return self.permutation_p_value <= PERMUTATION_LEVEL


def difference_in_differences(
    panel: pd.DataFrame,
    treated: str,
    comparison_units: Sequence[str],
    phases: Sequence[Phase],
    times: Sequence[float],
    *,
    comparison: str = "comparison areas",
    none_given: str = "",
    placebos: bool = True,
) -> DifferenceInDifferences:
    """OLS of value on area and period fixed effects and treatedxafter, heteroskedasticity-
    robust (HC1) errors. `panel` has one row per area, one column per period (in the order of
    `phases` and `times`); areas with a missing figure in a used period are left out.

    With `placebos`, each comparison area is treated in turn (against the others, never the
    treated area) and the area's |effect| is ranked among theirs. `none_given` is what to say
    when no comparison areas are given at all."""
    import statsmodels.formula.api as smf

    counts = _counts(phases)
    kept = [i for i, phase in enumerate(phases) if phase != Phase.TRANSITION]
    columns = [panel.columns[i] for i in kept]
    usable = [
        unit
        for unit in comparison_units
        if unit in panel.index and unit != treated and panel.loc[unit, columns].notna().all()
    ]
    base = {
        "method": "difference_in_differences",
        "description": f"Difference in differences against {comparison}: ordinary least "
        "squares with area and period fixed effects and the treated-after interaction "
        "(heteroskedasticity-robust errors, 95% intervals).",
        "assumptions": DID_ASSUMPTIONS,
        "comparison": comparison,
        "comparison_units": tuple(usable),
        **counts,
    }
    caveats = list(_transition_caveat(counts))
    treated_complete = treated in panel.index and panel.loc[treated, columns].notna().all()
    if not comparison_units:
        reason = Caveat(
            "no_comparison_areas", none_given or f"Not enough data: no {comparison} are set."
        )
        return DifferenceInDifferences(**base, has_enough_data=False, caveats=(reason, *caveats))
    if (
        counts["periods_before"] < 2
        or counts["periods_after"] < 1
        or not usable
        or not treated_complete
    ):
        reason = (
            _not_enough(counts["periods_before"], counts["periods_after"], 2, 1)
            if treated_complete and usable
            else Caveat(
                "not_enough_data",
                "Not enough data: the area or its comparison areas lack figures for "
                "some periods used.",
            )
        )
        return DifferenceInDifferences(**base, has_enough_data=False, caveats=(reason, *caveats))
    kept_phases = [phases[i] for i in kept]
    long = _long(panel.loc[[treated, *usable], columns], treated, kept_phases)
    time_by_period = dict(zip(map(str, columns), np.asarray(times, dtype=float)[kept], strict=True))
    long["time"] = long["period"].map(time_by_period)
    fit = smf.ols(DID_FORMULA, data=long).fit(cov_type="HC1")
    effect = _interval(fit, "treated_after")
    pre_trend = None
    if counts["periods_before"] >= MINIMUM_PRE_PERIODS:
        before = long[long["phase"] == Phase.BEFORE].copy()
        before["treated_time"] = before["treated"] * before["time"]
        pre_fit = smf.ols("value ~ C(unit) + C(period) + treated_time", data=before).fit(
            cov_type="HC1"
        )
        pre_trend = _interval(pre_fit, "treated_time")
        if pre_trend.excludes_zero:
            caveats.append(
                Caveat(
                    "pre_trends_differ",
                    "Before the change the area's trend differed from the comparison's (the "
                    "95% interval of the difference excludes zero): parallel trends are "
                    "doubtful.",
                )
            )
    else:
        caveats.append(
            Caveat(
                "pre_trends_unchecked",
                f"Only {counts['periods_before']} period(s) before the change: too few to "
                "check that trends were parallel.",
            )
        )
    caveats.append(
        Caveat(
            "one_treated_area",
            "One treated area: the robust (HC1) interval treats each figure as independent, "
            "which overlapping or autocorrelated figures are not, so it is too narrow; the "
            "placebo test is the better guide.",
        )
    )
    placebo_effects: tuple[tuple[str, float], ...] = ()
    rank = p_value = None
    if placebos and len(usable) >= 2:
        placebo_effects = tuple(
            (unit, _did_effect(panel.loc[usable, columns], unit, kept_phases)) for unit in usable
        )
        rank, p_value = permutation_test(
            abs(effect.estimate), [abs(value) for _, value in placebo_effects]
        )
    if placebos and len(placebo_effects) < MINIMUM_PLACEBOS:
        caveats.append(
            Caveat(
                "too_few_placebos",
                f"Only {len(usable)} comparison area(s): too few for a placebo test to tell an "
                f"effect from chance (it needs at least {MINIMUM_PLACEBOS}).",
            )
        )
    return DifferenceInDifferences(
        **base,
        caveats=tuple(caveats),
        effect=effect,
        pre_trend_difference=pre_trend,
        placebo_effects=placebo_effects,
        permutation_rank=rank,
        permutation_p_value=p_value,
    )


DID_FORMULA = "value ~ C(unit) + C(period) + treated_after"


def _did_effect(panel: pd.DataFrame, treated: str, phases: Sequence[Phase]) -> float:
    """The treated-after coefficient of the same fit, with `treated` (a row of `panel`) as the
    treated area and every other row as its comparison."""
    import statsmodels.formula.api as smf

    fit = smf.ols(DID_FORMULA, data=_long(panel, treated, phases)).fit()
    return float(fit.params["treated_after"])


def _long(panel: pd.DataFrame, treated: str, phases: Sequence[Phase]) -> pd.DataFrame:
    phase_by_period = dict(zip(panel.columns, phases, strict=True))
    long = panel.rename_axis(index="unit", columns="period").stack().rename("value").reset_index()
    long["value"] = long["value"].astype(float)
    long["period"] = long["period"].astype(str)
    long["phase"] = long["period"].map({str(k): v for k, v in phase_by_period.items()})
    long["treated"] = (long["unit"] == treated).astype(float)
    long["treated_after"] = long["treated"] * (long["phase"] == Phase.AFTER)
    return long


# --- Synthetic control -------------------------------------------------------------------------

SYNTHETIC_ASSUMPTIONS = (
    "A weighted average of other areas that tracked the area before the change shows what "
    "would have happened to it without the change.",
    "The change did not affect the other areas, and nothing else happened only to the area.",
)
TIE_BREAK = (
    "When several weightings fit the periods before the change equally well (they all give "
    "the same fitted series), the one with the smallest sum of squared weights is reported: it "
    "spreads weight over the donors rather than picking an arbitrary few."
)


def fit_weights(treated: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Donor weights on the simplex (non-negative, summing to one) minimising the squared
    pre-period error ‖treated - donors·w‖², ties broken by the minimum norm ‖w‖.

    `treated` has one value per pre-period, `donors` one row per pre-period and one column per
    donor. Solved as one non-negative least squares problem (scipy's Lawson-Hanson active set):
    the data standardised (weights on the simplex are unchanged by it), a heavily weighted row
    for the sum to one, and a tiny ridge (`TIE_BREAK_RIDGE`) whose solution tends, as the ridge
    shrinks, to the minimum-norm weights among all optimal ones.
    """
    from scipy.optimize import nnls

    count = donors.shape[1]
    centre, scale = donors.mean(), donors.std() or 1.0
    design = np.vstack(
        [
            (donors - centre) / scale,
            math.sqrt(TIE_BREAK_RIDGE) * np.eye(count),
            np.full(count, SUM_TO_ONE_WEIGHT),
        ]
    )
    target = np.concatenate([(treated - centre) / scale, np.zeros(count), [SUM_TO_ONE_WEIGHT]])
    weights, _ = nnls(design, target, maxiter=50 * count)
    return weights / weights.sum()


def optimal_weightings_range(
    donors: np.ndarray, weights: np.ndarray, post_donors: np.ndarray, post_treated: np.ndarray
) -> tuple[float, tuple[float, float]]:
    """How far the weights are from unique, and what that does to the estimate.

    Every optimal weighting gives the same fitted pre-period series (the squared error is
    strictly convex in it), so the optimal weightings are {w ≥ 0, Σw = 1, donors·w = fitted}.
    Two linear programmes (HiGHS) along a fixed random direction find two far-apart members:
    their largest weight difference (0 when the weights are unique). Two more give the least
    and greatest mean post-period gap any optimal weighting gives.
    """
    from scipy.optimize import linprog

    centre, scale = donors.mean(), donors.std() or 1.0
    standardised = (donors - centre) / scale
    equalities = np.vstack([standardised, np.ones(donors.shape[1])])
    bounds = np.append(standardised @ weights, 1.0)
    direction = np.random.default_rng(0).standard_normal(donors.shape[1])

    def extreme(objective: np.ndarray) -> np.ndarray | None:
        found = linprog(objective, A_eq=equalities, b_eq=bounds, bounds=(0, None))
        return found.x if found.status == 0 else None

    low, high = extreme(direction), extreme(-direction)
    if low is None or high is None:
        return 0.0, _mean_gap_range(post_donors, post_treated, [weights])
    spread = float(np.abs(high - low).max())
    if spread <= UNIQUENESS_TOLERANCE:
        return spread, _mean_gap_range(post_donors, post_treated, [weights])
    mean_donors = post_donors.mean(axis=0)
    extremes = [w for w in (extreme(mean_donors), extreme(-mean_donors)) if w is not None]
    return spread, _mean_gap_range(post_donors, post_treated, [weights, *extremes])


def _mean_gap_range(post_donors, post_treated, weightings) -> tuple[float, float]:
    gaps = [float(np.mean(post_treated - post_donors @ w)) for w in weightings]
    return min(gaps), max(gaps)


def rmspe(errors: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(errors)))) if len(errors) else float("nan")


def data_resolution(values: np.ndarray) -> float:
    """The step the figures are published in (0.1 for one decimal place), at most 1e-6."""
    finite = values[np.isfinite(values)]
    for places in range(7):
        step = 10.0**-places
        if np.allclose(finite / step, np.round(finite / step), atol=1e-6):
            return step
    return 1e-6


@dataclass(frozen=True)
class Placebo:
    unit: str
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    mean_gap: float
    is_treated: bool = False


@dataclass(frozen=True, kw_only=True)
class SyntheticControl(Evaluation):
    treated: str = ""
    # Donor weights above 0.0005, largest first.
    weights: tuple[tuple[str, float], ...] = ()
    donors: int = 0
    periods: tuple = ()
    phases: tuple[Phase, ...] = ()
    actual: tuple[float, ...] = ()
    synthetic: tuple[float, ...] = ()
    pre_rmspe: float = float("nan")
    post_rmspe: float = float("nan")
    # Mean gap (actual - synthetic) over the periods after the change.
    mean_gap: float = float("nan")
    is_exact_fit: bool = False
    weights_are_unique: bool = True
    # The largest difference in a donor's weight between two optimal weightings found.
    weight_spread: float = 0.0
    # The least and greatest mean post-period gap over every optimal weighting.
    mean_gap_range: tuple[float, float] = (float("nan"), float("nan"))
    # The pre-period RMSPE below which a fit is as good as exact, given the figures' rounding.
    rmspe_floor: float = 0.0
    placebos: tuple[Placebo, ...] = field(default=(), repr=False)
    # Permutation p-value: share of units (placebos and the area) whose post/pre RMSPE ratio
    # is at least the area's.
    p_value: float | None = None
    rank: int | None = None
    tie_break: str = TIE_BREAK

    @property
    def gaps(self) -> tuple[float, ...]:
        return tuple(a - s for a, s in zip(self.actual, self.synthetic, strict=True))


def synthetic_control(
    panel: pd.DataFrame,
    treated: str,
    phases: Sequence[Phase],
    *,
    donors: Sequence[str] | None = None,
    placebos: bool = True,
    resolution: float | None = None,
) -> SyntheticControl:
    """The treated area against a weighted average of donors (every other complete area unless
    given), weights fitted on the periods before the change. With `placebos`, every donor is
    treated in turn (its donors: the others, never the treated area) and the treated area's
    post/pre RMSPE ratio is ranked among theirs.

    Pre-period RMSPEs are floored at the figures' rounding error (`resolution`/√12, the
    resolution found from the data unless given): a fit closer than the published rounding is
    no better evidence, and the floor keeps exact fits from giving infinite ratios.
    """
    counts = _counts(phases)
    base = {
        "method": "synthetic_control",
        "description": "Synthetic control: a weighted average of other areas (weights "
        "non-negative and summing to one) chosen to match the area before the change; the "
        "gap after it is the estimate. In-space placebo tests give a permutation p-value.",
        "assumptions": SYNTHETIC_ASSUMPTIONS,
        "treated": treated,
        "periods": tuple(panel.columns),
        "phases": tuple(phases),
        **counts,
    }
    caveats = list(_transition_caveat(counts))
    pool = [u for u in (donors if donors is not None else panel.index) if u != treated]
    complete = panel.loc[[u for u in pool if u in panel.index]].dropna()
    dropped = len(pool) - len(complete)
    if dropped:
        caveats.append(
            Caveat("donors_incomplete", f"{dropped} area(s) lack some figures and are not donors.")
        )
    treated_row = panel.loc[treated] if treated in panel.index else None
    if (
        counts["periods_before"] < MINIMUM_PRE_PERIODS
        or counts["periods_after"] < MINIMUM_POST_PERIODS
        or treated_row is None
        or treated_row.isna().any()
        or len(complete) < 2
    ):
        caveats.insert(
            0,
            _not_enough(
                counts["periods_before"],
                counts["periods_after"],
                MINIMUM_PRE_PERIODS,
                MINIMUM_POST_PERIODS,
            )
            if treated_row is not None and not treated_row.isna().any() and len(complete) >= 2
            else Caveat(
                "not_enough_data",
                "Not enough data: the area lacks figures for some periods, or there are too "
                "few complete donors.",
            ),
        )
        return SyntheticControl(**base, has_enough_data=False, caveats=tuple(caveats))

    before = np.array([p == Phase.BEFORE for p in phases])
    after = np.array([p == Phase.AFTER for p in phases])
    values = complete.to_numpy(dtype=float)
    treated_values = treated_row.to_numpy(dtype=float)
    resolution = resolution or data_resolution(np.append(values.ravel(), treated_values))
    floor = resolution / math.sqrt(12)

    weights = fit_weights(treated_values[before], values[:, before].T)
    synthetic = values.T @ weights
    errors = treated_values - synthetic
    pre, post = rmspe(errors[before]), rmspe(errors[after])
    is_exact = pre <= 1e-6 * max(float(np.std(values[:, before])), 1e-12)
    spread, gap_range = optimal_weightings_range(
        values[:, before].T, weights, values[:, after].T, treated_values[after]
    )
    is_unique = spread <= UNIQUENESS_TOLERANCE
    caveats += _fit_caveats(is_exact, is_unique, pre, floor, spread, gap_range, counts)
    placebo_results: tuple[Placebo, ...] = ()
    p_value = rank = None
    own = Placebo(treated, pre, post, post / max(pre, floor), float(errors[after].mean()), True)
    if placebos:
        others = _placebos(complete, before, after, floor)
        placebo_results = (own, *others)
        rank, p_value = permutation_test(own.ratio, [p.ratio for p in others])
        floored = sum(p.pre_rmspe <= floor for p in placebo_results)
        if floored:
            caveats.append(
                Caveat(
                    "placebos_fitted_exactly",
                    f"{floored} of {len(placebo_results)} areas are fitted before the change "
                    "within the figures' rounding: their ratios rest on the rounding floor, so "
                    "with few periods before the change the p-value is unstable.",
                )
            )
        caveats.append(
            Caveat(
                "placebo_resolution",
                f"With {len(placebo_results)} areas the smallest possible p-value is "
                f"{1 / len(placebo_results):.3f}.",
            )
        )
    return SyntheticControl(
        **base,
        caveats=tuple(caveats),
        weights=tuple(
            sorted(
                (
                    (str(unit), float(w))
                    for unit, w in zip(complete.index, weights, strict=True)
                    if w > 0.0005
                ),
                key=lambda item: -item[1],
            )
        ),
        donors=len(complete),
        actual=tuple(float(v) for v in treated_values),
        synthetic=tuple(float(v) for v in synthetic),
        pre_rmspe=pre,
        post_rmspe=post,
        mean_gap=own.mean_gap,
        is_exact_fit=is_exact,
        weights_are_unique=is_unique,
        weight_spread=spread,
        mean_gap_range=gap_range,
        rmspe_floor=floor,
        placebos=placebo_results,
        p_value=p_value,
        rank=rank,
    )


def _fit_caveats(is_exact, is_unique, pre, floor, spread, gap_range, counts) -> list[Caveat]:
    caveats = []
    if is_exact:
        caveats.append(Caveat("exact_fit", "The periods before the change are fitted exactly."))
    elif pre <= floor:
        caveats.append(
            Caveat(
                "fit_within_rounding",
                "The periods before the change are fitted within the rounding of the "
                "published figures.",
            )
        )
    if not is_unique:
        caveats.append(
            Caveat(
                "weights_not_unique",
                f"The weights are not unique: other weightings fit as well (one donor's weight "
                f"differs by up to {spread:.3f}) and give a mean gap after the change from "
                f"{gap_range[0]:.2f} to {gap_range[1]:.2f}. The weights shown follow the "
                "tie-break.",
            )
        )
    if counts["periods_before"] < 5:
        caveats.append(
            Caveat(
                "few_pre_periods",
                f"Only {counts['periods_before']} periods before the change: with many donors "
                "a close fit is easy and says little.",
            )
        )
    return caveats


def _placebos(
    complete: pd.DataFrame, before: np.ndarray, after: np.ndarray, floor: float
) -> list[Placebo]:
    values = complete.to_numpy(dtype=float)
    results = []
    for index, unit in enumerate(complete.index):
        others = np.delete(values, index, axis=0)
        weights = fit_weights(values[index, before], others[:, before].T)
        errors = values[index] - others.T @ weights
        pre, post = rmspe(errors[before]), rmspe(errors[after])
        results.append(
            Placebo(str(unit), pre, post, post / max(pre, floor), float(errors[after].mean()))
        )
    return results
