"""Reads for the care pages: a practitioner's caseload and a person's wellbeing over time."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from opendeal.core.models import User

from . import access
from .models import Conversation, Ons4Response, Person, SwemwbsResponse


def caseload(user: User, search: str = "") -> QuerySet[Person]:
    """The people `user` may see, open records first, each with the date of their last
    conversation (`last_contact`) and their next follow-up due (`next_follow_up`)."""
    people = access.visible_people(user).select_related("team")
    search = search.strip()
    if search:
        people = people.filter(
            Q(given_name__icontains=search)
            | Q(family_name__icontains=search)
            | Q(preferred_name__icontains=search)
            | Q(postcode__iexact=search)
            | Q(nhs_number=search.replace(" ", ""))
        )
    today = timezone.localdate()
    return people.annotate(
        last_contact=Max("conversations__held_on"),
        next_follow_up=Min(
            "conversations__follow_up_on", filter=Q(conversations__follow_up_on__gte=today)
        ),
    ).order_by("closed_on", "family_name", "given_name", "pk")


@dataclass(frozen=True)
class WellbeingChange:
    first: Decimal
    latest: Decimal
    first_on: datetime.date
    latest_on: datetime.date

    @property
    def change(self) -> Decimal:
        return self.latest - self.first


def swemwbs_points(person: Person) -> list[tuple[datetime.date, Decimal]]:
    return [
        (item.recorded_on, item.metric_score)
        for item in SwemwbsResponse.objects.filter(person=person).order_by("recorded_on", "pk")
    ]


def swemwbs_change(person: Person) -> WellbeingChange | None:
    """From the first to the latest SWEMWBS metric score, when there are two or more."""
    points = swemwbs_points(person)
    if len(points) < 2:
        return None
    (first_on, first), (latest_on, latest) = points[0], points[-1]
    return WellbeingChange(first, latest, first_on, latest_on)


def ons4_series(person: Person) -> dict[str, list[tuple[datetime.date, Decimal]]]:
    responses = list(Ons4Response.objects.filter(person=person).order_by("recorded_on", "pk"))
    return {
        name: [(item.recorded_on, Decimal(getattr(item, name))) for item in responses]
        for name in Ons4Response.ITEMS
    }


def conversations_of(person: Person) -> QuerySet[Conversation]:
    return person.conversations.select_related("practitioner").prefetch_related(
        "heard_needs__taxonomy_term"
    )
