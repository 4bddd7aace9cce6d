"""A round's pre-application workshops and network meetings, as fund officers see them: each
event's places and attendance, and whether someone from each applicant came to one.

Reads only. Attendance is what check-in recorded (`events.Registration.attended`, only ever
set on confirmed places). Attendees' details are erased `retention_days` after each event, so
after that an applicant who came can no longer be matched: the page says so.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from opendeal.core.models import User
from opendeal.events.models import Event, EventKind, Registration, RegistrationStatus

from .models import Application, OrganisationMember, Round

# How an event is named in "Attended the workshop on 3 March 2025".
_KIND_NOUNS = {
    EventKind.WORKSHOP: "the workshop",
    EventKind.NETWORK_MEETING: "the network meeting",
    EventKind.CONFERENCE: "the conference",
}


@dataclass(frozen=True)
class RoundEvent:
    """One of the round's events with its figures. Registered counts confirmed places; each of
    them attended, did not attend, or has no attendance recorded yet, so the three add up."""

    event: Event
    places: int
    registered: int
    attended: int
    did_not_attend: int
    not_recorded: int


def round_events(round_: Round) -> list[RoundEvent]:
    """Every event linked to the round, published or not, soonest first, with its figures:
    one query however many events there are."""
    confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
    events = (
        Event.objects.filter(fund_round=round_)
        .annotate(
            registered_count=Count("registrations", filter=confirmed),
            attended_count=Count(
                "registrations", filter=confirmed & Q(registrations__attended=True)
            ),
            absent_count=Count(
                "registrations", filter=confirmed & Q(registrations__attended=False)
            ),
            unrecorded_count=Count(
                "registrations", filter=confirmed & Q(registrations__attended__isnull=True)
            ),
        )
        .order_by("starts_at", "pk")
    )
    return [
        RoundEvent(
            event=event,
            places=event.capacity,
            registered=event.registered_count,
            attended=event.attended_count,
            did_not_attend=event.absent_count,
            not_recorded=event.unrecorded_count,
        )
        for event in events
    ]


@dataclass(frozen=True)
class ApplicantAttendance:
    """The round's events someone acting for the applicant attended, earliest first."""

    events: tuple[Event, ...] = field(default=())

    @property
    def attended(self) -> bool:
        return bool(self.events)

    @property
    def description(self) -> str:
        if not self.events:
            return "No record of attending"
        first = self.events[0]
        noun = _KIND_NOUNS.get(first.kind, "the event")
        text = f"Attended {noun} on {_day_month_year(first.starts_at)}"
        more = len(self.events) - 1
        if more:
            text += f" and {more} other event{'s' if more > 1 else ''}"
        return text


def applicant_attendance(
    round_: Round, applications: Iterable[Application]
) -> dict[int, ApplicantAttendance]:
    """For each application (by pk), which of the round's events someone from the applicant
    attended: a registration with a confirmed place marked attended whose email matches,
    ignoring case, the account of whoever started the application or of any member of the
    applying organisation (or that was made with one of those accounts). Three queries,
    however many applications."""
    applications = list(applications)
    if not applications:
        return {}
    # The people who act for each application: its organisation's members and its creator.
    people: dict[int, set[int]] = defaultdict(set)
    org_ids = {application.organisation_id for application in applications}
    emails: dict[int, str] = {}
    by_org: dict[int, set[int]] = defaultdict(set)
    memberships = OrganisationMember.objects.filter(organisation_id__in=org_ids).values_list(
        "organisation_id", "user_id", "user__email"
    )
    for organisation_id, user_id, email in memberships:
        by_org[organisation_id].add(user_id)
        emails[user_id] = email
    creator_ids = {a.created_by_id for a in applications if a.created_by_id is not None}
    missing = creator_ids - emails.keys()
    if missing:
        emails.update(User.objects.filter(pk__in=missing).values_list("pk", "email"))
    for application in applications:
        people[application.pk] = set(by_org[application.organisation_id])
        if application.created_by_id is not None:
            people[application.pk].add(application.created_by_id)

    addresses = {_normalise(email) for email in emails.values()} - {""}
    registrations = (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(
            Q(email_lower__in=addresses) | Q(user_id__in=emails.keys()),
            event__fund_round=round_,
            status=RegistrationStatus.CONFIRMED,
            attended=True,
        )
        .select_related("event")
        .order_by("event__starts_at", "event__pk")
    )
    events_by_address: dict[str, list[Event]] = defaultdict(list)
    events_by_user: dict[int, list[Event]] = defaultdict(list)
    for registration in registrations:
        if registration.email_lower:
            events_by_address[registration.email_lower].append(registration.event)
        if registration.user_id is not None:
            events_by_user[registration.user_id].append(registration.event)

    result = {}
    for application in applications:
        attended: dict[int, Event] = {}
        for user_id in people[application.pk]:
            address = _normalise(emails.get(user_id, ""))
            for event in [*events_by_address.get(address, []), *events_by_user.get(user_id, [])]:
                attended[event.pk] = event
        ordered = sorted(attended.values(), key=lambda event: (event.starts_at, event.pk))
        result[application.pk] = ApplicantAttendance(events=tuple(ordered))
    return result


def _normalise(email: str) -> str:
    return email.strip().lower()


def _day_month_year(moment: datetime.datetime) -> str:
    """3 March 2025, in Europe/London."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"
