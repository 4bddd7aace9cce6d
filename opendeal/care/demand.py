"""The demand figures managers and the council see: how many contacts, how many ended without
formal care, how many new long-term packages per 100,000 adults, what packages cost, how
wellbeing changed, and what the difference from a baseline rate is worth.

Every figure is one aggregate SQL query (GROUP BY or conditional aggregation) over the whole
period, never a loop over rows in Python, so the page stays fast with a million contacts
(`bench/demand.py`). Figures only: nothing here names or counts a single person, and counts
under `SMALL_NUMBER` are shown as "fewer than 5" (and so is anything worked out from them).

Adults (18 and over) come from the ONS: the observatory's imported population figures when they
are there (`opendeal.observatory`, indicator "census-18-plus"), otherwise straight from the
Census 2021 file in the shared data folder, read with the observatory's own parser.
"""

import datetime
from dataclasses import dataclass, field
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
    """A count shown only when it is at least SMALL_NUMBER."""

    value: int

    @property
    def suppressed(self) -> bool:
        return self.value < SMALL_NUMBER

    def __str__(self) -> str:
        return SUPPRESSED if self.suppressed else f"{self.value:,}"


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


@dataclass(frozen=True)
class Cohort:
    """People whose first contact was in `month` and who answered SWEMWBS twice or more."""

    month: datetime.date
    people: Tally
    # Mean change from the first to the latest SWEMWBS metric score, to 0.01.
    mean_change: Decimal | None


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
    def spend_shown(self) -> bool:
        return not self.packages_in_spend.suppressed


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
        adults=adult_population(),
        months=months,
        cohorts=wellbeing_cohorts(scope, first, last) if with_series else [],
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


def wellbeing_cohorts(scope: Scope, first: datetime.date, last: datetime.date) -> list[Cohort]:
    """For people first contacted (by the scope's teams) from `first` to `last`, grouped by the
    month of that first contact: how many answered SWEMWBS twice or more, and the mean change
    from their first metric score to their latest (ties on a day: first and last recorded).
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
    sql = f"""
        WITH first_contact AS (
            SELECT person_id, MIN(first_on) AS first_on
            FROM {FirstContact._meta.db_table}
            {team_filter}
            GROUP BY person_id
            HAVING MIN(first_on) BETWEEN %s AND %s
        )
        SELECT {month} AS cohort, COUNT(*),
               SUM(CAST(ROUND(w.latest_metric_score * 100) AS INTEGER)
                   - CAST(ROUND(w.first_metric_score * 100) AS INTEGER))
        FROM first_contact f
        JOIN {WellbeingSummary._meta.db_table} w ON w.person_id = f.person_id
        WHERE w.answers >= 2
        GROUP BY {month}
        ORDER BY cohort
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first, last])
        rows = cursor.fetchall()
    cohorts = []
    for cohort, people, total in rows:
        year, month_number = (int(part) for part in cohort.split("-"))
        tally = Tally(int(people))
        mean = None
        if not tally.suppressed:
            mean = (Decimal(int(total)) / 100 / tally.value).quantize(PENNY, ROUND_HALF_UP)
        cohorts.append(Cohort(datetime.date(year, month_number, 1), tally, mean))
    return cohorts


# Before and after, and what the difference is worth ----------------------------------------


@dataclass(frozen=True)
class CostAvoided:
    """What a lower rate of new long-term packages than the baseline is worth.

    Expected packages = baseline rate a year per 100,000 adults x adults / 100,000 x the
    period's years; packages avoided = expected - those that started (negative: more than
    expected); cost avoided = packages avoided x the mean weekly cost of a long-term package x
    the weeks of care assumed for each."""

    baseline_rate: Decimal
    weeks: int
    mean_weekly_cost: Decimal
    expected_packages: Decimal
    actual_packages: Tally
    packages_avoided: Decimal
    amount: Decimal

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
) -> CostAvoided | None:
    """None when it cannot be worked out without showing a small number: no adults figure, or
    fewer than 5 new packages, or no mean weekly cost."""
    cost = mean_weekly_cost if mean_weekly_cost is not None else figures.mean_weekly_cost_long_term
    if figures.adults is None or figures.new_long_term_packages.suppressed or cost is None:
        return None
    years = Decimal(figures.days) / DAYS_IN_YEAR
    expected = baseline_rate * figures.adults.adults / PER_ADULTS * years
    avoided = expected - figures.new_long_term_packages.value
    return CostAvoided(
        baseline_rate=baseline_rate,
        weeks=weeks,
        mean_weekly_cost=cost,
        expected_packages=_rounded(expected),
        actual_packages=figures.new_long_term_packages,
        packages_avoided=_rounded(avoided),
        amount=(avoided * cost * weeks).quantize(PENNY, rounding=ROUND_HALF_UP),
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
    after uses the rate before as its baseline (what would have happened had it gone on)."""
    splits = split_on is not None and first < split_on <= last
    monthly = monthly_counts(scope, first, last, split_on if splits else None)
    whole = period_figures(scope, first, last, monthly=monthly)
    before = after = None
    if splits:
        counted_before = (
            sum(row["contacts_before"] for row in monthly),
            sum(row["without_before"] for row in monthly),
        )
        counted_after = (
            whole.contacts.value - counted_before[0],
            whole.without_formal_care.value - counted_before[1],
        )
        before = period_figures(
            scope,
            first,
            split_on - datetime.timedelta(days=1),  # type: ignore[operator]
            with_series=False,
            contact_totals=counted_before,
        )
        after = period_figures(
            scope, split_on, last, with_series=False, contact_totals=counted_after
        )
    target = after or whole
    source = "the rate you gave"
    if baseline_rate is None and before is not None:
        baseline_rate = before.long_term_per_100k_a_year
        source = "the rate before " + f"{split_on.day} {split_on:%B %Y}"  # type: ignore[union-attr]
    cost = None
    if baseline_rate is not None:
        mean = target.mean_weekly_cost_long_term or whole.mean_weekly_cost_long_term
        cost = cost_avoided(target, baseline_rate, weeks=weeks, mean_weekly_cost=mean)
    return Dashboard(scope, whole, before, after, split_on, cost, source)
