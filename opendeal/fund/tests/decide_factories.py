"""Rounds with criteria and tiers, and applications at each stage, for fund-decide's tests."""

import datetime
import itertools
import uuid
from decimal import Decimal

from django.utils import timezone

from opendeal.fund.models import (
    Application,
    ApplicationStatus,
    Criterion,
    Fund,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Round,
    Tier,
)

_numbers = itertools.count(1)


def make_round(
    *,
    budget: str = "50000.00",
    scoring_closes_in_days: int | None = 14,
    weights: tuple[str, ...] = ("3", "2", "1"),
) -> Round:
    n = next(_numbers)
    fund = Fund.objects.create(
        name=f"Deal for Communities {n}", slug=f"fund-{n}", programme_code=f"DFC{n}"
    )
    now = timezone.now()
    round_ = Round.objects.create(
        fund=fund,
        title=f"Round {n}",
        slug=f"round-{n}",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        scoring_closes_at=(
            None
            if scoring_closes_in_days is None
            else now + datetime.timedelta(days=scoring_closes_in_days)
        ),
        budget=Decimal(budget),
        published=True,
    )
    names = ["Reach", "Collaboration", "Inequality and inclusion", "Sustainability", "Need"]
    for position, weight in enumerate(weights):
        Criterion.objects.create(
            round=round_,
            name=names[position],
            weight=Decimal(weight),
            position=position,
            descriptors={str(score): f"{names[position]} descriptor {score}" for score in range(6)},
        )
    Tier.objects.create(
        round=round_, name="Small", maximum_amount=Decimal("2000.00"), maximum_years=1, taper=[100]
    )
    Tier.objects.create(
        round=round_,
        name="Big idea",
        minimum_amount=Decimal("2000.01"),
        maximum_amount=Decimal("50000.00"),
        maximum_years=3,
        taper=[100, 66, 33],
        position=1,
    )
    return round_


def make_organisation(member=None, **fields) -> Organisation:
    public_id = uuid.uuid4()
    defaults = {
        "name": f"Community group {next(_numbers)}",
        "kind": OrganisationKind.UNREGISTERED_GROUP,
        "org_id": f"360G-opendeal-demo-{public_id}",
        "address_line_1": "1 Market Street",
        "town": "Wigan",
        "postcode": "WN1 1AA",
        "website": "https://group.example.org",
        "description": "A fictional community group.",
    }
    organisation = Organisation.objects.create(public_id=public_id, **{**defaults, **fields})
    if member is not None:
        OrganisationMember.objects.create(organisation=organisation, user=member)
    return organisation


def make_application(
    round_: Round,
    *,
    status: str = ApplicationStatus.ELIGIBLE,
    tier: str = "Big idea",
    amount: str = "10000.00",
    years: int = 3,
    organisation: Organisation | None = None,
    title: str = "",
) -> Application:
    n = next(_numbers)
    return Application.objects.create(
        round=round_,
        organisation=organisation or make_organisation(),
        tier=round_.tiers.get(name=tier),
        project_title=title or f"Project {n}",
        summary="A fictional project for the tests.",
        amount_requested=Decimal(amount),
        years=years,
        status=status,
        submitted_at=timezone.now() - datetime.timedelta(days=40, minutes=-n),
        postcode="WN1 1AA",
    )
