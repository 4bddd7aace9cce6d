"""The demo borough's events: fund workshops, network meetings and the Deal conference, with
registrations from generated, fictional people. A past meeting has attendance marked, so the
attendance figures have something to show. Running it again changes nothing."""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from opendeal.core.demo import DEMO_EMAIL_DOMAIN
from opendeal.deal.models import Theme

from .models import Event, EventKind, Question, Registration, RegistrationStatus, RegistrationType


@dataclass(frozen=True)
class DemoEvent:
    title: str
    kind: EventKind
    summary: str
    days_from_now: int
    hour: int
    capacity: int
    registered: int
    venue_name: str = ""
    venue_address: str = ""
    venue_postcode: str = ""
    online_url: str = ""
    theme_slug: str = ""


DEMO_EVENTS = [
    DemoEvent(
        "Community investment fund: pre-application workshop",
        EventKind.WORKSHOP,
        "Free help with your bid: what the fund looks for, budgets, and how panels score.",
        12,
        18,
        30,
        22,
        "Wigan Life Centre",
        "College Avenue\nWigan",
        "WN1 1NJ",
        theme_slug="communities",
    ),
    DemoEvent(
        "Applying to the fund online: a webinar",
        EventKind.WORKSHOP,
        "The same help as the workshop, online, for groups who cannot get there.",
        15,
        12,
        100,
        41,
        online_url="https://meet.example.org/deal-fund-webinar",
        theme_slug="communities",
    ),
    DemoEvent(
        "Leigh community network meeting",
        EventKind.NETWORK_MEETING,
        "Meet other groups in Leigh, share what works and find partners for joint bids.",
        21,
        18,
        40,
        40,
        "Leigh Library",
        "Turnpike Centre, Civic Square\nLeigh",
        "WN7 1EB",
        theme_slug="communities",
    ),
    DemoEvent(
        "The Deal conference",
        EventKind.CONFERENCE,
        "A day on what the Deal has done, what residents told us, and what comes next.",
        60,
        9,
        200,
        87,
        "Robin Park Arena",
        "Loire Drive\nWigan",
        "WN5 0UH",
    ),
    DemoEvent(
        "Ashton community network meeting",
        EventKind.NETWORK_MEETING,
        "Groups in Ashton-in-Makerfield meet to share news and plan together.",
        -20,
        18,
        35,
        31,
        "Ashton Library",
        "Wigan Road\nAshton-in-Makerfield",
        "WN4 9BH",
        theme_slug="communities",
    ),
]


def _ensure_event(spec: DemoEvent, now: datetime.datetime) -> tuple[Event, bool]:
    day = timezone.localtime(now).date() + datetime.timedelta(days=spec.days_from_now)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(spec.hour)))
    theme = Theme.objects.filter(slug=spec.theme_slug).first() if spec.theme_slug else None
    event, created = Event.objects.get_or_create(
        title=spec.title,
        defaults={
            "kind": spec.kind,
            "summary": spec.summary,
            "description": spec.summary
            + " Free, with refreshments. Tell us what you need to take part.",
            "starts_at": starts_at,
            "ends_at": starts_at
            + datetime.timedelta(hours=7 if spec.kind == EventKind.CONFERENCE else 2),
            "venue_name": spec.venue_name,
            "venue_address": spec.venue_address,
            "venue_postcode": spec.venue_postcode,
            "online_url": spec.online_url,
            "capacity": spec.capacity,
            "registration_opens_at": starts_at - datetime.timedelta(days=45),
            "registration_closes_at": starts_at - datetime.timedelta(hours=2),
            "deal_theme": theme,
            "is_published": True,
        },
    )
    if created:
        for position, name in enumerate(["Resident", "Community organisation", "Professional"]):
            RegistrationType.objects.create(event=event, name=name, position=position)
        Question.objects.create(
            event=event,
            text="Access needs",
            position=0,
            hint="For example, a hearing loop or step-free access",
        )
        Question.objects.create(event=event, text="Dietary needs", position=1)
    return event, created


def _fictional_registrations(event: Event, spec: DemoEvent, randomiser: random.Random) -> int:
    types = list(event.registration_types.all())
    access = event.questions.get(text="Access needs")
    is_past = event.ends_at < timezone.now()
    registrations = []
    for number in range(1, spec.registered + 1):
        answers = {str(access.public_id): "Step-free access"} if randomiser.random() < 0.1 else {}
        registrations.append(
            Registration(
                event=event,
                registration_type=randomiser.choice(types),
                name=f"Fictional attendee {number:03d}",
                email=f"fictional-attendee-{event.pk}-{number:03d}@{DEMO_EMAIL_DOMAIN}",
                answers=answers,
                status=RegistrationStatus.CONFIRMED,
                sequence=number,
                registered_at=event.registration_opens_at + datetime.timedelta(hours=number),
                confirmed_at=event.registration_opens_at + datetime.timedelta(hours=number),
                attended=(randomiser.random() < 0.8) if is_past else None,
            )
        )
    Registration.objects.bulk_create(registrations)
    return len(registrations)


@transaction.atomic
def load_demo_events() -> str:
    randomiser = random.Random(2019)  # the King's Fund's year: same demo every time
    now = timezone.now()
    added_events = added_registrations = 0
    for spec in DEMO_EVENTS:
        event, created = _ensure_event(spec, now)
        if created:
            added_events += 1
            added_registrations += _fictional_registrations(event, spec, randomiser)
    return f"Events: {added_events} events and {added_registrations} fictional registrations added this run."
