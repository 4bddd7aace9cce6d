"""Who may see whose record, and the audit trail of every view and change of a record.

- A practitioner (`care.work_with_people`) sees the people allocated to the teams they are a
  member of, and people shared with them by name.
- A team manager (`care.manage_team_people`) also sees the people of the teams they manage.
- Everyone else sees no one: asking for a record they may not see is answered as if it did not
  exist (404), and the attempt is written to the audit trail.

Every audit event about a record is attached to the person (`object_type` "care.person",
`object_id` their public id) and names only ids, so a manager reads one person's whole trail
with one query, and an erased person's trail says nothing about them.
"""

import uuid
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from opendeal.core import audit
from opendeal.core.models import AuditEvent, User

from .models import Person, Team

WORK_WITH_PEOPLE = "care.work_with_people"
MANAGE_TEAM_PEOPLE = "care.manage_team_people"
DOWNLOAD_EXTRACT = "care.download_extract"
PERSON_OBJECT_TYPE = "care.person"
ACCESS_REFUSED = "care.person.access_refused"
VIEWED = "care.person.viewed"


# What each audit action means, for the pages that show a trail.
ACTION_LABELS = {
    "care.person.created": "Started the record",
    "care.person.updated": "Changed who they are",
    "care.person.viewed": "Looked at the record",
    ACCESS_REFUSED: "Tried to open the record without access (refused)",
    "care.person.shared": "Shared the record",
    "care.person.unshared": "Stopped sharing the record",
    "care.person.closed": "Closed the record",
    "care.person.reopened": "Reopened the record",
    "care.person.erased": "Erased the record",
    "care.relationship.added": "Added someone in their life",
    "care.relationship.updated": "Changed someone in their life",
    "care.relationship.removed": "Removed someone in their life",
    "care.conversation.recorded": "Recorded a conversation",
    "care.action.agreed": "Added an agreed action",
    "care.action.done": "Marked an action as done",
    "care.connection.made": "Connected them to a service",
    "care.connection.status_changed": "Changed a connection's status",
    "care.connections.exported": "Exported their connections (with NHS number)",
    "care.package.added": "Arranged formal support",
    "care.package.updated": "Changed formal support",
    "care.swemwbs.recorded": "Recorded SWEMWBS answers",
    "care.ons4.recorded": "Recorded ONS4 answers",
}


def visible_people(user: User) -> QuerySet[Person]:
    """The people whose records `user` may see (erased records are no one's to see)."""
    if not user.is_authenticated or not user.has_perm(WORK_WITH_PEOPLE):
        return Person.objects.none()
    reach = Q(team__members=user) | Q(shares__user=user)
    if user.has_perm(MANAGE_TEAM_PEOPLE):
        reach |= Q(team__managers=user)
    ids = Person.objects.filter(reach).values("pk")
    return Person.objects.filter(pk__in=ids, erased_at__isnull=True)


def managed_people(user: User) -> QuerySet[Person]:
    """The people of the teams `user` manages: whose trails they read, whom they share and erase."""
    if not user.is_authenticated or not user.has_perm(MANAGE_TEAM_PEOPLE):
        return Person.objects.none()
    return Person.objects.filter(team__managers=user, erased_at__isnull=True)


def teams_of(user: User) -> QuerySet[Team]:
    """The teams `user` may allocate people to: those they are a member of or manage."""
    if not user.is_authenticated or not user.has_perm(WORK_WITH_PEOPLE):
        return Team.objects.none()
    ids = Team.objects.filter(Q(members=user) | Q(managers=user)).values("pk")
    return Team.objects.filter(pk__in=ids)


def record(actor: User | None, action: str, person: Person, **ids) -> AuditEvent:
    """Write an audit event about a person's record; `ids` must be ids, names of pages or
    fields, or counts, never personal data."""
    return audit.record(actor, action, person, **ids)


def record_views(actor: User, people: Iterable[Person], page: str) -> list[AuditEvent]:
    """Write "care.person.viewed" (with `page`) to the trail of each of `people` (once each),
    for a list that names them, in one INSERT."""
    once = {person.pk: person for person in people}
    return audit.record_many(actor, VIEWED, once.values(), page=page)


def refuse(actor: User, public_id: uuid.UUID | str, page: str) -> Http404:
    """Log an attempt to reach a record the actor may not see, and give the 404 to raise."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is not None:
        audit.record(actor, ACCESS_REFUSED, person, page=page)
    else:
        audit.record(actor, ACCESS_REFUSED, None, person=str(public_id), page=page)
    return Http404("There is no such person.")


def person_for(
    actor: User, public_id: uuid.UUID | str, page: str, *, manager: bool = False
) -> Person:
    """The person `actor` asked for, if they may see it (with `manager`, only if they manage the
    person's team); otherwise the refusal is logged and Http404 raised. Views audit the view."""
    people = managed_people(actor) if manager else visible_people(actor)
    person = people.select_related("team").filter(public_id=public_id).first()
    if person is None:
        raise refuse(actor, public_id, page)
    return person


def item_for(actor: User, queryset: QuerySet, public_id: uuid.UUID | str, page: str, person_of):
    """A conversation, connection, package… of a person `actor` may see, by its public id;
    otherwise the refusal is logged (against the person, when the item exists) and Http404
    raised. `person_of` gives an item's person."""
    item = queryset.filter(public_id=public_id).first()
    if item is None:
        audit.record(actor, ACCESS_REFUSED, None, item=str(public_id), page=page)
        raise Http404("There is no such record.")
    person = person_of(item)
    if not visible_people(actor).filter(pk=person.pk).exists():
        audit.record(actor, ACCESS_REFUSED, person, item=str(public_id), page=page)
        raise Http404("There is no such record.")
    return item


def trail(person: Person) -> QuerySet[AuditEvent]:
    """Every audit event about the person's record, newest first."""
    return AuditEvent.objects.filter(
        object_type=PERSON_OBJECT_TYPE, object_id=str(person.public_id)
    ).select_related("actor")
