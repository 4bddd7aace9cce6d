"""How progress is worked out and rolled up. Plain functions on plain values: no database.

- A metric measure's progress is how far its latest reading has moved from the baseline
  towards the target, in the better direction, as 0-100 (clamped: overshooting the target is
  100, moving the wrong way is 0).
- A milestones measure's progress is the share of its milestones completed.
- A commitment's progress is the weighted mean of its measures' progress; a theme's, the
  weighted mean of its "our part" commitments'; the Deal's, the weighted mean of its themes'.
  Anything not yet measured (no reading, no milestones) is left out of the mean rather than
  counted as zero, and a mean over nothing measured is None ("not yet measured").
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal("100")
_TWO_PLACES = Decimal("0.01")


class Trend(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no change"


def _percent(fraction: Decimal) -> Decimal:
    clamped = min(max(fraction, Decimal("0")), Decimal("1"))
    return (clamped * HUNDRED).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def metric_progress(
    baseline: Decimal | None, target: Decimal | None, latest: Decimal | None, direction: str
) -> Decimal | None:
    """Progress from baseline to target, 0-100, or None when it cannot be judged yet."""
    if baseline is None or target is None or latest is None:
        return None
    sign = Decimal("1") if direction == "increase" else Decimal("-1")
    span = (target - baseline) * sign
    if span <= 0:
        # A target no better than the baseline: met once the latest value is at least as good.
        return HUNDRED if (latest - target) * sign >= 0 else Decimal("0.00")
    return _percent((latest - baseline) * sign / span)


def milestone_progress(total: int, completed: int) -> Decimal | None:
    if total <= 0:
        return None
    return _percent(Decimal(completed) / Decimal(total))


def weighted_mean(weighted_values: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Mean of the values that exist, weighted; None when none exist or all weights are 0."""
    total_weight = Decimal("0")
    total = Decimal("0")
    for weight, value in weighted_values:
        if value is None or weight <= 0:
            continue
        total_weight += weight
        total += weight * value
    if total_weight == 0:
        return None
    return (total / total_weight).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def trend(values: Sequence[Decimal], direction: str) -> Trend | None:
    """Whether the last reading is better, worse or the same as the one before it."""
    if len(values) < 2:
        return None
    change = values[-1] - values[-2]
    if change == 0:
        return Trend.NO_CHANGE
    is_better = change > 0 if direction == "increase" else change < 0
    return Trend.IMPROVING if is_better else Trend.WORSENING
