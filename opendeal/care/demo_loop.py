"""The loop closed, in the demo borough (issue 9): a gap a funded project closed, with the people
it was for connected and their wellbeing before and after. Every person is fictional and
labelled so, as in `care/demo.py`.

1. `load_demo_gap_people` (after `load_demo_care`, before the fund): seven fictional people in
   Hindley (Wigan 016A, the LSOA of `fund.demo.GAP_POSTCODE`) tell a practitioner, in the
   months before Round 1 opened, that they would like to cook and eat with other people
   (the directory term Food). No food service is listed within 1.5 km, so it is a gap on the
   gap map. Each has a SWEMWBS answer that day.
2. `fund.demo.ensure_demo_gap_priority` makes that gap a priority of Round 1 and "Cook and eat
   together" chooses it; `fund.demo_awards` awards it and lists it in the directory at the
   kitchen (1.1 km away), so the gap closes.
3. `load_demo_funded_connections` (after the awards): in the weeks after the service went live
   the practitioner connects each of them to it; six go (one stops after a month), one has been
   contacted only. Another SWEMWBS answer on the day of the connection and one twelve weeks
   later show the change the grant's page counts (`care.outcomes.outcomes_for_services`).

Dates follow the round's stored dates and the day the service was listed, so the story holds
whenever the demo is loaded; ids are uuid5 of names, so running it again changes nothing.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.directory.demo import demo_id
from opendeal.directory.models import Service, TaxonomyTerm
from opendeal.fund.demo import GAP_APPLICATION, GAP_POSTCODE, GAP_TERM_KEY, closed_round_opens_at
from opendeal.fund.models import Grant

from .demo import DemoPerson, _make_person, _teams, care_id
from .models import (
    Connection,
    ConnectionStatus,
    Conversation,
    ConversationKind,
    HeardNeed,
    Outcome,
    Person,
    SwemwbsResponse,
)
from .scoring import conversion_table


@dataclass(frozen=True)
class LoopPerson:
    person: DemoPerson
    # SWEMWBS raw scores (7-35): when the need was heard, when connected, twelve weeks later
    # (None: not asked again yet).
    raw_scores: tuple[int, int, int | None]
    status: str


def _born(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


# Phones are in Ofcom's range for drama (0161 496 0000-0999), as in care/demo.py.
LOOP_PEOPLE = [
    LoopPerson(
        DemoPerson(
            "Brian",
            "Entwistle",
            _born(1948, 2, 14),
            "central",
            GAP_POSTCODE,
            "Having a proper meal with people again since his wife died.",
            "Ran the works canteen for twenty years.",
            "Cooking, rugby league",
            "Makes the best hotpot on the street.",
            (("Carol Entwistle", "family", "daughter, lives in Atherton", "0161 496 0311"),),
        ),
        (15, 16, 22),
        ConnectionStatus.ATTENDED,
    ),
    LoopPerson(
        DemoPerson(
            "Pauline",
            "Latham",
            _born(1952, 9, 3),
            "central",
            GAP_POSTCODE,
            "Getting out of the flat and eating well on a small budget.",
            "Cheerful; good at bringing people together.",
            "Baking, bingo",
        ),
        (17, 17, 21),
        ConnectionStatus.ATTENDED,
    ),
    LoopPerson(
        DemoPerson(
            "Ravi",
            "Chauhan",
            _born(1969, 4, 21),
            "central",
            GAP_POSTCODE,
            "Cooking for his children at weekends.",
            "Patient; a careful planner.",
            "Cricket, cooking",
            around=(("Meera Chauhan", "family", "sister", "0161 496 0312"),),
        ),
        (16, 17, 23),
        ConnectionStatus.ATTENDED,
    ),
    LoopPerson(
        DemoPerson(
            "Christine",
            "Heyes",
            _born(1944, 12, 8),
            "central",
            GAP_POSTCODE,
            "Company at mealtimes; she eats alone most days.",
            "Sharp wit; knows every family in Hindley.",
            "Knitting, local history",
        ),
        (14, 15, 19),
        ConnectionStatus.ATTENDED,
    ),
    LoopPerson(
        DemoPerson(
            "Dennis",
            "Aspinall",
            _born(1958, 7, 30),
            "central",
            GAP_POSTCODE,
            "Learning to cook since his wife went into a care home.",
            "Willing to try anything once.",
            "Fishing, darts",
            around=(("Gary Aspinall", "family", "son", "0161 496 0313"),),
        ),
        (18, 18, 24),
        ConnectionStatus.ATTENDED,
    ),
    LoopPerson(
        DemoPerson(
            "Jade",
            "Horrocks",
            _born(1991, 1, 17),
            "central",
            GAP_POSTCODE,
            "Meeting other parents; feeding the family well.",
            "Resourceful; a good listener.",
            "Music, walking",
        ),
        (19, 19, 20),
        ConnectionStatus.STOPPED,
    ),
    LoopPerson(
        DemoPerson(
            "Olena",
            "Kovalenko",
            _born(1975, 5, 5),
            "central",
            GAP_POSTCODE,
            "Making friends in Hindley, and cooking the food of home.",
            "Speaks four languages; a trained nurse.",
            "Cooking, sewing",
        ),
        (17, 17, None),
        ConnectionStatus.CONTACTED,
    ),
]
# NHS numbers of these people are seeded apart from the care demo's (0-59).
NHS_SEED_OFFSET = 100
# SWEMWBS is asked again this long after the connection.
FOLLOW_UP = datetime.timedelta(weeks=12)


def _loop_id(*parts: str) -> uuid.UUID:
    return care_id("loop", *parts)


def _items(raw: int) -> dict[str, int]:
    """Seven item answers (1-5) adding up to `raw`."""
    base, extra = divmod(raw, 7)
    values = [base + (1 if index < extra else 0) for index in range(7)]
    return dict(zip(SwemwbsResponse.ITEMS, values, strict=True))


def _swemwbs(
    person: Person, conversation: Conversation, on: datetime.date, raw: int, by: User | None
) -> None:
    SwemwbsResponse.objects.create(
        person=person,
        conversation=conversation,
        recorded_on=on,
        raw_score=raw,
        metric_score=conversion_table()[raw],
        recorded_by=by,
        **_items(raw),
    )


def _at_ten(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def load_demo_gap_people() -> str:
    """Step 1 of the module's story; idempotent. Returns a one-line report."""
    food = TaxonomyTerm.objects.filter(id=demo_id("term", GAP_TERM_KEY)).first()
    if food is None:
        return "Care (the loop): not loaded (load the demo directory first)."
    practitioner = User.objects.filter(email=demo_email(Role.PRACTITIONER)).first()
    manager = User.objects.filter(email=demo_email(Role.TEAM_MANAGER)).first()
    teams = _teams(practitioner, manager)
    opens_on = timezone.localtime(closed_round_opens_at()).date()
    added = 0
    for index, loop in enumerate(LOOP_PEOPLE):
        story = loop.person
        public_id = _loop_id("person", story.given_name, story.family_name)
        if Person.objects.filter(public_id=public_id).exists():
            continue
        # Between about three months and six weeks before the round opened.
        heard_on = opens_on - datetime.timedelta(days=100 - 9 * index)
        person = _make_person(story, public_id, teams[story.team], NHS_SEED_OFFSET + index)
        # Known to the team from a week before: not the care demo's "two years ago".
        Person.objects.filter(pk=person.pk).update(
            created_at=_at_ten(heard_on - datetime.timedelta(days=7)),
            consent_recorded_on=heard_on - datetime.timedelta(days=7),
        )
        conversation = Conversation.objects.create(
            public_id=_loop_id("conversation", str(public_id), "heard"),
            person=person,
            team=person.team,
            practitioner=practitioner,
            kind=ConversationKind.LISTEN_AND_CONNECT,
            held_on=heard_on,
            strengths_heard=story.strengths,
            people_heard="Family and neighbours nearby.",
            what_matters_heard=story.what_matters,
            needs_heard="Would like to cook and eat with other people; nothing like it runs "
            "near home (fictional).",
            outcome=Outcome.INFORMATION_AND_ADVICE,
            lsoa21_code=person.lsoa21_code,
            ward_code=person.ward_code,
        )
        HeardNeed.objects.create(
            conversation=conversation,
            person=person,
            taxonomy_term=food,
            kind=HeardNeed.Kind.NEED,
            heard_on=heard_on,
            lsoa21_code=person.lsoa21_code,
            ward_code=person.ward_code,
        )
        _swemwbs(person, conversation, heard_on, loop.raw_scores[0], practitioner)
        added += 1
    return (
        f"Care (the loop): {added} fictional people in Hindley added who asked for food before "
        f"Round 1 opened on {opens_on.day} {opens_on:%B %Y}."
    )


@transaction.atomic
def load_demo_funded_connections() -> str:
    """Step 3 of the module's story; idempotent. Returns a one-line report."""
    grant = (
        Grant.objects.filter(
            application__project_title=GAP_APPLICATION, directory_service_id__isnull=False
        )
        .order_by("pk")
        .first()
    )
    service = Service.objects.filter(id=grant.directory_service_id).first() if grant else None
    if service is None or service.last_modified is None:
        return f"Care (the loop): no connections ({GAP_APPLICATION} is not in the directory)."
    listed_on = timezone.localtime(service.last_modified).date()
    practitioner = User.objects.filter(email=demo_email(Role.PRACTITIONER)).first()
    today = timezone.localdate()
    added = 0
    for index, loop in enumerate(LOOP_PEOPLE):
        story = loop.person
        person = Person.objects.filter(
            public_id=_loop_id("person", story.given_name, story.family_name)
        ).first()
        connection_id = _loop_id("connection", str(person.public_id) if person else "")
        if person is None or Connection.objects.filter(public_id=connection_id).exists():
            continue
        made_on = listed_on + datetime.timedelta(days=10 + 6 * index)
        if made_on > today:
            continue
        heard = person.conversations.order_by("held_on", "pk").first()
        conversation = Conversation.objects.create(
            public_id=_loop_id("conversation", str(person.public_id), "connected"),
            person=person,
            team=person.team,
            practitioner=practitioner,
            kind=ConversationKind.LISTEN_AND_CONNECT,
            held_on=made_on,
            strengths_heard=story.strengths,
            people_heard="Family and neighbours nearby.",
            what_matters_heard=story.what_matters,
            needs_heard=f"A new community kitchen nearby: {service.name} (fictional).",
            outcome=Outcome.COMMUNITY_CONNECTION,
            follows_up=heard,
            lsoa21_code=person.lsoa21_code,
            ward_code=person.ward_code,
        )
        went = loop.status in (ConnectionStatus.ATTENDED, ConnectionStatus.STOPPED)
        first_attended = made_on + datetime.timedelta(days=7) if went else None
        changed = (
            made_on + datetime.timedelta(days=35)
            if loop.status == ConnectionStatus.STOPPED
            else first_attended or made_on + datetime.timedelta(days=2)
        )
        Connection.objects.create(
            public_id=connection_id,
            person=person,
            conversation=conversation,
            service=service,
            status=loop.status,
            made_on=made_on,
            status_changed_on=min(changed, today),
            first_attended_on=first_attended,
            made_by=practitioner,
            notes="Fictional: asked for this before it existed.",
        )
        _, connected_raw, later_raw = loop.raw_scores
        _swemwbs(person, conversation, made_on, connected_raw, practitioner)
        if later_raw is not None and made_on + FOLLOW_UP <= today:
            _swemwbs(person, conversation, made_on + FOLLOW_UP, later_raw, practitioner)
        added += 1
    return (
        f"Care (the loop): {added} fictional people connected to {service.name}, listed on "
        f"{listed_on.day} {listed_on:%B %Y}."
    )
