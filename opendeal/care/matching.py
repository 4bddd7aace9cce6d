"""New and updated directory services that match the people a practitioner supports: services
tagged with a need or interest heard in one of their conversations, near their home, changed in
the directory since a given day (a funded project published from the fund counts from the day
it is listed), and that the person is not already connected to."""

import datetime
from dataclasses import dataclass

from django.db.models import Max

from opendeal.core.models import User
from opendeal.directory.models import Attribute, Service, TaxonomyTerm
from opendeal.directory.search import ServiceQuery, search_services
from opendeal.geography.models import Postcode

from . import access
from .models import Conversation, HeardNeed, Person

DEFAULT_WITHIN_METRES = 3000
PER_PERSON = 5


@dataclass(frozen=True)
class Match:
    person: Person
    conversation: Conversation  # their latest, which a connection is made from
    service: Service
    terms: tuple[str, ...]
    distance_metres: float | None


def new_service_matches(
    user: User,
    *,
    since: datetime.datetime,
    within_metres: int = DEFAULT_WITHIN_METRES,
) -> list[Match]:
    """For each open record `user` may see, up to PER_PERSON matching services, nearest first."""
    people = list(
        access.visible_people(user)
        .filter(closed_on__isnull=True)
        .annotate(latest=Max("conversations__held_on"))
        .filter(latest__isnull=False)
        .order_by("family_name", "given_name", "pk")
    )
    places = {
        row.postcode: row
        for row in Postcode.objects.filter(postcode__in={person.postcode for person in people})
        if row.has_coordinates
    }
    heard: dict[int, set] = {}
    for person_id, term_id in HeardNeed.objects.filter(person__in=people).values_list(
        "person_id", "taxonomy_term_id"
    ):
        heard.setdefault(person_id, set()).add(term_id)
    names = dict(TaxonomyTerm.objects.values_list("id", "name"))
    matches = []
    for person in people:
        place, terms = places.get(person.postcode), heard.get(person.pk)
        if place is None or not terms:
            continue
        query = ServiceQuery(
            taxonomy_term_ids=tuple(sorted(terms, key=str)),
            near=(float(place.latitude), float(place.longitude)),
            within_metres=within_metres,
            modified_after=since,
        )
        connected = set(person.connections.values_list("service_id", flat=True))
        found = [
            service
            for service in search_services(query, per_page=PER_PERSON + len(connected)).services
            if service.id not in connected
        ][:PER_PERSON]
        if not found:
            continue
        latest = person.conversations.order_by("-held_on", "-pk").first()
        service_terms = _terms_of([service.id for service in found])
        for service in found:
            matched = sorted(names[term] for term in service_terms.get(service.id, set()) & terms)
            matches.append(Match(person, latest, service, tuple(matched), service.distance_metres))
    return matches


def _terms_of(service_ids: list) -> dict:
    terms: dict = {}
    for link_id, term_id in Attribute.objects.filter(
        link_id__in=service_ids, taxonomy_term__isnull=False
    ).values_list("link_id", "taxonomy_term_id"):
        terms.setdefault(link_id, set()).add(term_id)
    return terms
