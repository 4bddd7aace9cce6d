"""What connections to given directory services achieved: people connected, people who went,
and their change in wellbeing. The fund counts a grant's outcomes with this, passing the
service its funded project was published as (issue 9: connection, attendance and wellbeing
change counted against the grant).

Wellbeing change for one person is their SWEMWBS metric score at the latest answer after the
connection was made, less their baseline: the latest answer on or before the day it was made.
People without both are not in the mean (`people_with_wellbeing` says how many are)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import Connection, ConnectionStatus, SwemwbsResponse


@dataclass(frozen=True)
class ServiceOutcomes:
    people_connected: int
    people_attended: int
    people_with_wellbeing: int
    # Mean SWEMWBS metric change, to 2 decimal places; None when no one has both answers.
    mean_wellbeing_change: Decimal | None


def outcomes_for_services(
    service_ids: Iterable, *, since: datetime.date | None = None
) -> ServiceOutcomes:
    """Outcomes of the connections to these services (made on or after `since`, if given).
    Declined connections are not counted as connected."""
    connections = Connection.objects.filter(service_id__in=list(service_ids)).exclude(
        status=ConnectionStatus.DECLINED
    )
    if since is not None:
        connections = connections.filter(made_on__gte=since)
    first_made: dict[int, datetime.date] = {}
    attended: set[int] = set()
    for person_id, made_on, first_attended_on in connections.values_list(
        "person_id", "made_on", "first_attended_on"
    ):
        first_made[person_id] = min(made_on, first_made.get(person_id, made_on))
        if first_attended_on is not None:
            attended.add(person_id)
    scores: dict[int, list[tuple[datetime.date, int, Decimal]]] = {}
    for person_id, recorded_on, pk, metric in SwemwbsResponse.objects.filter(
        person_id__in=first_made
    ).values_list("person_id", "recorded_on", "pk", "metric_score"):
        scores.setdefault(person_id, []).append((recorded_on, pk, metric))
    changes = []
    for person_id, made_on in first_made.items():
        answers = sorted(scores.get(person_id, []))
        before = [metric for day, _, metric in answers if day <= made_on]
        after = [metric for day, _, metric in answers if day > made_on]
        if before and after:
            changes.append(after[-1] - before[-1])
    mean = (sum(changes) / len(changes)).quantize(Decimal("0.01")) if changes else None
    return ServiceOutcomes(len(first_made), len(attended), len(changes), mean)
