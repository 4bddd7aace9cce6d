"""Builders for fund-publish's tests: grants made straight in the database (the award journey
is fund-decide's and tested there), in Wigan's real wards and LSOAs, to fictional groups."""

import datetime
import itertools
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from opendeal.deal.models import Deal, Theme
from opendeal.fund.models import (
    Application,
    ApplicationStatus,
    Fund,
    Grant,
    Organisation,
    OrganisationKind,
    Priority,
    Round,
)

# Real codes from the shared boundary files.
ABRAM_WARD = "E05014989"
WIGAN_026A_LSOA = "E01006212"

_numbers = itertools.count(1)


def make_theme(slug: str = "healthy", title: str = "Healthy") -> Theme:
    deal, _ = Deal.objects.get_or_create(
        slug="publish-deal",
        defaults={
            "title": "Test Deal",
            "area_code": "E08000010",
            "summary": "A Deal for tests.",
            "starts_on": datetime.date(2024, 1, 1),
        },
    )
    theme, _ = Theme.objects.get_or_create(deal=deal, slug=slug, defaults={"title": title})
    return theme


def make_round(slug: str = "round-1", fund_slug: str = "communities") -> Round:
    fund, _ = Fund.objects.get_or_create(
        slug=fund_slug,
        defaults={
            "name": "Deal for Communities Investment Fund",
            "programme_code": "DFC",
            "is_published": True,
        },
    )
    opens = timezone.make_aware(datetime.datetime(2024, 4, 1, 9, 0))
    round_, _ = Round.objects.get_or_create(
        fund=fund,
        slug=slug,
        defaults={
            "title": f"Round {slug}",
            "opens_at": opens,
            "closes_at": opens + datetime.timedelta(days=42),
            "budget": Decimal("100000.00"),
            "published": True,
        },
    )
    return round_


def make_priority(round_: Round, title: str, theme: Theme | None = None) -> Priority:
    return Priority.objects.create(round=round_, title=title, deal_theme=theme)


def make_organisation(
    name: str = "Friends of Abram Park (fictional)",
    kind: str = OrganisationKind.REGISTERED_CHARITY,
    charity_number: str = "",
    company_number: str = "",
) -> Organisation:
    number = next(_numbers)
    if kind == OrganisationKind.REGISTERED_CHARITY and not charity_number:
        charity_number = f"{1100000 + number}"
    organisation = Organisation(
        name=name,
        kind=kind,
        charity_number=charity_number,
        company_number=company_number,
        address_line_1="1 Test Street",
        town="Wigan",
        postcode="WN1 1AA",
        website="https://example.org/group",
    )
    if charity_number:
        organisation.org_id = f"GB-CHC-{charity_number}"
    elif company_number:
        organisation.org_id = f"GB-COH-{company_number}"
    else:
        organisation.org_id = f"{settings.OPENDEAL_360G_PREFIX}-{organisation.public_id}"
    organisation.save()
    return organisation


def make_grant(
    *,
    round_: Round | None = None,
    organisation: Organisation | None = None,
    title: str = "Walking group for new parents",
    summary: str = "Weekly walks and a cuppa.",
    amount: Decimal = Decimal("1999.99"),
    awarded_on: datetime.date = datetime.date(2024, 6, 3),
    planned_start: datetime.date = datetime.date(2024, 7, 1),
    planned_end: datetime.date = datetime.date(2025, 6, 30),
    ward_code: str = ABRAM_WARD,
    lsoa21_code: str = WIGAN_026A_LSOA,
    priorities: tuple[Priority, ...] = (),
) -> Grant:
    round_ = round_ or make_round()
    application = Application.objects.create(
        round=round_,
        organisation=organisation or make_organisation(),
        project_title=title,
        summary=summary,
        amount_requested=amount,
        status=ApplicationStatus.AWARDED,
        ward_code=ward_code,
        lsoa21_code=lsoa21_code,
    )
    application.priorities.set(priorities)
    grant = Grant(
        application=application,
        amount_awarded=amount,
        awarded_on=awarded_on,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    grant.identifier = f"{settings.OPENDEAL_360G_PREFIX}-{grant.public_id}"
    grant.save()
    return grant
