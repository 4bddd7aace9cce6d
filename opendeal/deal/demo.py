"""The demo borough's Deal: written for OpenDeal, modelled on the Wigan Deal's themes.

Measures with a Fingertips indicator get the borough's real published figures (from the shared
data folder, or fetched from Fingertips); pledges are made by generated, fictional residents.
Running it again changes nothing that is already there.
"""

import datetime
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opendeal.core.data_sources import DataUnavailable, PublicDataset, fingertips_indicator, locate
from opendeal.core.demo import DEMO_EMAIL_DOMAIN, demo_email
from opendeal.core.fingertips import headline_series
from opendeal.core.models import User
from opendeal.core.roles import Role

from . import services
from .models import (
    CareSeries,
    Commitment,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Pledge,
    PledgeStatus,
    Status,
    Theme,
)
from .published_figures import CARE_PUBLISHER, record_care_figures, record_published_figures

# Postcode districts of the demo borough (Wigan), for the fictional residents' pledges.
DEMO_POSTCODE_DISTRICTS = [
    "WN1",
    "WN2",
    "WN3",
    "WN4",
    "WN5",
    "WN6",
    "WN7",
    "WN8",
    "M29",
    "M46",
    "WA3",
    "BL5",
]
DEMO_PLEDGERS = 2400


@dataclass
class MilestoneSpec:
    title: str
    due_on: datetime.date
    completed_on: datetime.date | None = None


@dataclass
class MeasureSpec:
    reference: str
    title: str
    kind: MeasureKind
    unit: str = ""
    direction: Direction | str = ""
    target_value: Decimal | None = None
    target_on: datetime.date | None = None
    dataset: PublicDataset | None = None
    sex: str = "Persons"
    milestones: list[MilestoneSpec] = field(default_factory=list)


@dataclass
class CommitmentSpec:
    reference: str
    part: Part
    title: str
    description: str
    status: Status = Status.ON_TRACK
    measures: list[MeasureSpec] = field(default_factory=list)


@dataclass
class ThemeSpec:
    slug: str
    title: str
    summary: str
    commitments: list[CommitmentSpec]


D = datetime.date
ACTIVE_ADULTS = fingertips_indicator(
    93014, "observatory/fingertips_93014_physically_active_adults_2015-16_to_2024-25.csv"
)
SMOKING = fingertips_indicator(
    92443, "observatory/fingertips_92443_smoking_prevalence_2011_to_2024.csv"
)
PREVENTABLE_DEATHS = fingertips_indicator(
    93721, "observatory/fingertips_93721_u75_preventable_mortality_2010_to_2023.csv"
)

THEMES = [
    ThemeSpec(
        "health-and-wellbeing",
        "Health and wellbeing",
        "Living longer in good health: more active lives, fewer people smoking, fewer early deaths.",
        [
            CommitmentSpec(
                "HW1",
                Part.OURS,
                "Make it easier for everyone to be active",
                "Free and low-cost activity in every neighbourhood: walking groups, park runs, "
                "leisure passes for people on low incomes, and safe routes for walking and cycling.",
                measures=[
                    MeasureSpec(
                        "HW1.1",
                        "Adults who are physically active",
                        MeasureKind.METRIC,
                        "%",
                        Direction.INCREASE,
                        Decimal("70"),
                        D(2030, 3, 31),
                        ACTIVE_ADULTS,
                    ),
                ],
            ),
            CommitmentSpec(
                "HW2",
                Part.OURS,
                "Help people who smoke to stop",
                "Stop-smoking support in every GP practice and pharmacy, and smokefree "
                "playgrounds and school gates.",
                measures=[
                    MeasureSpec(
                        "HW2.1",
                        "Adults who smoke",
                        MeasureKind.METRIC,
                        "%",
                        Direction.DECREASE,
                        Decimal("5"),
                        D(2030, 12, 31),
                        SMOKING,
                    ),
                ],
            ),
            CommitmentSpec(
                "HW3",
                Part.OURS,
                "Prevent early deaths",
                "Find heart disease, cancer and lung disease earlier, with health checks in "
                "community venues as well as surgeries.",
                status=Status.AT_RISK,
                measures=[
                    MeasureSpec(
                        "HW3.1",
                        "Deaths under 75 from preventable causes, men",
                        MeasureKind.METRIC,
                        "per 100,000",
                        Direction.DECREASE,
                        Decimal("180"),
                        D(2030, 12, 31),
                        PREVENTABLE_DEATHS,
                        sex="Male",
                    ),
                    MeasureSpec(
                        "HW3.2",
                        "Deaths under 75 from preventable causes, women",
                        MeasureKind.METRIC,
                        "per 100,000",
                        Direction.DECREASE,
                        Decimal("100"),
                        D(2030, 12, 31),
                        PREVENTABLE_DEATHS,
                        sex="Female",
                    ),
                ],
            ),
            CommitmentSpec(
                "HW4",
                Part.YOURS,
                "Be active for at least 30 minutes a day",
                "Walk, dance, garden, swim: whatever gets you moving.",
            ),
            CommitmentSpec(
                "HW5",
                Part.YOURS,
                "Take up your free NHS Health Check",
                "If you are 40 to 74, book it when you are invited.",
            ),
            CommitmentSpec("HW6", Part.YOURS, "Keep homes and cars smokefree for children", ""),
        ],
    ),
    ThemeSpec(
        "communities",
        "Strong communities",
        "Neighbourhoods where people know each other, help each other and shape what happens.",
        [
            CommitmentSpec(
                "CM1",
                Part.OURS,
                "Invest in community-led projects",
                "A community investment fund for groups with good ideas, with free workshops "
                "to help them apply and network meetings to find partners.",
                measures=[
                    MeasureSpec(
                        "CM1.1",
                        "Community investment fund",
                        MeasureKind.MILESTONES,
                        milestones=[
                            MilestoneSpec(
                                "First funding round opens", D(2024, 4, 1), D(2024, 4, 2)
                            ),
                            MilestoneSpec(
                                "Pre-application workshops in every district",
                                D(2024, 6, 30),
                                D(2024, 6, 21),
                            ),
                            MilestoneSpec(
                                "First 50 projects funded", D(2025, 3, 31), D(2025, 3, 14)
                            ),
                            MilestoneSpec(
                                "First 100 projects funded", D(2026, 3, 31), D(2026, 2, 27)
                            ),
                            MilestoneSpec(
                                "Funded projects listed in the community directory", D(2026, 9, 30)
                            ),
                            MilestoneSpec("Independent evaluation published", D(2027, 6, 30)),
                        ],
                    ),
                ],
            ),
            CommitmentSpec(
                "CM2",
                Part.OURS,
                "Listen before we decide",
                "Ask residents before changing the services they use, and publish what we heard "
                "and what we did about it.",
                measures=[
                    MeasureSpec(
                        "CM2.1",
                        "Resident engagement",
                        MeasureKind.MILESTONES,
                        milestones=[
                            MilestoneSpec(
                                "Borough-wide listening exercise", D(2024, 9, 30), D(2024, 10, 11)
                            ),
                            MilestoneSpec(
                                "'You said, we did' report published",
                                D(2025, 1, 31),
                                D(2025, 1, 30),
                            ),
                            MilestoneSpec("Neighbourhood forums in all 25 wards", D(2026, 12, 31)),
                        ],
                    ),
                ],
            ),
            CommitmentSpec(
                "CM3",
                Part.YOURS,
                "Give an hour a month to your neighbourhood",
                "Volunteer with a local group, litter-pick, or run an errand for someone.",
            ),
            CommitmentSpec("CM4", Part.YOURS, "Look out for a neighbour who lives alone", ""),
            CommitmentSpec("CM5", Part.YOURS, "Recycle more and waste less", ""),
        ],
    ),
    ThemeSpec(
        "adult-social-care",
        "Adult social care",
        "Care that starts from what people can do and who they know, with formal care when it is needed.",
        [
            CommitmentSpec(
                "AS1",
                Part.OURS,
                "Start every conversation from what people can do",
                "Social workers and link workers ask about strengths, interests and the people "
                "around someone before talking about services.",
                measures=[
                    MeasureSpec(
                        "AS1.1",
                        "Strengths-based practice",
                        MeasureKind.MILESTONES,
                        milestones=[
                            MilestoneSpec(
                                "All front-door staff trained", D(2024, 12, 31), D(2024, 11, 29)
                            ),
                            MilestoneSpec(
                                "Community link workers in every neighbourhood",
                                D(2025, 9, 30),
                                D(2025, 10, 17),
                            ),
                            MilestoneSpec("Conversations recorded in OpenDeal", D(2026, 12, 31)),
                        ],
                    ),
                ],
            ),
            CommitmentSpec(
                "AS2",
                Part.YOURS,
                "Plan ahead for later life",
                "Talk with your family about what matters to you as you get older.",
            ),
            CommitmentSpec(
                "AS3",
                Part.YOURS,
                "Support someone you care for, and ask for help when you need it",
                "",
            ),
        ],
    ),
    ThemeSpec(
        "children-and-young-people",
        "Children and young people",
        "Every child ready for school, every young person with somewhere to go and someone to talk to.",
        [
            CommitmentSpec(
                "CY1",
                Part.OURS,
                "Help every child be ready for school",
                "Family hubs in each district, with health visitors, speech and language "
                "support, and stay-and-play sessions.",
                measures=[
                    MeasureSpec(
                        "CY1.1",
                        "Family hubs",
                        MeasureKind.MILESTONES,
                        milestones=[
                            MilestoneSpec("First family hub opens", D(2024, 9, 1), D(2024, 9, 9)),
                            MilestoneSpec("Family hubs in every district", D(2026, 9, 1)),
                        ],
                    ),
                ],
            ),
            CommitmentSpec("CY2", Part.YOURS, "Read with your child every day", ""),
        ],
    ),
    ThemeSpec(
        "business-and-work",
        "Business and work",
        "A borough where local firms grow and local people get good jobs.",
        [
            CommitmentSpec(
                "BW1",
                Part.OURS,
                "Spend more of the council's money with local firms",
                "Break contracts into smaller lots and help local firms bid for them.",
                status=Status.NOT_STARTED,
                measures=[
                    MeasureSpec(
                        "BW1.1",
                        "Local buying",
                        MeasureKind.MILESTONES,
                        milestones=[
                            MilestoneSpec(
                                "Local buying policy agreed", D(2025, 6, 30), D(2025, 7, 15)
                            ),
                            MilestoneSpec("Supplier workshops for local firms", D(2026, 3, 31)),
                        ],
                    ),
                ],
            ),
            CommitmentSpec("BW2", Part.YOURS, "Shop local and use local services", ""),
        ],
    ),
]


def _ensure_structure(deal: Deal) -> dict[str, Measure]:
    measures: dict[str, Measure] = {}
    for theme_position, theme_spec in enumerate(THEMES):
        theme, _ = Theme.objects.get_or_create(
            deal=deal,
            slug=theme_spec.slug,
            defaults={
                "title": theme_spec.title,
                "summary": theme_spec.summary,
                "position": theme_position,
            },
        )
        for position, spec in enumerate(theme_spec.commitments):
            commitment, _ = Commitment.objects.get_or_create(
                theme__deal=deal,
                reference=spec.reference,
                defaults={
                    "theme": theme,
                    "part": spec.part,
                    "title": spec.title,
                    "description": spec.description,
                    "position": position,
                    "status": spec.status if spec.part == Part.OURS else Status.NOT_STARTED,
                },
            )
            for measure_position, measure_spec in enumerate(spec.measures):
                measure, _ = Measure.objects.get_or_create(
                    commitment=commitment,
                    reference=measure_spec.reference,
                    defaults={
                        "title": measure_spec.title,
                        "kind": measure_spec.kind,
                        "unit": measure_spec.unit,
                        "direction": measure_spec.direction,
                        "target_value": measure_spec.target_value,
                        "target_on": measure_spec.target_on,
                        "position": measure_position,
                        "source": (
                            f"{measure_spec.dataset.publisher}, {measure_spec.dataset.url}"
                            if measure_spec.dataset
                            else ""
                        ),
                    },
                )
                measures[measure_spec.reference] = measure
                for milestone_position, milestone in enumerate(measure_spec.milestones):
                    Milestone.objects.get_or_create(
                        measure=measure,
                        title=milestone.title,
                        defaults={"due_on": milestone.due_on, "position": milestone_position},
                    )
    return measures


def _record_progress(recorder: User, measures: dict[str, Measure], log: TextIO) -> int:
    """Put real figures and reached milestones on the timeline, once each."""
    recorded = 0
    specs = {m.reference: m for t in THEMES for c in t.commitments for m in c.measures}
    for reference, measure in measures.items():
        spec = specs[reference]
        if spec.dataset is not None:
            try:
                path = locate(spec.dataset, log=log)
            except DataUnavailable as error:
                print(f"{error}. {reference} is left without figures.", file=log)
                path = None
            figures = (
                headline_series(path, settings.OPENDEAL_COUNCIL["gss_code"], spec.sex)
                if path
                else []
            )
            recorded += record_published_figures(recorder, measure, figures, spec.dataset.publisher)
        for milestone_spec in spec.milestones:
            milestone = measure.milestones.get(title=milestone_spec.title)
            if milestone_spec.completed_on and not milestone.is_complete:
                services.complete_milestone(recorder, milestone, milestone_spec.completed_on)
                recorded += 1
        services.refresh_progress(measure.commitment)
    return recorded


def _fictional_pledges(deal: Deal) -> int:
    """Pledges from generated residents (fictional; their addresses are example.org-style)."""
    randomiser = random.Random(2011)  # the Deal's first year: same demo every time
    pledgeable = list(
        Commitment.objects.filter(theme__deal=deal, part=Part.YOURS).order_by("reference")
    )
    popularity = [randomiser.uniform(0.05, 0.6) for _ in pledgeable]
    now = timezone.now()
    pledges = []
    for number in range(1, DEMO_PLEDGERS + 1):
        email = f"fictional-resident-{number:05d}@{DEMO_EMAIL_DOMAIN}"
        district = randomiser.choice(DEMO_POSTCODE_DISTRICTS) if randomiser.random() < 0.8 else ""
        signed_at = now - datetime.timedelta(days=randomiser.randint(1, 700))
        for commitment, chance in zip(pledgeable, popularity, strict=True):
            if randomiser.random() < chance:
                pledges.append(
                    Pledge(
                        commitment=commitment,
                        email=email,
                        postcode_district=district,
                        status=PledgeStatus.ACTIVE,
                        created_at=signed_at,
                        confirmed_at=signed_at,
                    )
                )
    before = Pledge.objects.filter(commitment__theme__deal=deal).count()
    Pledge.objects.bulk_create(pledges, batch_size=2000, ignore_conflicts=True)
    return Pledge.objects.filter(commitment__theme__deal=deal).count() - before


@transaction.atomic
def load_demo_deal(log: TextIO = sys.stderr) -> str:
    council = settings.OPENDEAL_COUNCIL
    deal, _ = Deal.objects.get_or_create(
        slug="the-deal",
        defaults={
            "title": f"The Deal for {council['place']}",
            "area_code": council["gss_code"],
            "summary": (
                f"The Deal is an informal agreement between {council['name']} and everyone who "
                f"lives and works in {council['place']}. Our part: we will keep council tax low, "
                "invest in communities and put residents first in everything we do. Your part: "
                "look after yourself and your family, help your neighbours, and get involved. "
                "Together we can build a healthier, happier borough."
            ),
            "starts_on": D(2024, 4, 1),
            "is_published": True,
        },
    )
    measures = _ensure_structure(deal)
    recorder = User.objects.get(email=demo_email(Role.ANALYST))
    recorded = _record_progress(recorder, measures, log)
    pledged = _fictional_pledges(deal)
    return (
        f"{deal.title}: {deal.themes.count()} themes, "
        f"{Commitment.objects.filter(theme__deal=deal).count()} commitments; "
        f"{recorded} progress updates and {pledged} fictional pledges added this run."
    )


# The loop's last hand-over: a measure whose figures come from the care records.
CARE_MEASURE_REFERENCE = "AS1.2"


@transaction.atomic
def load_demo_care_measure() -> str:
    """Link an "our part" measure to the care records' quarterly series of people connected to
    community services, and record its complete quarters. Run after the care demo (and the
    loop's funded connections), so the quarters hold the demo's people."""
    commitment = Commitment.objects.filter(
        theme__deal__slug="the-deal", reference="AS1", part=Part.OURS
    ).first()
    if commitment is None:
        return "No demo Deal: the care measure was not added."
    measure, _ = Measure.objects.get_or_create(
        commitment=commitment,
        reference=CARE_MEASURE_REFERENCE,
        defaults={
            "title": "People connected to community support each quarter",
            "kind": MeasureKind.METRIC,
            "unit": "people",
            "direction": Direction.INCREASE,
            # The first complete quarter with 5 or more people becomes the baseline.
            "target_value": Decimal("20"),
            "target_on": datetime.date(2027, 3, 31),
            "source": f"{CARE_PUBLISHER}, every quarter",
            "care_series": CareSeries.PEOPLE_CONNECTED,
            "position": 1,
        },
    )
    recorder = User.objects.get(email=demo_email(Role.ANALYST))
    recorded = record_care_figures(recorder, measure)
    services.refresh_progress(commitment)
    return f"{measure}: {recorded} quarters from the care records recorded this run."
