"""Reads for the public page of awarded grants: totals by financial year, priority and ward,
the list of grants, and one grant's public facts. Only what 360Giving publishes is shown:
never an applicant's people, budget, documents or scores.

Also what a grant achieved, for its public page and its staff page: the monitoring reports'
totals (`grant_outcomes`), and the people care practitioners connected to the project's
directory service, who took part and their change in wellbeing (`grant_care_outcomes`, issue
9). Those are counts of people, never names; public pages show fewer than 5 as "fewer than 5"
and no mean from fewer than 5 people (`care_figures`)."""

import dataclasses
import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from opendeal.care.demand import SMALL_NUMBER, Tally
from opendeal.care.outcomes import ServiceOutcomes, outcomes_for_services
from opendeal.directory.models import Service
from opendeal.directory.service_pages import PUBLIC_STATUSES
from opendeal.fund import neighbourhoods
from opendeal.fund.models import Application, Grant

NO_WARD = "No ward recorded"


@dataclass(frozen=True)
class Total:
    label: str
    grants: int
    amount: Decimal
    # The ward's or priority's own key, where it has one (for links and the map).
    key: str = ""


@dataclass(frozen=True)
class GrantTotals:
    grants: int
    amount: Decimal
    by_year: list[Total]
    by_priority: list[Total]
    by_ward: list[Total]


def financial_year(day: datetime.date) -> str:
    """The UK financial year (1 April to 31 March) a day falls in: 1 May 2024 is in 2024 to 25."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}–{(start + 1) % 100:02d}"


def awarded_grants() -> QuerySet[Grant]:
    return Grant.objects.all()


def grant_totals() -> GrantTotals:
    """Every total on the page, in four grouped queries (however many grants there are)."""
    grants = awarded_grants()
    overall = grants.aggregate(count=Count("pk"), amount=Sum("amount_awarded"))
    return GrantTotals(
        grants=overall["count"],
        amount=overall["amount"] or Decimal("0"),
        by_year=_by_year(grants),
        by_priority=_by_priority(grants),
        by_ward=_by_ward(grants),
    )


def _by_year(grants: QuerySet[Grant]) -> list[Total]:
    months = (
        grants.annotate(year=ExtractYear("awarded_on"), month=ExtractMonth("awarded_on"))
        .values("year", "month")
        .annotate(count=Count("pk"), amount=Sum("amount_awarded"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for row in months:
        label = financial_year(datetime.date(row["year"], row["month"], 1))
        counts[label] += row["count"]
        amounts[label] += row["amount"]
    return [Total(label, counts[label], amounts[label], key=label) for label in sorted(counts)]


def _by_priority(grants: QuerySet[Grant]) -> list[Total]:
    """A grant serving two priorities counts under each: these totals add up to more than
    the whole."""
    rows = (
        Application.priorities.through.objects.filter(application__grant__in=grants)
        .values("priority__title")
        .annotate(count=Count("application_id"), amount=Sum("application__grant__amount_awarded"))
        .order_by("-amount", "priority__title")
    )
    return [Total(row["priority__title"], row["count"], row["amount"]) for row in rows]


def _by_ward(grants: QuerySet[Grant]) -> list[Total]:
    rows = (
        grants.values("application__ward_code")
        .annotate(count=Count("pk"), amount=Sum("amount_awarded"))
        .order_by("-amount", "application__ward_code")
    )
    totals = []
    for row in rows:
        code = row["application__ward_code"]
        label = (neighbourhoods.ward_name(code) or code) if code else NO_WARD
        totals.append(Total(label, row["count"], row["amount"], key=code))
    return totals


def grant_list() -> QuerySet[Grant]:
    """Every grant for the list, newest award first, with what the list shows."""
    return (
        awarded_grants()
        .select_related("application__organisation", "application__round__fund")
        .only(
            "public_id",
            "amount_awarded",
            "awarded_on",
            "application__project_title",
            "application__ward_code",
            "application__organisation__name",
            "application__round__title",
            "application__round__fund__name",
        )
        .order_by("-awarded_on", "-pk")
    )


@dataclass(frozen=True)
class PublicGrant:
    """One grant's public facts: what its 360Giving record says, readably."""

    grant: Grant
    title: str
    summary: str
    organisation_name: str
    organisation_id: str
    fund_name: str
    round_title: str
    ward_name: str
    lsoa_name: str
    priorities: list[str]
    outcomes: "Outcomes"
    # None: the project is not (yet) a service in the directory.
    care: "CareFigures | None"
    # The project's directory listing, when the public may see it.
    listing_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Outcomes:
    """What the project's submitted monitoring reports add up to (none: nothing reported)."""

    reports: int
    people_reached: int | None
    volunteers: int | None
    activities: int | None


def grant_outcomes(grant: Grant) -> Outcomes:
    totals = grant.monitoring_reports.filter(submitted_at__isnull=False).aggregate(
        reports=Count("pk"),
        people_reached=Sum("people_reached"),
        volunteers=Sum("volunteers"),
        activities=Sum("activities"),
    )
    return Outcomes(**totals)


def public_grant(public_id: uuid.UUID) -> PublicGrant:
    grant = get_object_or_404(
        Grant.objects.select_related("application__organisation", "application__round__fund"),
        public_id=public_id,
    )
    application = grant.application
    ward = application.ward_code
    lsoa = application.lsoa21_code
    return PublicGrant(
        grant=grant,
        title=application.project_title or f"Grant to {application.organisation.name}",
        summary=application.summary,
        organisation_name=application.organisation.name,
        organisation_id=application.organisation.org_id,
        fund_name=application.round.fund.name,
        round_title=application.round.title,
        ward_name=(neighbourhoods.ward_name(ward) or ward) if ward else "",
        lsoa_name=neighbourhoods.lsoa_names().get(lsoa, lsoa) if lsoa else "",
        outcomes=grant_outcomes(grant),
        care=care_figures(grant_care_outcomes(grant), exact=False),
        listing_id=_public_listing_id(grant),
        priorities=list(
            application.priorities.order_by("position", "title").values_list("title", flat=True)
        ),
    )


def _public_listing_id(grant: Grant) -> uuid.UUID | None:
    if grant.directory_service_id is None:
        return None
    listed = Service.objects.filter(id=grant.directory_service_id, status__in=PUBLIC_STATUSES)
    return grant.directory_service_id if listed.exists() else None


# People connected to the funded project by care practitioners


@dataclass(frozen=True)
class CareOutcomes(ServiceOutcomes):
    """Exact counts of the people connected to the grant's directory service from `since` to
    `until` (people with wellbeing: a SWEMWBS answer both before and after being connected)."""

    since: datetime.date
    until: datetime.date


def care_outcomes_since(grant: Grant) -> datetime.date:
    """The day a grant's care outcomes count from: the award. The project becomes a directory
    service only after it is awarded and practitioners may connect people as soon as it is
    listed, often before the planned start (which would drop them) and before the agreement
    is accepted (paperwork, not delivery). Counting from the award still leaves out people
    connected to the service before this grant funded it (a service funded again)."""
    return grant.awarded_on


def grant_care_outcomes(grant: Grant) -> CareOutcomes | None:
    """The grant's connections, attendance and wellbeing change; None while the project has
    not been published as a directory service (no one can be connected to it)."""
    if grant.directory_service_id is None:
        return None
    since = care_outcomes_since(grant)
    # People connected after the planned end count for whatever funds the service then (its
    # next grant, or the project on its own after the taper), not for this grant.
    until = grant.planned_end
    found = outcomes_for_services([grant.directory_service_id], since=since, until=until)
    return CareOutcomes(**dataclasses.asdict(found), since=since, until=until)


@dataclass(frozen=True)
class CareFigures:
    """Care outcomes as a page shows them. Counts are text: exact, or "fewer than 5"."""

    since: datetime.date
    until: datetime.date
    # The planned end has passed, so the figures are final.
    ended: bool
    exact: bool
    people_connected: str
    people_attended: str
    people_with_wellbeing: str
    # Signed, e.g. "+3.93"; empty when there is no mean or it is withheld.
    mean_wellbeing_change: str
    # True on public pages when fewer than SMALL_NUMBER people have a change (none included,
    # so that the page does not tell 0 from 1 to 4): no mean is shown.
    wellbeing_withheld: bool


def care_figures(outcomes: CareOutcomes | None, *, exact: bool) -> CareFigures | None:
    """`exact` for fund officers; otherwise counts under SMALL_NUMBER are "fewer than 5" and
    a mean from fewer than SMALL_NUMBER people is withheld (a mean of one is their score)."""
    if outcomes is None:
        return None

    def count(value: int) -> str:
        return f"{value:,}" if exact else str(Tally(value))

    mean = outcomes.mean_wellbeing_change
    withheld = not exact and outcomes.people_with_wellbeing < SMALL_NUMBER
    return CareFigures(
        since=outcomes.since,
        until=outcomes.until,
        ended=outcomes.until < timezone.localdate(),
        exact=exact,
        people_connected=count(outcomes.people_connected),
        people_attended=count(outcomes.people_attended),
        people_with_wellbeing=count(outcomes.people_with_wellbeing),
        mean_wellbeing_change="" if mean is None or withheld else f"{mean:+.2f}",
        wellbeing_withheld=withheld,
    )
