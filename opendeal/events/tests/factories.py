"""Events to test against. `make_event()` is open for registration now: published, starting in
7 days, 10 places, types "Resident" and "Community organisation", and one optional question,
"Access needs". Any Event field can be overridden; `registration_types` and `questions`
(pairs of text and whether required) replace the defaults."""

import datetime
import itertools
from collections.abc import Iterable

from django.utils import timezone

from opendeal.events.models import Event, Question, RegistrationType

_numbers = itertools.count(1)


def make_event(
    *,
    registration_types: Iterable[str] = ("Resident", "Community organisation"),
    questions: Iterable[tuple[str, bool]] = (("Access needs", False),),
    **overrides,
) -> Event:
    now = timezone.now().replace(microsecond=0)
    starts_at = overrides.pop("starts_at", now + datetime.timedelta(days=7))
    fields = {
        "title": f"Community network meeting {next(_numbers)}",
        "kind": "network_meeting",
        "summary": "Meet other groups and find partners.",
        "description": "An evening of introductions.",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "venue_name": "Wigan Life Centre",
        "venue_address": "College Avenue\nWigan",
        "venue_postcode": "WN1 1NJ",
        "capacity": 10,
        "registration_opens_at": now - datetime.timedelta(days=1),
        "registration_closes_at": starts_at - datetime.timedelta(hours=1),
        "is_published": True,
        **overrides,
    }
    event = Event.objects.create(**fields)
    for position, name in enumerate(registration_types):
        RegistrationType.objects.create(event=event, name=name, position=position)
    for position, (text, required) in enumerate(questions):
        Question.objects.create(event=event, text=text, is_required=required, position=position)
    return event
