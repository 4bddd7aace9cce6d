"""Which recorded gaps an application answers (issue 9).

A gap on the care gap map (opendeal.care.gaps: people asked for a directory taxonomy term in a
neighbourhood and no active service nearby offers it) becomes a round's priority carrying the
gap (`Priority.gap_taxonomy_term`, `Priority.gap_area_code`, made by
`care.gaps.create_priorities`). An application answers a recorded gap when at least one of the
priorities it chose carries one. The round can weight that in the panel's scores
(`Round.recorded_gap_weight`, see scoring.py); every page that shows the number also says, in
words, which gap it is: "<term> in <neighbourhood>".
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from . import neighbourhoods
from .models import Application, Priority


@dataclass(frozen=True)
class RecordedGap:
    term: str
    area_code: str
    area_name: str

    def __str__(self) -> str:
        return f"{self.term} in {self.area_name}"


def area_name(code: str) -> str:
    """The neighbourhood's name: an LSOA's ("Wigan 026A") or a ward's ("Abram"); the code
    itself where the boundary files are absent."""
    return neighbourhoods.lsoa_names().get(code) or neighbourhoods.ward_name(code) or code


def of_priority(priority: Priority) -> RecordedGap | None:
    """The gap the priority carries, or None. Reads the term: select_related it for lists."""
    if priority.gap_taxonomy_term_id is None:
        return None
    return RecordedGap(
        term=priority.gap_taxonomy_term.name,
        area_code=priority.gap_area_code,
        area_name=area_name(priority.gap_area_code),
    )


def by_application(application_ids: Iterable[int]) -> dict[int, tuple[RecordedGap, ...]]:
    """The recorded gaps each application answers, in its round's order of priorities, in one
    query; applications answering none are absent."""
    rows = (
        Application.priorities.through.objects.filter(
            application_id__in=list(application_ids),
            priority__gap_taxonomy_term__isnull=False,
        )
        .order_by("application_id", "priority__position", "priority__title", "priority_id")
        .values_list(
            "application_id", "priority__gap_taxonomy_term__name", "priority__gap_area_code"
        )
    )
    found: dict[int, list[RecordedGap]] = defaultdict(list)
    for application_id, term, code in rows:
        gap = RecordedGap(term=term, area_code=code, area_name=area_name(code))
        if gap not in found[application_id]:
            found[application_id].append(gap)
    return {application_id: tuple(gaps) for application_id, gaps in found.items()}


def for_application(application: Application) -> tuple[RecordedGap, ...]:
    return by_application([application.pk]).get(application.pk, ())


def describe(gaps: Iterable[RecordedGap]) -> str:
    """ "Yes — Befriending in Wigan 026A" (several joined by semicolons), or "No"."""
    names = "; ".join(str(gap) for gap in gaps)
    return f"Yes — {names}" if names else "No"
