"""A small Deal to test against: one theme, two of our commitments with a metric and
milestones, and one of residents' pledges."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from opendeal.deal.models import (
    Commitment,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Theme,
)


@dataclass
class SmallDeal:
    deal: Deal
    theme: Theme
    active_lives: Commitment
    activity: Measure
    fund: Commitment
    fund_milestones: Measure
    milestones: list[Milestone]
    walk_daily: Commitment


def make_small_deal() -> SmallDeal:
    deal = Deal.objects.create(
        title="The Deal for Testborough",
        slug="the-deal",
        area_code="E08000010",
        summary="A test Deal.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=True,
    )
    theme = Theme.objects.create(deal=deal, title="Health", slug="health", position=0)
    active_lives = Commitment.objects.create(
        theme=theme, part=Part.OURS, reference="HW1", title="Help people be active"
    )
    activity = Measure.objects.create(
        commitment=active_lives,
        reference="HW1.1",
        title="Active adults",
        kind=MeasureKind.METRIC,
        unit="%",
        direction=Direction.INCREASE,
        baseline_value=Decimal("60"),
        baseline_on=datetime.date(2020, 3, 31),
        target_value=Decimal("70"),
        target_on=datetime.date(2030, 3, 31),
    )
    fund = Commitment.objects.create(
        theme=theme, part=Part.OURS, reference="HW2", title="Fund community projects", position=1
    )
    fund_milestones = Measure.objects.create(
        commitment=fund, reference="HW2.1", title="Fund", kind=MeasureKind.MILESTONES
    )
    milestones = [
        Milestone.objects.create(measure=fund_milestones, title=title, position=position)
        for position, title in enumerate(["Fund opens", "First awards", "Evaluation"])
    ]
    walk_daily = Commitment.objects.create(
        theme=theme, part=Part.YOURS, reference="HW3", title="Walk every day", position=2
    )
    return SmallDeal(
        deal, theme, active_lives, activity, fund, fund_milestones, milestones, walk_daily
    )
