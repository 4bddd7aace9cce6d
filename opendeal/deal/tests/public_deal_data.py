"""A small published Deal whose every figure is known, for the public pages, the scorecard
downloads and the API.

Roll-up worked by hand:
- Health (weight 2): HW1 (weight 3) 50.00 (60 -> 65 of 60 -> 70), HW2 (weight 1) 25.00 (1 of 4
  milestones), HW3 (weight 5) has no measure so is left out: (3*50 + 1*25) / 4 = 43.75.
- Communities (weight 1): CO1 15.00 (smoking 20 -> 18.5 of 20 -> 10, lower is better).
- Business (weight 4): no commitments, so left out.
- The Deal: (2*43.75 + 1*15) / 3 = 34.1666... -> 34.17.
Pledges: 5 active (3 to HW4, 2 to CO2) by 4 people; one pending and one withdrawn not counted.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from opendeal.deal import services
from opendeal.deal.models import (
    Commitment,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    Reading,
    Status,
    Theme,
    UpdateKind,
)

D = datetime.date


@dataclass
class PublicDeal:
    deal: Deal
    health: Theme
    communities: Theme
    business: Theme
    active: Commitment  # HW1, metric
    fund: Commitment  # HW2, milestones
    unmeasured: Commitment  # HW3
    walk: Commitment  # HW4, your part
    smoking: Commitment  # CO1, metric, lower is better
    volunteer: Commitment  # CO2, your part
    activity_measure: Measure
    fund_measure: Measure
    smoking_measure: Measure


def _deal(title: str, slug: str, starts_on: datetime.date, is_published: bool) -> Deal:
    return Deal.objects.create(
        title=title,
        slug=slug,
        area_code="E08000010",
        summary=f"{title} summary.",
        starts_on=starts_on,
        is_published=is_published,
    )


def _commitment(theme: Theme, part: Part, reference: str, title: str, **fields) -> Commitment:
    return Commitment.objects.create(
        theme=theme, part=part, reference=reference, title=title, **fields
    )


def _metric(commitment: Commitment, reference: str, title: str, **fields) -> Measure:
    return Measure.objects.create(
        commitment=commitment,
        reference=reference,
        title=title,
        kind=MeasureKind.METRIC,
        unit="%",
        **fields,
    )


def _pledge(commitment: Commitment, email: str, district: str, status=PledgeStatus.ACTIVE):
    return Pledge.objects.create(
        commitment=commitment, email=email, postcode_district=district, status=status
    )


def build_public_deal() -> PublicDeal:
    # An older published Deal and a newer draft: neither is the one residents see.
    old = _deal("The old Deal", "old-deal", D(2019, 4, 1), is_published=True)
    old_theme = Theme.objects.create(deal=old, title="Old theme", slug="old")
    _commitment(old_theme, Part.OURS, "OLD1", "An old promise")
    draft = _deal("The draft Deal", "draft-deal", D(2025, 4, 1), is_published=False)
    draft_theme = Theme.objects.create(deal=draft, title="Draft theme", slug="draft")
    _commitment(draft_theme, Part.OURS, "DR1", "A draft promise")

    deal = _deal("The Deal for Testborough", "testborough-deal", D(2024, 4, 1), is_published=True)
    health = Theme.objects.create(
        deal=deal,
        title="Health and wellbeing",
        slug="health",
        position=0,
        weight=Decimal("2"),
        summary="Living well for longer.",
    )
    communities = Theme.objects.create(
        deal=deal, title="Communities", slug="communities", position=1, weight=Decimal("1")
    )
    business = Theme.objects.create(
        deal=deal, title="Business", slug="business", position=2, weight=Decimal("4")
    )

    active = _commitment(
        health,
        Part.OURS,
        "HW1",
        "Help more adults be active",
        position=0,
        weight=Decimal("3"),
        status=Status.ON_TRACK,
        description="Parks, pools and walks.",
    )
    activity = _metric(
        active,
        "HW1.1",
        "Adults who are active",
        direction=Direction.INCREASE,
        baseline_value=Decimal("60"),
        baseline_on=D(2020, 3, 31),
        target_value=Decimal("70"),
        target_on=D(2030, 3, 31),
        source="Active Lives survey",
    )
    Reading.objects.create(measure=activity, observed_on=D(2023, 3, 31), value=Decimal("62"))
    Reading.objects.create(measure=activity, observed_on=D(2024, 3, 31), value=Decimal("65"))

    fund = _commitment(
        health,
        Part.OURS,
        "HW2",
        "Open a community fund",
        position=1,
        weight=Decimal("1"),
        status=Status.AT_RISK,
    )
    fund_measure = Measure.objects.create(
        commitment=fund, reference="HW2.1", title="Fund milestones", kind=MeasureKind.MILESTONES
    )
    for position, (title, due_on, completed_on) in enumerate(
        [
            ("Fund opens", D(2024, 6, 1), D(2024, 5, 20)),
            ("First awards", D(2024, 9, 1), None),
            ("Second round", D(2099, 1, 1), None),
            ("Evaluation", None, None),
        ]
    ):
        Milestone.objects.create(
            measure=fund_measure,
            title=title,
            due_on=due_on,
            completed_on=completed_on,
            position=position,
        )

    unmeasured = _commitment(
        health, Part.OURS, "HW3", "Join up care at home", position=2, weight=Decimal("5")
    )
    walk = _commitment(health, Part.YOURS, "HW4", "Walk for twenty minutes a day", position=3)

    smoking = _commitment(
        communities, Part.OURS, "CO1", "Fewer people smoke", status=Status.OFF_TRACK
    )
    smoking_measure = _metric(
        smoking,
        "CO1.1",
        "Adults who smoke",
        direction=Direction.DECREASE,
        baseline_value=Decimal("20"),
        target_value=Decimal("10"),
    )
    Reading.objects.create(measure=smoking_measure, observed_on=D(2023, 3, 31), value=Decimal("18"))
    Reading.objects.create(
        measure=smoking_measure, observed_on=D(2024, 3, 31), value=Decimal("18.5")
    )
    volunteer = _commitment(
        communities, Part.YOURS, "CO2", "Volunteer <locally> & often", position=1
    )

    for commitment in (active, fund, unmeasured, smoking):
        services.refresh_progress(commitment)

    recorded_at = timezone.make_aware(datetime.datetime(2024, 4, 2, 10, 0))
    ProgressUpdate.objects.create(
        commitment=active,
        kind=UpdateKind.READING,
        occurred_on=D(2023, 3, 31),
        recorded_at=recorded_at,
        recorded_by_name="Public health team",
        summary="Adults who are active was 62% on 31 March 2023.",
        status=Status.ON_TRACK,
        progress=Decimal("20.00"),
        measure=activity,
    )
    ProgressUpdate.objects.create(
        commitment=active,
        kind=UpdateKind.READING,
        occurred_on=D(2024, 3, 31),
        recorded_at=recorded_at,
        recorded_by_name="officer@example.org",
        summary="Adults who are active was 65% on 31 March 2024.",
        status=Status.ON_TRACK,
        progress=Decimal("50.00"),
        measure=activity,
    )

    _pledge(walk, "a@example.org", "WN1")
    _pledge(walk, "b@example.org", "WN1")
    _pledge(walk, "c@example.org", "")
    _pledge(walk, "d@example.org", "WN3", PledgeStatus.PENDING)
    _pledge(walk, "e@example.org", "WN3", PledgeStatus.WITHDRAWN)
    _pledge(volunteer, "a@example.org", "WN2")
    _pledge(volunteer, "f@example.org", "WN1")

    for commitment in (active, fund, unmeasured, walk, smoking, volunteer):
        commitment.refresh_from_db()
    return PublicDeal(
        deal=deal,
        health=health,
        communities=communities,
        business=business,
        active=active,
        fund=fund,
        unmeasured=unmeasured,
        walk=walk,
        smoking=smoking,
        volunteer=volunteer,
        activity_measure=activity,
        fund_measure=fund_measure,
        smoking_measure=smoking_measure,
    )


def add_measured_commitments(theme: Theme, count: int) -> None:
    """More our-part commitments, each with a metric measure and three readings: for showing
    that a page's number of queries does not grow with the Deal."""
    for number in range(count):
        commitment = Commitment.objects.create(
            theme=theme,
            part=Part.OURS,
            reference=f"X{number}",
            title=f"Extra {number}",
            position=10 + number,
            progress=Decimal("10"),
        )
        measure = _metric(
            commitment,
            f"X{number}.1",
            "Extra measure",
            direction=Direction.INCREASE,
            baseline_value=Decimal("0"),
            target_value=Decimal("100"),
        )
        Reading.objects.bulk_create(
            Reading(measure=measure, observed_on=D(2022 + year, 1, 1), value=Decimal(year))
            for year in range(3)
        )
