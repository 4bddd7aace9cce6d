"""What connections to given directory services achieved: people connected, people who went,
and their change in wellbeing. The fund counts a grant's outcomes with this, passing the
service its funded project was published as (issue 9: connection, attendance and wellbeing
change counted against the grant).

Wellbeing change for one person is their SWEMWBS metric score at the latest answer after the
connection was made, less their baseline: the latest answer on or before the day it was made.
People without both are not in the mean (`people_with_wellbeing` says how many are).

The borough-wide quarterly series (`people_connected_by_quarter`, `wellbeing_change_by_quarter`)
are what a Deal measure can take its figures from (`deal/published_figures.py` `care_figures`).
They give exact counts: whoever publishes them leaves small numbers out."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.db.models.functions import TruncQuarter

from .models import Connection, ConnectionStatus, SwemwbsResponse


@dataclass(frozen=True)
class ServiceOutcomes:
    people_connected: int
    people_attended: int
    people_with_wellbeing: int
    # Mean SWEMWBS metric change, to 2 decimal places; None when no one has both answers.
    mean_wellbeing_change: Decimal | None


def outcomes_for_services(
    service_ids: Iterable,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> ServiceOutcomes:
    """Outcomes of the connections to these services made on or after `since` and on or
    before `until` (where given). Declined connections are not counted as connected."""
    connections = Connection.objects.filter(service_id__in=list(service_ids)).exclude(
        status=ConnectionStatus.DECLINED
    )
    if since is not None:
        connections = connections.filter(made_on__gte=since)
    if until is not None:
        connections = connections.filter(made_on__lte=until)
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


# Borough-wide, by calendar quarter ---------------------------------------------------------


@dataclass(frozen=True)
class QuarterFigure:
    """One calendar quarter's figure. `people` is exact: it is what small-number rules test."""

    quarter: datetime.date  # the quarter's first day
    people: int
    value: Decimal

    @property
    def quarter_end(self) -> datetime.date:
        return quarter_end(self.quarter)


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(quarter: datetime.date) -> datetime.date:
    first = quarter_start(quarter)
    if first.month == 10:
        return datetime.date(first.year, 12, 31)
    return datetime.date(first.year, first.month + 3, 1) - datetime.timedelta(days=1)


def people_connected_by_quarter() -> list[QuarterFigure]:
    """People connected to any community service in each quarter (by the day the connection
    was made), each person once a quarter, council-wide. Declined connections are not counted
    as connected, as for a grant (`outcomes_for_services`). Erased records still count: erasure
    keeps connections (`erasure.py`)."""
    rows = (
        Connection.objects.exclude(status=ConnectionStatus.DECLINED)
        .annotate(quarter=TruncQuarter("made_on"))
        .values("quarter")
        .annotate(people=Count("person", distinct=True))
        .order_by("quarter")
    )
    return [QuarterFigure(row["quarter"], row["people"], Decimal(row["people"])) for row in rows]


def wellbeing_change_by_quarter() -> list[QuarterFigure]:
    """For each quarter, the people who answered SWEMWBS in it and had answered before (two or
    more answers by then): the mean change from their first metric score to their latest in
    the quarter, to 0.01 (half up, as the demand dashboard's cohorts). Ties on a day are
    broken as `demand.wellbeing_cohorts` breaks them: the first answer recorded on the first
    day, the last recorded on the latest.

    This is "first to latest, by the quarter of the latest answer" as it stood at each
    quarter's end, so a finished quarter's figure does not move when someone answers again
    later (the Deal records each quarter once)."""
    first: dict[int, Decimal] = {}
    # (person, quarter) -> the latest metric in that quarter; rows come oldest first.
    latest: dict[tuple[int, datetime.date], Decimal] = {}
    answers = SwemwbsResponse.objects.order_by("person_id", "recorded_on", "pk").values_list(
        "person_id", "recorded_on", "metric_score"
    )
    answered: dict[int, int] = {}
    counted: dict[tuple[int, datetime.date], bool] = {}
    for person_id, recorded_on, metric in answers.iterator(chunk_size=5000):
        first.setdefault(person_id, metric)
        answered[person_id] = answered.get(person_id, 0) + 1
        key = (person_id, quarter_start(recorded_on))
        latest[key] = metric
        # Two or more answers by this one: there is a change to count in this quarter.
        counted[key] = counted.get(key, False) or answered[person_id] >= 2
    totals: dict[datetime.date, list[Decimal]] = {}
    for (person_id, quarter), metric in latest.items():
        if counted[(person_id, quarter)]:
            totals.setdefault(quarter, []).append(metric - first[person_id])
    return [
        QuarterFigure(
            quarter,
            len(changes),
            (sum(changes) / len(changes)).quantize(Decimal("0.01"), ROUND_HALF_UP),
        )
        for quarter, changes in sorted(totals.items())
    ]
