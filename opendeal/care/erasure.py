"""Erasure of a person's record, on request or when the retention period has passed.

Everything that identifies the person, and everything written in words about them, is deleted.
What remains are structured facts about the council's work that identify no one: the dates,
kinds and outcomes of conversations and the neighbourhood they were held in (LSOA and ward),
needs heard as taxonomy terms, connections to services with their statuses, packages with
their costs and dates, and wellbeing scores. The borough's figures therefore do not change when
someone is erased. The audit trail is kept: it names only ids, and now says the record was
erased.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from opendeal.core.models import User

from . import access
from .models import AgreedAction, Connection, Conversation, Person, SupportPackage

ERASED = "care.person.erased"
_BLANKED_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "address",
    "postcode",
    "lsoa21_code",
    "ward_code",
    "phone",
    "email",
    "nhs_number",
    "consent_notes",
    "strengths",
    "gifts",
    "interests",
    "what_matters",
)
_BLANKED_CONVERSATION_FIELDS = (
    "strengths_heard",
    "people_heard",
    "what_matters_heard",
    "needs_heard",
    "notes",
)


def can_erase(actor: User, person: Person) -> tuple[bool, str]:
    if not access.managed_people(actor).filter(pk=person.pk).exists():
        return False, "Only a manager of this person's team can erase their record."
    return True, ""


def erase_person(actor: User | None, person: Person, reason: str) -> Person:
    """Erase the person's record. `actor` None is the retention housekeeping; a person erases
    only with a manager of the person's team. `reason` is "request" or "retention"."""
    if actor is not None:
        allowed, why = can_erase(actor, person)
        if not allowed:
            raise PermissionDenied(why)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at is not None:
            return person
        for name in _BLANKED_PERSON_FIELDS:
            setattr(person, name, "")
        person.date_of_birth = None
        person.consent_recorded_on = None
        person.erased_at = timezone.now()
        person.save()
        person.relationships.all().delete()
        person.shares.all().delete()
        AgreedAction.objects.filter(conversation__person=person).delete()
        Conversation.objects.filter(person=person).update(
            **dict.fromkeys(_BLANKED_CONVERSATION_FIELDS, "")
        )
        Connection.objects.filter(person=person).update(notes="")
        SupportPackage.objects.filter(person=person).update(description="")
        access.record(actor, ERASED, person, reason=reason)
    return person


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Records closed on or before this day have passed the retention period."""
    today = today or timezone.localdate()
    year = today.year - settings.OPENDEAL_CARE_RETENTION_YEARS
    # 29 February, years back, may not exist: the day before is as many whole years ago.
    if (today.month, today.day) == (2, 29):
        return datetime.date(year, 2, 28)
    return today.replace(year=year)


def erase_expired(today: datetime.date | None = None) -> int:
    """Erase every record closed for longer than the retention period; return how many."""
    due = Person.objects.filter(
        erased_at__isnull=True, closed_on__isnull=False, closed_on__lte=retention_cutoff(today)
    )
    count = 0
    for person in due.iterator():
        erase_person(None, person, reason="retention")
        count += 1
    return count
