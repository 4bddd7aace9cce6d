"""The demo borough's adult social care: two neighbourhood teams and a reablement team, and
fictional people (every one labelled "fictional" wherever they are shown) living at the real
Wigan postcodes the demo directory loads, with the people around them, strengths-based
conversations over the last two years, connections to the demo directory's services, formal
care packages, and SWEMWBS and ONS4 answers repeated over time.

The demo practitioner works in the Wigan Central team; the demo team manager manages Wigan
Central and Leigh (not the reablement team), so each sees a different set of people. Ids are derived from names (uuid5)
and the generated people come from a seeded random generator, so running it again changes
nothing. Needs and interests are tagged with the demo directory's taxonomy terms; more people
in Leigh and Atherton ask about getting around (transit) than any service there offers, so the
gap map has a gap to show.
"""

import datetime
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.directory.demo import PLACES, TAXONOMY_TERMS, demo_id
from opendeal.directory.models import Attribute, Service, TaxonomyTerm
from opendeal.geography.models import Postcode

from .models import (
    AgreedAction,
    Connection,
    ConnectionStatus,
    Conversation,
    ConversationKind,
    HeardNeed,
    Ons4Response,
    Outcome,
    PackageKind,
    PackageSetting,
    Person,
    Relationship,
    RelationshipKind,
    SupportPackage,
    SwemwbsResponse,
    Team,
)
from .scoring import conversion_table
from .validation import clean_uk_phone, nhs_number_check_digit

NAMESPACE = uuid.UUID("6c1f1f0e-3b5e-4d7e-9a51-2f0c7b1d9e42")
TEAMS = {
    "central": "Wigan Central neighbourhood team (demo)",
    "leigh": "Leigh and Atherton neighbourhood team (demo)",
    "reablement": "Reablement team (demo)",
}
# Postcodes of the demo directory's places, by the team whose area they are in.
CENTRAL_POSTCODES = [p for p in PLACES if p.startswith(("WN1", "WN2", "WN3", "WN5", "WN6"))]
LEIGH_POSTCODES = [p for p in PLACES if p.startswith(("WN7", "M46", "M29", "WA3", "WN4"))]


def care_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


@dataclass(frozen=True)
class DemoPerson:
    given_name: str
    family_name: str
    born: datetime.date
    team: str
    postcode: str
    what_matters: str
    strengths: str
    interests: str
    gifts: str = ""
    # (name, kind, relationship in words, phone: Ofcom's range for drama, 0161 496 0000-0999)
    around: tuple[tuple[str, str, str, str], ...] = ()


STORIES = [
    DemoPerson(
        "Margaret",
        "Ashworth",
        datetime.date(1941, 5, 2),
        "central",
        "WN5 9RN",
        "Staying in her own home and getting back to the allotment.",
        "Grew vegetables for forty years; knows everyone on the estate.",
        "Gardening, brass bands",
        "Teaches the neighbours’ children to grow beans.",
        (
            ("Karen Ashworth", "family", "daughter, lives in Orrell", "0161 496 0123"),
            ("Bill Turner", "neighbour", "neighbour at number 14", "0161 496 0124"),
        ),
    ),
    DemoPerson(
        "Derek",
        "Holt",
        datetime.date(1956, 11, 19),
        "leigh",
        "WN7 2AE",
        "Feeling useful again since he stopped work.",
        "Joiner by trade; patient; good with his hands.",
        "Woodwork, rugby league",
        "Fixes things for people on his street.",
        (("Sandra Holt", "family", "wife", "0161 496 0456"),),
    ),
    DemoPerson(
        "Aaliyah",
        "Begum",
        datetime.date(1988, 3, 7),
        "central",
        "WN3 4QP",
        "Her children, and getting out of the house more.",
        "Organised, a great cook, speaks three languages.",
        "Cooking, sewing",
        around=(("Nadia Begum", "family", "sister", "0161 496 0789"),),
    ),
    DemoPerson(
        "Frank",
        "Gerrard",
        datetime.date(1937, 8, 23),
        "leigh",
        "M46 0EW",
        "Getting to the cemetery to see his wife’s grave every week.",
        "Determined; sharp memory for local history.",
        "Local history, crosswords",
        around=(("Pat O’Neill", "friend", "friend from the British Legion", "0161 496 0211"),),
    ),
    DemoPerson(
        "Shirley",
        "Pennington",
        datetime.date(1949, 1, 30),
        "central",
        "WN6 0NY",
        "Walking without being frightened of falling.",
        "Used to walk the Pennines; sociable; funny.",
        "Walking, knitting",
    ),
    DemoPerson(
        "Tomasz",
        "Nowak",
        datetime.date(1979, 6, 12),
        "leigh",
        "WN7 4UH",
        "Keeping his flat and his job.",
        "Hard-working; a good mechanic.",
        "Bikes, football",
    ),
]
GIVEN_NAMES = [
    "Joan",
    "Peter",
    "Linda",
    "Graham",
    "Susan",
    "Keith",
    "Janet",
    "Alan",
    "Irene",
    "Stephen",
    "Brenda",
    "Colin",
    "Maureen",
    "Gary",
    "Doreen",
    "Ian",
    "Hazel",
    "Neil",
]
FAMILY_NAMES = [
    "Fairhurst",
    "Unsworth",
    "Hilton",
    "Melling",
    "Cunliffe",
    "Baxendale",
    "Rigby",
    "Prescott",
    "Hindle",
    "Worthington",
    "Seddon",
    "Liptrot",
    "Grundy",
    "Marsden",
]
INTERESTS = [
    "Gardening",
    "Music",
    "Walking",
    "Cooking",
    "Crafts",
    "Football",
    "Reading",
    "Local history",
    "Bingo",
    "Fishing",
]
# Needs heard, as demo directory taxonomy term keys, and how often.
NEED_WEIGHTS = {
    "health": 6,
    "food": 3,
    "money": 4,
    "care": 5,
    "housing": 2,
    "transit": 4,
    "education": 1,
    "legal": 1,
}
INTEREST_TERMS = ["health", "education", "food", "work", "goods"]
OUTCOME_WEIGHTS = {
    Outcome.INFORMATION_AND_ADVICE: 30,
    Outcome.COMMUNITY_CONNECTION: 35,
    Outcome.SHORT_TERM_SUPPORT: 14,
    Outcome.LONG_TERM_SUPPORT: 8,
    Outcome.NO_FURTHER_ACTION: 13,
}
GENERATED_PEOPLE = 54


def _teams(practitioner: User | None, manager: User | None) -> dict[str, Team]:
    teams = {}
    for key, name in TEAMS.items():
        teams[key], _ = Team.objects.get_or_create(
            public_id=care_id("team", key), defaults={"name": name}
        )
    if practitioner is not None:
        teams["central"].members.add(practitioner)
    if manager is not None:
        teams["central"].managers.add(manager)
        teams["leigh"].managers.add(manager)
    return teams


def _story_people(rng: random.Random) -> list[tuple[DemoPerson, uuid.UUID]]:
    people = [(story, care_id("person", story.given_name, story.family_name)) for story in STORIES]
    today = timezone.localdate()
    for index in range(GENERATED_PEOPLE):
        team = ("central", "leigh", "reablement")[index % 3]
        postcodes = LEIGH_POSTCODES if team == "leigh" else CENTRAL_POSTCODES
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        age = rng.randint(19, 94)
        story = DemoPerson(
            given,
            family,
            today.replace(year=today.year - age) - datetime.timedelta(rng.randint(1, 360)),
            team,
            rng.choice(postcodes),
            "Staying independent and seeing people.",
            rng.choice(["Resilient", "Kind and practical", "Good with people", "Creative"]),
            ", ".join(rng.sample(INTERESTS, 2)),
        )
        people.append((story, care_id("person", "generated", str(index))))
    return people


def _make_person(story: DemoPerson, public_id: uuid.UUID, team: Team, nhs_seed: int) -> Person:
    place = Postcode.objects.filter(postcode=story.postcode).first()
    person = Person.objects.create(
        public_id=public_id,
        team=team,
        given_name=story.given_name,
        family_name=story.family_name,
        date_of_birth=story.born,
        address="1 Fictional Row (demo address)",
        postcode=story.postcode,
        lsoa21_code=place.lsoa21_code if place else "",
        ward_code=place.ward_code if place else "",
        nhs_number=_demo_nhs_number(nhs_seed),
        consent_recorded_on=timezone.localdate() - datetime.timedelta(days=700),
        consents_to_sharing=True,
        strengths=story.strengths,
        gifts=story.gifts,
        interests=story.interests,
        what_matters=story.what_matters,
        is_fictional=True,
        created_at=timezone.now() - datetime.timedelta(days=720),
    )
    for name, kind, words, phone in story.around:
        Relationship.objects.create(
            person=person,
            name=f"{name} (fictional)",
            kind=RelationshipKind(kind),
            relationship=words,
            phone=_e164(phone),
            is_main_contact=kind == "family",
        )
    return person


def _demo_nhs_number(seed: int) -> str:
    """A checksum-valid number in the 999 range, which the NHS never issues (kept for tests)."""
    number = 999_000_000 + seed * 7
    while nhs_number_check_digit(f"{number:09d}") is None:
        number += 1
    first_nine = f"{number:09d}"
    return first_nine + str(nhs_number_check_digit(first_nine))


def _e164(phone: str) -> str:
    return clean_uk_phone(phone)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _services_for(term_key: str) -> list[Service]:
    term_id = demo_id("term", term_key)
    ids = Service.objects.filter(status=Service.Status.ACTIVE).values_list("id", flat=True)
    tagged = set(
        Attribute.objects.filter(taxonomy_term_id=term_id, link_id__in=ids).values_list(
            "link_id", flat=True
        )
    )
    return list(Service.objects.filter(id__in=tagged).order_by("name"))


def _conversations(
    rng: random.Random, person: Person, practitioner: User | None, terms: dict[str, TaxonomyTerm]
) -> tuple[int, int, int]:
    """Conversations over the last two years, with what came of them."""
    today = timezone.localdate()
    made = connections = packages = 0
    first = today - datetime.timedelta(days=rng.randint(30, 700))
    day, previous = first, None
    for number in range(rng.randint(1, 4)):
        if day > today:
            break
        outcome = _weighted(rng, OUTCOME_WEIGHTS)
        kind = (
            ConversationKind.WORK_INTENSIVELY
            if outcome == Outcome.SHORT_TERM_SUPPORT
            else ConversationKind.BUILD_A_GOOD_LIFE
            if outcome == Outcome.LONG_TERM_SUPPORT
            else ConversationKind.LISTEN_AND_CONNECT
        )
        follow_up = day + datetime.timedelta(days=rng.randint(14, 90))
        conversation = Conversation.objects.create(
            public_id=care_id("conversation", str(person.public_id), str(number)),
            person=person,
            team=person.team,
            practitioner=practitioner,
            kind=kind,
            held_on=day,
            strengths_heard=person.strengths,
            people_heard="Family nearby; neighbours help.",
            what_matters_heard=person.what_matters,
            needs_heard="Wants to get out more and manage at home.",
            outcome=outcome,
            follow_up_on=follow_up if follow_up <= today + datetime.timedelta(60) else None,
            follows_up=previous,
            lsoa21_code=person.lsoa21_code,
            ward_code=person.ward_code,
        )
        made += 1
        need_keys = {_weighted(rng, NEED_WEIGHTS) for _ in range(rng.randint(1, 2))}
        interest_key = rng.choice(INTEREST_TERMS)
        for key, kind_of in [(k, HeardNeed.Kind.NEED) for k in sorted(need_keys)] + [
            (interest_key, HeardNeed.Kind.INTEREST)
        ]:
            HeardNeed.objects.create(
                conversation=conversation,
                person=person,
                taxonomy_term=terms[key],
                kind=kind_of,
                heard_on=day,
                lsoa21_code=person.lsoa21_code,
                ward_code=person.ward_code,
            )
        AgreedAction.objects.create(
            conversation=conversation,
            description="Ring to see how the first visit went.",
            owner="Practitioner (demo)",
            due_on=day + datetime.timedelta(days=14),
            done_on=day + datetime.timedelta(days=rng.randint(7, 14))
            if day + datetime.timedelta(days=14) < today
            else None,
        )
        if outcome == Outcome.COMMUNITY_CONNECTION:
            options = _services_for(sorted(need_keys)[0]) or _services_for("health")
            if options:
                service = rng.choice(options)
                status = rng.choices(
                    [
                        ConnectionStatus.ATTENDED,
                        ConnectionStatus.CONTACTED,
                        ConnectionStatus.SUGGESTED,
                        ConnectionStatus.STOPPED,
                        ConnectionStatus.DECLINED,
                    ],
                    weights=[50, 15, 15, 10, 10],
                )[0]
                changed = min(day + datetime.timedelta(days=rng.randint(3, 30)), today)
                Connection.objects.get_or_create(
                    person=person,
                    service=service,
                    defaults={
                        "public_id": care_id("connection", str(conversation.public_id)),
                        "conversation": conversation,
                        "status": status,
                        "made_on": day,
                        "status_changed_on": changed,
                        "made_by": practitioner,
                        "first_attended_on": changed
                        if status in (ConnectionStatus.ATTENDED, ConnectionStatus.STOPPED)
                        else None,
                    },
                )
                connections += 1
        if outcome in (Outcome.SHORT_TERM_SUPPORT, Outcome.LONG_TERM_SUPPORT):
            is_long = outcome == Outcome.LONG_TERM_SUPPORT
            weeks = rng.randint(2, 6)
            SupportPackage.objects.create(
                public_id=care_id("package", str(conversation.public_id)),
                person=person,
                team=person.team,
                conversation=conversation,
                kind=PackageKind.LONG_TERM if is_long else PackageKind.REABLEMENT,
                setting=rng.choice(
                    [
                        PackageSetting.HOME_CARE,
                        PackageSetting.DAY_OPPORTUNITIES,
                        PackageSetting.RESIDENTIAL,
                    ]
                )
                if is_long
                else PackageSetting.HOME_CARE,
                provider="Fictional Care Ltd (demo)",
                weekly_cost=Decimal(rng.randint(18000, 95000)) / 100
                if is_long
                else Decimal(rng.randint(20000, 45000)) / 100,
                starts_on=day + datetime.timedelta(days=3),
                ends_on=None if is_long else day + datetime.timedelta(days=3 + 7 * weeks),
                created_by=practitioner,
            )
            packages += 1
        previous = conversation
        day = follow_up
    return made, connections, packages


def _wellbeing(rng: random.Random, person: Person, practitioner: User | None) -> int:
    """Two to four SWEMWBS (and ONS4) answers since the first conversation, mostly improving."""
    first = person.conversations.order_by("held_on").first()
    if first is None:
        return 0
    table = conversion_table()
    today = timezone.localdate()
    level = rng.randint(1, 3)
    day, count = first.held_on, 0
    for _ in range(rng.randint(2, 4)):
        if day > today:
            break
        items = [min(5, max(1, level + rng.choice([0, 0, 1, -1]))) for _ in range(7)]
        raw = sum(items)
        SwemwbsResponse.objects.create(
            person=person,
            conversation=first,
            recorded_on=day,
            raw_score=raw,
            metric_score=table[raw],
            recorded_by=practitioner,
            **dict(zip(SwemwbsResponse.ITEMS, items, strict=True)),
        )
        anxious = max(0, 8 - 2 * level)
        Ons4Response.objects.create(
            person=person,
            conversation=first,
            recorded_on=day,
            life_satisfaction=min(10, 2 * level + 1),
            worthwhile=min(10, 2 * level + 2),
            happiness=min(10, 2 * level),
            anxiety=anxious,
            recorded_by=practitioner,
        )
        count += 1
        level = min(5, level + rng.choice([0, 1, 1]))
        day += datetime.timedelta(days=rng.randint(60, 150))
    return count


@transaction.atomic
def load_demo_care() -> str:
    """Load the demo's adult social care; idempotent. Returns a one-line report."""
    terms = {term.id: term for term in TaxonomyTerm.objects.all()}
    demo_terms = {key: terms.get(demo_id("term", key)) for key in TAXONOMY_TERMS}
    if not all(demo_terms.values()):
        return "Care: not loaded (the demo directory, whose services and categories it uses, is not there)."
    practitioner = User.objects.filter(email=demo_email(Role.PRACTITIONER)).first()
    manager = User.objects.filter(email=demo_email(Role.TEAM_MANAGER)).first()
    teams = _teams(practitioner, manager)
    rng = random.Random(2026)
    added = conversations = connections = packages = measures = 0
    for seed, (story, public_id) in enumerate(_story_people(rng)):
        person_rng = random.Random(f"{public_id}")
        if Person.objects.filter(public_id=public_id).exists():
            continue
        person = _make_person(story, public_id, teams[story.team], seed)
        made, connected, arranged = _conversations(person_rng, person, practitioner, demo_terms)
        measures += _wellbeing(person_rng, person, practitioner)
        added += 1
        conversations += made
        connections += connected
        packages += arranged
    return (
        f"Care: {added} fictional people added ({Person.objects.filter(is_fictional=True).count()} "
        f"in all) in {len(TEAMS)} teams, {conversations} conversations, {connections} connections "
        f"to directory services, {packages} packages, {measures} SWEMWBS answers."
    )
