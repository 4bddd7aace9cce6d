"""The demo fund: the Deal for Communities Investment Fund, modelled on Wigan's, with a closed
round and an open one, fictional community organisations and applications in several states.

Idempotent: everything is found by its slug or name, and created only when missing. The pieces
are separate functions (`ensure_demo_fund`, `ensure_demo_round`, `ensure_demo_organisations`,
`ensure_demo_applications`) so the assessment and awards demo can build on them.

The loop (issue 9): the closed round also has a priority made from a recorded gap on the care
gap map (people in Hindley asked for food before the round and no service nearby offered it;
`opendeal.care.demo_loop` records them), and "Cook and eat together" chose it
(`ensure_demo_gap_priority`). Load the care demo and its loop people first, or there is no gap.
"""

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from opendeal.core.data_sources import DataUnavailable
from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.deal.models import Theme
from opendeal.directory.demo import load_demo_postcodes
from opendeal.events.models import Event
from opendeal.geography.models import Postcode

from . import orgids
from .models import (
    Application,
    ApplicationPartner,
    ApplicationStatus,
    BudgetLine,
    Criterion,
    EligibilityAnswer,
    EligibilityQuestion,
    FormAnswer,
    FormQuestion,
    Fund,
    MatchFunding,
    Organisation,
    OrganisationMember,
    OrganisationRole,
    Priority,
    Round,
    Tier,
)

LONDON = ZoneInfo("Europe/London")
DEMO_FUND_SLUG = "deal-for-communities"
CLOSED_ROUND_SLUG = "round-1"
OPEN_ROUND_SLUG = "round-2"

FUND_DESCRIPTION = (
    "The Deal for Communities Investment Fund puts money into community groups’ ideas that "
    "help people live well, connect with each other and rely less on services. Small "
    "investments of up to £2,000 for a year, and “big idea” investments of more than £2,000 "
    "for up to three years, on a tapering scale so that projects become self-financing."
)
FUND_GUIDANCE = (
    "Come to a free pre-application workshop first: we explain what the panel looks for and "
    "help you shape your idea. Network meetings are where groups meet and find partners for "
    "joint bids. See the events pages for dates.\n\n"
    "Talk to your community development worker before you apply."
)

# (name, description) of the panel's criteria, each scored from 0 to 5 with these descriptors.
CRITERIA = [
    ("Reach", "How many people benefit, and whether they are the people who most need it."),
    ("Collaboration", "Working with other groups, services and residents."),
    (
        "Inequality and inclusion",
        "Reaching people who are often left out, and narrowing gaps in health.",
    ),
    ("Sustainability", "How the project carries on when the investment tapers off."),
    ("Evidence of need", "What shows the need is real: local data, residents’ own words."),
]
DESCRIPTORS = {
    "0": "No evidence",
    "1": "Weak: little evidence, major doubts",
    "2": "Limited: some evidence, significant gaps",
    "3": "Adequate: meets the criterion with minor gaps",
    "4": "Good: clear, convincing evidence",
    "5": "Excellent: compelling evidence, an example to others",
}
WEIGHTS = [Decimal("1.5"), Decimal("1"), Decimal("1.5"), Decimal("1"), Decimal("1")]
# Priority → the demo Deal's theme it serves.
PRIORITIES = [
    ("Healthy, active lives", "health-and-wellbeing"),
    ("Less loneliness and isolation", "communities"),
    ("Staying independent at home", "adult-social-care"),
    ("A good start for children", "children-and-young-people"),
]
ELIGIBILITY = [
    (
        "Is your organisation not-for-profit?",
        True,
        "The fund invests in not-for-profit groups only: charities, community groups, "
        "community interest companies and the like.",
    ),
    (
        "Will the project mainly benefit people who live in the borough?",
        True,
        "The fund is for projects that benefit people who live in the borough.",
    ),
    (
        "Is the money to replace a service the council or NHS must provide?",
        False,
        "The fund cannot pay for services the council or NHS has a duty to provide.",
    ),
]
QUESTIONS = [
    ("What need will your project meet, and how do you know?", 300),
    ("Who will take part, and how will you reach them?", 250),
    ("How will the project carry on when the investment ends?", 200),
]


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    postcode: str
    charity_number: str = ""
    company_number: str = ""
    description: str = ""


# Fictional organisations: their names are invented and their numbers made up.
ORGANISATIONS = [
    DemoOrganisation(
        "Pemberton Pals (fictional)",
        "unregistered_group",
        "WN5 9RN",
        description="Neighbours who run coffee mornings and walks.",
    ),
    DemoOrganisation(
        "Hindley Green Community Kitchen (fictional)",
        "cio",
        "WN2 4LZ",
        charity_number="1199901",
        description="Cooking and eating together, twice a week.",
    ),
    DemoOrganisation(
        "Leigh Makers CIC (fictional)",
        "company",
        "WN7 2AE",
        company_number="99000001",
        description="A community workshop: repair, make and learn.",
    ),
    DemoOrganisation(
        "Standish Young Carers (fictional)",
        "registered_charity",
        "WN6 0NY",
        charity_number="1199902",
        description="Breaks and support for young carers.",
    ),
]


@dataclass(frozen=True)
class DemoApplication:
    organisation: str
    title: str
    summary: str
    tier: str
    amount: Decimal
    years: int
    status: str
    budget: list[tuple[int, str, Decimal]] = field(default_factory=list)
    partner: str = ""


CLOSED_ROUND_APPLICATIONS = [
    DemoApplication(
        "Pemberton Pals (fictional)",
        "Walk and talk",
        "Weekly walks with a cuppa after, for people who live alone.",
        "Small",
        Decimal("1850.00"),
        1,
        ApplicationStatus.ELIGIBLE,
        [
            (1, "Walk leader training", Decimal("600.00")),
            (1, "Tea, coffee and room hire", Decimal("1250.00")),
        ],
    ),
    DemoApplication(
        "Hindley Green Community Kitchen (fictional)",
        "Cook and eat together",
        "Cooking sessions for families and older people, eating together afterwards.",
        "Big idea",
        Decimal("24000.00"),
        3,
        ApplicationStatus.ELIGIBLE,
        [
            (1, "Sessional cook", Decimal("8000.00")),
            (1, "Ingredients", Decimal("4000.00")),
            (2, "Sessional cook", Decimal("5000.00")),
            (2, "Ingredients", Decimal("3000.00")),
            (3, "Sessional cook", Decimal("2500.00")),
            (3, "Ingredients", Decimal("1500.00")),
        ],
        partner="Standish Young Carers (fictional)",
    ),
    DemoApplication(
        "Leigh Makers CIC (fictional)",
        "Repair café",
        "A monthly repair café where volunteers fix things and teach how.",
        "Small",
        Decimal("1999.99"),
        1,
        ApplicationStatus.SUBMITTED,
        [(1, "Tools", Decimal("1499.99")), (1, "Publicity", Decimal("500.00"))],
    ),
    DemoApplication(
        "Standish Young Carers (fictional)",
        "Young carers' weekends",
        "Weekends away for young carers.",
        "Small",
        Decimal("2000.00"),
        1,
        ApplicationStatus.INELIGIBLE,
        [(1, "Residential trip", Decimal("2000.00"))],
    ),
]
OPEN_ROUND_APPLICATIONS = [
    DemoApplication(
        "Pemberton Pals (fictional)",
        "Pemberton digital drop-in",
        "Help with phones and tablets for older neighbours.",
        "Small",
        Decimal("1200.00"),
        1,
        ApplicationStatus.DRAFT,
        [(1, "Two tablets to lend", Decimal("500.00"))],
    ),
    DemoApplication(
        "Hindley Green Community Kitchen (fictional)",
        "Kitchen on wheels",
        "Taking the community kitchen to estates without a venue.",
        "Big idea",
        Decimal("15000.00"),
        2,
        ApplicationStatus.SUBMITTED,
        [(1, "Van conversion", Decimal("9000.00")), (2, "Running costs", Decimal("6000.00"))],
    ),
    DemoApplication(
        "Leigh Makers CIC (fictional)",
        "Bike library",
        "Bikes to borrow for getting to work.",
        "Small",
        Decimal("1500.00"),
        1,
        ApplicationStatus.WITHDRAWN,
        [(1, "Bikes and locks", Decimal("1500.00"))],
    ),
]


def _london(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=LONDON)


def ensure_demo_fund() -> Fund:
    fund, _ = Fund.objects.get_or_create(
        slug=DEMO_FUND_SLUG,
        defaults={
            "name": "Deal for Communities Investment Fund",
            "description": FUND_DESCRIPTION,
            "guidance": FUND_GUIDANCE,
            "programme_code": "DFC",
            "is_published": True,
        },
    )
    return fund


def ensure_demo_round(
    fund: Fund,
    slug: str,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    budget: Decimal,
) -> Round:
    """A round with Wigan's two tiers, priorities linked to the Deal's themes, eligibility
    questions, form questions and the five criteria."""
    round_, created = Round.objects.get_or_create(
        fund=fund,
        slug=slug,
        defaults={
            "title": title,
            "description": "Apply for a small or a “big idea” investment.",
            "guidance": "Read the questions before you start. You can save your application "
            "and come back to it until the round closes.",
            "opens_at": opens_at,
            "closes_at": closes_at,
            "scoring_closes_at": closes_at + datetime.timedelta(days=28),
            "budget": budget,
            "published": True,
        },
    )
    if not created:
        return round_
    Tier.objects.create(
        round=round_,
        name="Small",
        description="Up to £2,000 for a year.",
        maximum_amount=Decimal("2000.00"),
        maximum_years=1,
        taper=[100],
        position=0,
    )
    Tier.objects.create(
        round=round_,
        name="Big idea",
        description="More than £2,000, for up to three years, tapering so the project "
        "becomes self-financing.",
        minimum_amount=Decimal("2000.01"),
        maximum_amount=Decimal("50000.00"),
        maximum_years=3,
        taper=[100, 66, 33],
        position=1,
    )
    themes = {theme.slug: theme for theme in Theme.objects.filter(deal__slug="the-deal")}
    for position, (title_, theme_slug) in enumerate(PRIORITIES):
        Priority.objects.create(
            round=round_, title=title_, deal_theme=themes.get(theme_slug), position=position
        )
    for position, (text, eligible, message) in enumerate(ELIGIBILITY):
        EligibilityQuestion.objects.create(
            round=round_,
            text=text,
            eligible_answer=eligible,
            ineligible_message=message,
            position=position,
        )
    for position, (text, words) in enumerate(QUESTIONS):
        FormQuestion.objects.create(round=round_, text=text, max_words=words, position=position)
    for position, ((name, description), weight) in enumerate(zip(CRITERIA, WEIGHTS, strict=True)):
        Criterion.objects.create(
            round=round_,
            name=name,
            description=description,
            weight=weight,
            descriptors=DESCRIPTORS,
            position=position,
        )
    return round_


def _place(postcode: str) -> tuple[str, str, str]:
    row = Postcode.objects.filter(postcode=postcode).first()
    return (postcode, row.lsoa21_code, row.ward_code) if row else (postcode, "", "")


def ensure_demo_organisations() -> dict[str, Organisation]:
    """The fictional organisations by name; the demo community member acts for the first
    two."""
    member = User.objects.filter(email=demo_email(Role.COMMUNITY_MEMBER)).first()
    found = {}
    for position, spec in enumerate(ORGANISATIONS):
        organisation = Organisation.objects.filter(name=spec.name).first()
        if organisation is None:
            postcode, lsoa, ward = _place(spec.postcode)
            organisation = Organisation(
                name=spec.name,
                kind=spec.kind,
                charity_number=spec.charity_number,
                company_number=spec.company_number,
                description=spec.description,
                address_line_1="Community Centre",
                town="Wigan",
                postcode=postcode,
                lsoa21_code=lsoa,
                ward_code=ward,
            )
            organisation.org_id = orgids.org_id_for(
                spec.kind, spec.charity_number, spec.company_number, organisation.public_id
            )
            organisation.save()
        if member is not None and position < 2:
            OrganisationMember.objects.get_or_create(
                organisation=organisation,
                user=member,
                defaults={"role": OrganisationRole.LEAD_CONTACT},
            )
        found[spec.name] = organisation
    return found


def _answer_everything(application: Application, round_: Round) -> None:
    for question in round_.eligibility_questions.all():
        EligibilityAnswer.objects.create(
            application=application, question=question, answer=question.eligible_answer
        )
    for question in round_.form_questions.all():
        FormAnswer.objects.create(
            application=application,
            question=question,
            text=f"{application.summary} (A fictional answer for the demo.)",
        )


def ensure_demo_applications(
    round_: Round, specs: list[DemoApplication], organisations: dict[str, Organisation]
) -> int:
    """Applications made directly (not through the journey, whose clock would refuse a closed
    round); how many were added."""
    added = 0
    tiers = {tier.name: tier for tier in round_.tiers.all()}
    priorities = list(round_.priorities.all())
    for number, spec in enumerate(specs):
        organisation = organisations[spec.organisation]
        if Application.objects.filter(
            round=round_, organisation=organisation, project_title=spec.title
        ).exists():
            continue
        postcode, lsoa, ward = _place(_postcode_of(spec.organisation))
        submitted_at = min(round_.closes_at, timezone.now()) - datetime.timedelta(days=3 + number)
        application = Application.objects.create(
            round=round_,
            organisation=organisation,
            tier=tiers[spec.tier],
            project_title=spec.title,
            summary=spec.summary,
            amount_requested=spec.amount,
            years=spec.years,
            status=spec.status,
            submitted_at=None if spec.status == ApplicationStatus.DRAFT else submitted_at,
            withdrawn_at=submitted_at + datetime.timedelta(days=1)
            if spec.status == ApplicationStatus.WITHDRAWN
            else None,
            postcode=postcode,
            lsoa21_code=lsoa,
            ward_code=ward,
        )
        application.priorities.set(priorities[number % len(priorities) :][:2])
        _answer_everything(application, round_)
        for year, description, amount in spec.budget:
            BudgetLine.objects.create(
                application=application, year=year, description=description, amount=amount
            )
        if spec.tier == "Big idea":
            MatchFunding.objects.create(
                application=application,
                source="Our own fundraising (fictional)",
                amount=Decimal("2500.00"),
                secured=True,
            )
        if spec.partner:
            ApplicationPartner.objects.create(
                application=application,
                organisation=organisations[spec.partner],
                role_in_project="Brings young carers and their families to the sessions.",
            )
        added += 1
    return added


def _postcode_of(name: str) -> str:
    return next(spec.postcode for spec in ORGANISATIONS if spec.name == name)


# The recorded gap Round 1 answers: this directory taxonomy term (a key of the demo directory's
# TAXONOMY_TERMS) in the LSOA of this postcode, and the application that chose it. The kitchen
# runs at WN2 4LZ, 1.1 km from the LSOA's centre, so once it is listed the gap is closed.
GAP_TERM_KEY = "food"
GAP_POSTCODE = "WN2 4DT"
GAP_APPLICATION = "Cook and eat together"


def closed_round_opens_at() -> datetime.datetime:
    """When the demo's closed round opened: as stored once loaded (the first run fixes it),
    else 9am on 6 January last year."""
    stored = (
        Round.objects.filter(fund__slug=DEMO_FUND_SLUG, slug=CLOSED_ROUND_SLUG)
        .values_list("opens_at", flat=True)
        .first()
    )
    if stored is not None:
        return stored
    return _london(timezone.localtime(timezone.now(), LONDON).year - 1, 1, 6, 9)


def ensure_demo_gap_priority(round_: Round) -> Priority | None:
    """The closed round's priority made from the recorded gap, through the gap map's own action
    (`care.gaps.create_priorities`), chosen by GAP_APPLICATION. None when the round has no such
    priority and the gap is not (or no longer) on the map, e.g. without the care demo."""
    from opendeal.care.gaps import DEFAULT_DISTANCE_METRES, create_priorities, find_gaps
    from opendeal.directory.demo import demo_id

    term_id = demo_id("term", GAP_TERM_KEY)
    _, lsoa, _ = _place(GAP_POSTCODE)
    priority = Priority.objects.filter(
        round=round_, gap_taxonomy_term_id=term_id, gap_area_code=lsoa
    ).first()
    if priority is None and lsoa:
        key = f"{term_id}:{lsoa}"
        if any(gap.key == key for gap in find_gaps(DEFAULT_DISTANCE_METRES)):
            officer = User.objects.filter(email=demo_email(Role.FUND_OFFICER)).first()
            created = create_priorities(officer, round_, [key], DEFAULT_DISTANCE_METRES)
            priority = created[0] if created else None
    if priority is not None:
        application = round_.applications.filter(project_title=GAP_APPLICATION).first()
        if application is not None:
            application.priorities.add(priority)
    return priority


ROUND_EVENT_TITLES = [
    "Community investment fund: pre-application workshop",
    "Applying to the fund online: a webinar",
]


@transaction.atomic
def load_demo_fund() -> str:
    # Without the shared data the applications' places are left without LSOA and ward.
    with contextlib.suppress(DataUnavailable):
        load_demo_postcodes()
    fund = ensure_demo_fund()
    now = timezone.localtime(timezone.now(), LONDON)
    closed = ensure_demo_round(
        fund,
        CLOSED_ROUND_SLUG,
        "Round 1",
        opens_at=closed_round_opens_at(),
        closes_at=_london(now.year - 1, 3, 3, 12),
        budget=Decimal("250000.00"),
    )
    # Open from three weeks ago until noon five weeks ahead (fixed by the first run).
    opens = (now - datetime.timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    closes = (now + datetime.timedelta(days=35)).replace(hour=12, minute=0, second=0, microsecond=0)
    open_ = ensure_demo_round(
        fund,
        OPEN_ROUND_SLUG,
        "Round 2",
        opens_at=opens,
        closes_at=closes,
        budget=Decimal("300000.00"),
    )
    organisations = ensure_demo_organisations()
    added = ensure_demo_applications(closed, CLOSED_ROUND_APPLICATIONS, organisations)
    added += ensure_demo_applications(open_, OPEN_ROUND_APPLICATIONS, organisations)
    gap_priority = ensure_demo_gap_priority(closed)
    # The demo's pre-application workshop and webinar are the open round's (events load first).
    Event.objects.filter(title__in=ROUND_EVENT_TITLES, fund_round=None).update(fund_round=open_)
    return (
        f"{fund.name}: {fund.rounds.count()} rounds ({open_.title} open until "
        f"{closes:%d %B %Y %H:%M}), {len(organisations)} fictional organisations; "
        f"{added} applications added this run; "
        + (
            f"{closed.title} has the recorded gap “{gap_priority.title}” as a priority."
            if gap_priority is not None
            else "no recorded gap on the care gap map for a priority (load the care demo first)."
        )
    )
