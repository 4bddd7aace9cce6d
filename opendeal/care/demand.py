"""The demand figures managers and the council see: how many contacts, how many ended without
formal care, how many new long-term packages per 100,000 adults, what packages cost, how
wellbeing changed, and what the difference from a baseline rate is worth.

Every figure is one aggregate SQL query (GROUP BY or conditional aggregation) over the whole
period, never a loop over rows in Python, so the page stays fast with a million contacts
(`bench/demand.py`). Figures only: nothing here names or counts a single person, and counts
under `SMALL_NUMBER` are shown as "fewer than 5" (and so is anything worked out from them), and
on the page (`dashboard`) a count that would let a hidden one be worked out by subtraction is
hidden too ("not shown": secondary suppression, `care.disclosure`). No role sees exact small
numbers here: every figure goes through `Tally`.

Rates per 100,000 adults, and the cost avoided against a baseline rate, are for the whole
council only: the adults are the borough's, not a team's caseload. A team's figures are its own
counts, compared only with its own earlier period (before and after a chosen date).

Adults (18 and over) come from the ONS: the observatory's imported population figures when they
are there (`opendeal.observatory`, indicator "census-18-plus"), otherwise straight from the
Census 2021 file in the shared data folder, read with the observatory's own parser.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round

from .disclosure import Addition, complementary
from .models import (
    OUTCOMES_WITHOUT_FORMAL_CARE,
    Conversation,
    FirstContact,
    PackageKind,
    SupportPackage,
    WellbeingSummary,
)

SMALL_NUMBER = 5
SUPPRESSED = "fewer than 5"
# A count hidden only so that a small one beside it cannot be worked out by subtraction.
NOT_SHOWN = "not shown"
PENNY = Decimal("0.01")
DAYS_IN_YEAR = Decimal("365.25")
PER_ADULTS = 100_000
# The cost-avoided estimate's defaults (both are inputs on the page).
DEFAULT_WEEKS_OF_CARE = 52
CENSUS_FILE = "observatory/population/census2021_ts007_age_by_single_year_lad.csv"
CENSUS_ADULTS_INDICATOR = "census-18-plus"


# Small numbers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """A count shown only when it is at least SMALL_NUMBER, and not `hidden` (secondary
    suppression: hidden so that a small count cannot be worked out from it)."""

    value: int
    hidden: bool = False

    @property
    def suppressed(self) -> bool:
        return self.hidden or self.value < SMALL_NUMBER

    def __str__(self) -> str:
        if self.value < SMALL_NUMBER:
            return SUPPRESSED
        return NOT_SHOWN if self.hidden else f"{self.value:,}"


def _rounded(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


# The people the figures are about ----------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose contacts: some teams (by primary key), or the whole council (`team_ids` None)."""

    label: str
    team_ids: tuple[int, ...] | None = None

    def filter(self, queryset: QuerySet, team_field: str = "team_id") -> QuerySet:
        if self.team_ids is None:
            return queryset
        return queryset.filter(**{f"{team_field}__in": self.team_ids})


# Adults in the borough ---------------------------------------------------------------------


@dataclass(frozen=True)
class AdultPopulation:
    adults: int
    # Where the figure comes from, in words for the page.
    source: str
    area_code: str


def adult_population() -> AdultPopulation | None:
    """Usual residents aged 18 and over in the council's area at Census 2021 (21 March 2021):
    the most recent count from the ONS in the shared data (the mid-year estimates there end at
    mid-2020 and were made before the census). None when neither the observatory's table nor
    the file has the council's area."""
    code = settings.OPENDEAL_COUNCIL["gss_code"]
    from_table = _adults_from_observatory(code)
    if from_table is not None:
        return from_table
    return _adults_from_census_file(code)


def _adults_from_observatory(code: str) -> AdultPopulation | None:
    from opendeal.observatory.models import Observation, Source

    value = (
        Observation.objects.filter(
            release__indicator__source=Source.POPULATION,
            release__indicator__code=CENSUS_ADULTS_INDICATOR,
            area__code=code,
            sex="Persons",
            period_sortable=20210000,
        )
        .order_by("-release__imported_at")
        .values_list("value", flat=True)
        .first()
    )
    if value is None:
        return None
    return AdultPopulation(
        int(value), "ONS Census 2021, table TS007 (from the observatory's population figures)", code
    )


@cache
def _adults_from_census_file(code: str) -> AdultPopulation | None:
    from opendeal.observatory.importers.base import ParsedFigure
    from opendeal.observatory.importers.population import read_census

    path = Path(settings.OPENDEAL_DATA_DIR) / CENSUS_FILE
    if not path.is_file():
        return None
    for item in read_census(path):
        if (
            isinstance(item, ParsedFigure)
            and item.area_code == code
            and item.indicator.code == CENSUS_ADULTS_INDICATOR
        ):
            return AdultPopulation(
                int(item.value), f"ONS Census 2021, table TS007 ({path.name})", code
            )
    return None


# The figures for one period ----------------------------------------------------------------


@dataclass(frozen=True)
class MonthOfContacts:
    month: datetime.date
    contacts: Tally
    without_formal_care: Tally

    @property
    def share_without_formal_care(self) -> Decimal | None:
        return _share(self.without_formal_care, self.contacts)


def _mean_change(people: Tally, hundredths: int) -> Decimal | None:
    """The mean change in metric points, to 0.01, unless the people are too few to show."""
    if people.suppressed or not people.value:
        return None
    return (Decimal(hundredths) / 100 / people.value).quantize(PENNY, ROUND_HALF_UP)


@dataclass(frozen=True)
class WellbeingChange:
    """People (first contacted in a period) who answered SWEMWBS twice or more, and the sum of
    their changes from the first to the latest metric score, in hundredths of a point (never
    shown: only the mean is, and only when the people are shown)."""

    people: Tally
    change_hundredths: int

    @property
    def mean_change(self) -> Decimal | None:
        return _mean_change(self.people, self.change_hundredths)


@dataclass(frozen=True)
class Cohort:
    """People whose first contact was in `month` and who answered SWEMWBS twice or more.
    `people_before` and `change_before` are the part of them first contacted before the date
    compared at (all of them when there is none): used to add up before and after, never
    shown."""

    month: datetime.date
    people: Tally
    change_hundredths: int = 0
    people_before: int = 0
    change_before: int = 0

    @property
    def mean_change(self) -> Decimal | None:
        """Mean change from the first to the latest SWEMWBS metric score, to 0.01."""
        return _mean_change(self.people, self.change_hundredths)


@dataclass(frozen=True)
class PeriodFigures:
    first: datetime.date
    last: datetime.date
    contacts: Tally
    without_formal_care: Tally
    new_long_term_packages: Tally
    # Pence-exact: every package's weekly cost x the weeks of the period it was provided.
    package_spend: Decimal
    packages_in_spend: Tally
    # The mean weekly cost of the long-term packages that started in the period.
    mean_weekly_cost_long_term: Decimal | None
    adults: AdultPopulation | None
    months: list[MonthOfContacts] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    # Before and after a date: the wellbeing change of the people first contacted in the period.
    wellbeing: WellbeingChange | None = None
    # Hidden so that spend on fewer than 5 packages cannot be worked out by subtraction.
    spend_hidden: bool = False

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def share_without_formal_care(self) -> Decimal | None:
        return _share(self.without_formal_care, self.contacts)

    @property
    def long_term_per_100k(self) -> Decimal | None:
        """New long-term packages per 100,000 adults over the period."""
        if self.adults is None or self.new_long_term_packages.suppressed:
            return None
        return _rounded(
            Decimal(self.new_long_term_packages.value * PER_ADULTS) / self.adults.adults
        )

    @property
    def long_term_per_100k_a_year(self) -> Decimal | None:
        """The same, as a rate a year (so periods of different lengths compare)."""
        if self.adults is None or self.new_long_term_packages.suppressed:
            return None
        return _rounded(
            Decimal(self.new_long_term_packages.value * PER_ADULTS)
            / self.adults.adults
            * DAYS_IN_YEAR
            / self.days
        )

    @property
    def long_term_a_year(self) -> Decimal | None:
        """New long-term packages a year (not per adults): how a team compares its periods."""
        if self.new_long_term_packages.suppressed:
            return None
        return _rounded(Decimal(self.new_long_term_packages.value) * DAYS_IN_YEAR / self.days)

    @property
    def spend_shown(self) -> bool:
        return not self.packages_in_spend.suppressed and not self.spend_hidden


def _share(part: Tally, whole: Tally) -> Decimal | None:
    """A percentage to 0.1, unless either count is too small to show."""
    if part.suppressed or whole.suppressed or not whole.value:
        return None
    return _rounded(Decimal(part.value * 100) / whole.value)


class DaysBetween(Func):
    """Whole days from `start` to `end` (dates): end - start."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"({end_sql} - {start_sql})", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return (
            f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)",
            [*end_params, *start_params],
        )


class MonthOf(Func):
    """The first day of a date's month. Django's TruncMonth calls a Python function for every
    row on SQLite; this is plain SQL on both databases."""

    arity = 1
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(DATE_TRUNC('month', {sql}) AS date)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(substr({sql}, 1, 7) || '-01')", params


def period_figures(
    scope: Scope,
    first: datetime.date,
    last: datetime.date,
    *,
    with_series: bool = True,
    contact_totals: tuple[int, int] | None = None,
    monthly: list[dict] | None = None,
    split_on: datetime.date | None = None,
) -> PeriodFigures:
    """The demand figures for contacts and packages from `first` to `last` (both included).
    With the series, the period's totals are the sums of its months (one scan of the
    contacts); `contact_totals` (contacts, without formal care) saves counting them again."""
    months = []
    if with_series:
        rows = monthly if monthly is not None else monthly_counts(scope, first, last)
        months = _months(rows)
        contact_totals = (
            sum(row["contacts"] for row in rows),
            sum(row["without"] for row in rows),
        )
    if contact_totals is None:
        totals = scope.filter(Conversation.objects.filter(held_on__range=(first, last))).aggregate(
            contacts=Count("pk"),
            without=Count("pk", filter=Q(outcome__in=OUTCOMES_WITHOUT_FORMAL_CARE)),
        )
        contact_totals = (totals["contacts"], totals["without"])
    packages = package_figures(scope, first, last)
    return PeriodFigures(
        first=first,
        last=last,
        contacts=Tally(contact_totals[0]),
        without_formal_care=Tally(contact_totals[1]),
        new_long_term_packages=Tally(packages["new_long_term"]),
        package_spend=packages["spend"],
        packages_in_spend=Tally(packages["in_spend"]),
        mean_weekly_cost_long_term=packages["mean_weekly_cost"],
        adults=adult_population() if scope.team_ids is None else None,
        months=months,
        cohorts=wellbeing_cohorts(scope, first, last, split_on) if with_series else [],
    )


def monthly_counts(
    scope: Scope,
    first: datetime.date,
    last: datetime.date,
    split_on: datetime.date | None = None,
) -> list[dict]:
    """Contacts and those without formal care by month, in one GROUP BY; with `split_on`,
    also those before it (conditional aggregation), so before and after need no more scans."""
    without = Q(outcome__in=OUTCOMES_WITHOUT_FORMAL_CARE)
    counts = {"contacts": Count("pk"), "without": Count("pk", filter=without)}
    if split_on is not None:
        before = Q(held_on__lt=split_on)
        counts["contacts_before"] = Count("pk", filter=before)
        counts["without_before"] = Count("pk", filter=before & without)
    return list(
        scope.filter(Conversation.objects.filter(held_on__range=(first, last)))
        .annotate(month=MonthOf("held_on"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    )


def contacts_by_month(
    scope: Scope, first: datetime.date, last: datetime.date
) -> list[MonthOfContacts]:
    return _months(monthly_counts(scope, first, last))


def _months(rows: list[dict]) -> list[MonthOfContacts]:
    return [
        MonthOfContacts(_as_date(row["month"]), Tally(row["contacts"]), Tally(row["without"]))
        for row in rows
    ]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def package_figures(scope: Scope, first: datetime.date, last: datetime.date) -> dict:
    """In one query: long-term packages started in the period (with the pence of their weekly
    costs, for the mean), and spend on every package over the days of the period it covers."""
    overlapping = Q(starts_on__lte=last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=first))
    started = Q(kind=PackageKind.LONG_TERM, starts_on__range=(first, last))
    # Pence as whole numbers, so the sums are exact on SQLite (which keeps decimals as floats).
    pence = Cast(Round(F("weekly_cost") * 100), BigIntegerField())
    days = (
        DaysBetween(
            Least(Coalesce("ends_on", Value(last)), Value(last)),
            Greatest("starts_on", Value(first)),
        )
        + 1
    )
    row = scope.filter(SupportPackage.objects.filter(overlapping | started)).aggregate(
        new_long_term=Count("pk", filter=started),
        long_term_pence=Sum(pence, filter=started),
        in_spend=Count("pk", filter=overlapping),
        pence_days=Sum(pence * days, filter=overlapping, output_field=BigIntegerField()),
    )
    new_long_term = row["new_long_term"] or 0
    mean = None
    if new_long_term:
        mean = (Decimal(row["long_term_pence"]) / 100 / new_long_term).quantize(PENNY)
    spend = (Decimal(row["pence_days"] or 0) / 700).quantize(PENNY, rounding=ROUND_HALF_UP)
    return {
        "new_long_term": new_long_term,
        "mean_weekly_cost": mean,
        "in_spend": row["in_spend"] or 0,
        "spend": spend,
    }


def wellbeing_cohorts(
    scope: Scope,
    first: datetime.date,
    last: datetime.date,
    split_on: datetime.date | None = None,
) -> list[Cohort]:
    """For people first contacted (by the scope's teams) from `first` to `last`, grouped by the
    month of that first contact: how many answered SWEMWBS twice or more, and the mean change
    from their first metric score to their latest (ties on a day: first and last recorded).
    With `split_on`, each month also counts those first contacted before it (conditional
    aggregation, so before and after need no other query).
    Read from the per-person summaries (`care.summaries`), not from every contact and answer."""
    team_filter, params = "", []
    if scope.team_ids is not None:
        if not scope.team_ids:
            return []
        team_filter = f"WHERE team_id IN ({', '.join(['%s'] * len(scope.team_ids))})"
        params = list(scope.team_ids)
    month = (
        "strftime('%%Y-%%m', first_on)"
        if connection.vendor == "sqlite"
        else "to_char(first_on, 'YYYY-MM')"
    )
    change = (
        "(CAST(ROUND(w.latest_metric_score * 100) AS INTEGER)"
        " - CAST(ROUND(w.first_metric_score * 100) AS INTEGER))"
    )
    sql = f"""
        WITH first_contact AS (
            SELECT person_id, MIN(first_on) AS first_on
            FROM {FirstContact._meta.db_table}
            {team_filter}
            GROUP BY person_id
            HAVING MIN(first_on) BETWEEN %s AND %s
        )
        SELECT {month} AS cohort, COUNT(*), SUM({change}),
               SUM(CASE WHEN f.first_on < %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.first_on < %s THEN {change} ELSE 0 END)
        FROM first_contact f
        JOIN {WellbeingSummary._meta.db_table} w ON w.person_id = f.person_id
        WHERE w.answers >= 2
        GROUP BY {month}
        ORDER BY cohort
    """
    before = split_on or last + datetime.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first, last, before, before])
        rows = cursor.fetchall()
    cohorts = []
    for cohort, people, total, people_before, total_before in rows:
        year, month_number = (int(part) for part in cohort.split("-"))
        cohorts.append(
            Cohort(
                datetime.date(year, month_number, 1),
                Tally(int(people)),
                change_hundredths=int(total or 0),
                people_before=int(people_before or 0),
                change_before=int(total_before or 0),
            )
        )
    return cohorts


# Before and after, and what the difference is worth ----------------------------------------


@dataclass(frozen=True)
class CostAvoided:
    """What a lower rate of new long-term packages than the baseline is worth.

    The whole council (`per_adults`): expected packages = baseline rate a year per 100,000
    adults x adults / 100,000 x the period's years. A team (not `per_adults`): expected
    packages = the team's own new packages a year before the date compared at x the years after
    it. Then packages avoided = expected - those that started (negative: more than expected);
    cost avoided = packages avoided x the mean weekly cost of a long-term package x the weeks
    of care assumed for each."""

    baseline_rate: Decimal
    weeks: int
    mean_weekly_cost: Decimal
    expected_packages: Decimal
    actual_packages: Tally
    packages_avoided: Decimal
    amount: Decimal
    per_adults: bool = True

    @property
    def is_saving(self) -> bool:
        return self.amount >= 0

    @property
    def magnitude(self) -> Decimal:
        return abs(self.amount)


def cost_avoided(
    figures: PeriodFigures,
    baseline_rate: Decimal,
    *,
    weeks: int = DEFAULT_WEEKS_OF_CARE,
    mean_weekly_cost: Decimal | None = None,
    per_adults: bool = True,
) -> CostAvoided | None:
    """None when it cannot be worked out without showing a small number: no adults figure (for
    a rate per adults), or fewer than 5 new packages (or their count hidden), or no mean
    weekly cost. Without `per_adults` the baseline is new packages a year, not per adults."""
    cost = mean_weekly_cost if mean_weekly_cost is not None else figures.mean_weekly_cost_long_term
    if figures.new_long_term_packages.suppressed or cost is None:
        return None
    if per_adults and figures.adults is None:
        return None
    years = Decimal(figures.days) / DAYS_IN_YEAR
    if per_adults:
        expected = baseline_rate * figures.adults.adults / PER_ADULTS * years  # type: ignore[union-attr]
    else:
        expected = baseline_rate * years
    avoided = expected - figures.new_long_term_packages.value
    return CostAvoided(
        baseline_rate=baseline_rate,
        weeks=weeks,
        mean_weekly_cost=cost,
        expected_packages=_rounded(expected),
        actual_packages=figures.new_long_term_packages,
        packages_avoided=_rounded(avoided),
        amount=(avoided * cost * weeks).quantize(PENNY, rounding=ROUND_HALF_UP),
        per_adults=per_adults,
    )


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    whole: PeriodFigures
    before: PeriodFigures | None
    after: PeriodFigures | None
    split_on: datetime.date | None
    cost: CostAvoided | None
    # Where the baseline rate came from, in words.
    baseline_source: str

    @property
    def is_team(self) -> bool:
        """A team's figures: its own counts, compared only with its own earlier period."""
        return self.scope.team_ids is not None


def dashboard(
    scope: Scope,
    first: datetime.date,
    last: datetime.date,
    *,
    split_on: datetime.date | None = None,
    baseline_rate: Decimal | None = None,
    weeks: int = DEFAULT_WEEKS_OF_CARE,
) -> Dashboard:
    """Every figure for the page. With `split_on`, the period is also shown before it (`first`
    to the day before) and from it on; without a `baseline_rate` the cost avoided in the period
    after uses the rate before as its baseline (what would have happened had it gone on).

    For a team the figures are its own counts: no rate per 100,000 adults (the adults are the
    borough's), and `baseline_rate` (a rate per adults) is not used; the cost avoided is only
    ever against the team's own new packages a year before `split_on`.

    Counts that would let a hidden small count be worked out by subtraction are hidden too
    (`protect`)."""
    splits = split_on is not None and first < split_on <= last
    split = split_on if splits else None
    monthly = monthly_counts(scope, first, last, split)
    whole = period_figures(scope, first, last, monthly=monthly, split_on=split)
    before = after = None
    if split is not None:
        counted_before = (
            sum(row["contacts_before"] for row in monthly),
            sum(row["without_before"] for row in monthly),
        )
        counted_after = (
            whole.contacts.value - counted_before[0],
            whole.without_formal_care.value - counted_before[1],
        )
        people_before = sum(cohort.people_before for cohort in whole.cohorts)
        change_before = sum(cohort.change_before for cohort in whole.cohorts)
        before = replace(
            period_figures(
                scope,
                first,
                split - datetime.timedelta(days=1),
                with_series=False,
                contact_totals=counted_before,
            ),
            wellbeing=WellbeingChange(Tally(people_before), change_before),
        )
        after = replace(
            period_figures(scope, split, last, with_series=False, contact_totals=counted_after),
            wellbeing=WellbeingChange(
                Tally(sum(cohort.people.value for cohort in whole.cohorts) - people_before),
                sum(cohort.change_hundredths for cohort in whole.cohorts) - change_before,
            ),
        )
    whole, before, after = protect(whole, before, after, monthly, split)
    target = after or whole
    per_adults = scope.team_ids is None
    source = "the rate you gave"
    if not per_adults:
        # A team against its own earlier period only, never a borough-wide rate.
        baseline_rate, source = None, ""
        if before is not None:
            baseline_rate = before.long_term_a_year
            source = "the team’s own rate before " + f"{split.day} {split:%B %Y}"  # type: ignore[union-attr]
    elif baseline_rate is None and before is not None:
        baseline_rate = before.long_term_per_100k_a_year
        source = "the rate before " + f"{split.day} {split:%B %Y}"  # type: ignore[union-attr]
    cost = None
    if baseline_rate is not None:
        mean = target.mean_weekly_cost_long_term or whole.mean_weekly_cost_long_term
        cost = cost_avoided(
            target, baseline_rate, weeks=weeks, mean_weekly_cost=mean, per_adults=per_adults
        )
    return Dashboard(scope, whole, before, after, split, cost, source)


# Secondary suppression ---------------------------------------------------------------------


def protect(
    whole: PeriodFigures,
    before: PeriodFigures | None,
    after: PeriodFigures | None,
    monthly: list[dict],
    split_on: datetime.date | None,
) -> tuple[PeriodFigures, PeriodFigures | None, PeriodFigures | None]:
    """The figures with every count hidden that would let a count under SMALL_NUMBER be
    worked out by subtraction (`care.disclosure.complementary`): months add up to the period,
    before and after add up to the whole (and the month of the date compared at is split
    between them, a part never shown), and the same for wellbeing cohorts, new long-term
    packages and spend (sensitive when it is on fewer than 5 packages)."""
    values: dict = {}
    shown: set = set()
    additions: list[Addition] = []

    def cell(key, value: int, on_page: bool = True) -> None:
        values[key] = value
        if on_page:
            shown.add(key)

    periods = {"whole": whole}
    if before is not None and after is not None:
        periods.update(before=before, after=after)
    for name, figures in periods.items():
        cell(("contacts", name), figures.contacts.value)
        cell(("without", name), figures.without_formal_care.value)
        cell(("long_term", name), figures.new_long_term_packages.value)
        cell(("spend", name), figures.packages_in_spend.value)
        if figures.wellbeing is not None:
            cell(("people", name), figures.wellbeing.people.value)
    split_month = split_on.replace(day=1) if split_on and split_on.day != 1 else None
    series = {
        "contacts": [(_as_date(row["month"]), row["contacts"], row.get("contacts_before")) for row in monthly],
        "without": [(_as_date(row["month"]), row["without"], row.get("without_before")) for row in monthly],
        "people": [(c.month, c.people.value, c.people_before) for c in whole.cohorts],
    }  # fmt: skip
    if before is not None:
        cell(("people", "whole"), sum(value for _, value, _ in series["people"]), on_page=False)
    for measure, months in series.items():
        additions.append(Addition((measure, "whole"), tuple((measure, m) for m, _, _ in months)))
        for month, value, _ in months:
            cell((measure, month), value)
        if before is None or split_on is None:
            continue
        before_parts, after_parts = [], []
        for month, value, value_before in months:
            if month == split_month:
                parts = ((measure, month, "before"), (measure, month, "after"))
                cell(parts[0], value_before or 0, on_page=False)
                cell(parts[1], value - (value_before or 0), on_page=False)
                additions.append(Addition((measure, month), parts))
                before_parts.append(parts[0])
                after_parts.append(parts[1])
            else:
                (before_parts if month < split_on else after_parts).append((measure, month))
        additions += [
            Addition((measure, "whole"), ((measure, "before"), (measure, "after"))),
            Addition((measure, "before"), tuple(before_parts)),
            Addition((measure, "after"), tuple(after_parts)),
        ]
    if before is not None:
        for measure in ("long_term", "spend"):
            additions.append(
                Addition((measure, "whole"), ((measure, "before"), (measure, "after")))
            )
    hide = complementary(values, shown, additions, SMALL_NUMBER)
    if not hide:
        return whole, before, after

    def hidden(tally: Tally, key) -> Tally:
        return replace(tally, hidden=True) if key in hide else tally

    def protected(figures: PeriodFigures | None, name: str) -> PeriodFigures | None:
        if figures is None:
            return None
        changes = {
            "contacts": hidden(figures.contacts, ("contacts", name)),
            "without_formal_care": hidden(figures.without_formal_care, ("without", name)),
            "new_long_term_packages": hidden(figures.new_long_term_packages, ("long_term", name)),
            "spend_hidden": figures.spend_hidden or ("spend", name) in hide,
            "months": [
                replace(
                    month,
                    contacts=hidden(month.contacts, ("contacts", month.month)),
                    without_formal_care=hidden(month.without_formal_care, ("without", month.month)),
                )
                for month in figures.months
            ],
            "cohorts": [
                replace(cohort, people=hidden(cohort.people, ("people", cohort.month)))
                for cohort in figures.cohorts
            ],
        }
        if figures.wellbeing is not None:
            changes["wellbeing"] = replace(
                figures.wellbeing, people=hidden(figures.wellbeing.people, ("people", name))
            )
        return replace(figures, **changes)

    return protected(whole, "whole"), protected(before, "before"), protected(after, "after")  # type: ignore[return-value]
