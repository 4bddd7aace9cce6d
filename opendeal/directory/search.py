"""Searching the directory's services: keywords, category, place, opening times, cost, age and
access, combined with AND, for the public search pages and the Open Referral UK API alike.

Order: by distance when a place is given (ties by rank, then name); else by rank when there are
keywords; else by name.

Keywords are full-text searched and ranked: `websearch_to_tsquery` and `ts_rank` over a GIN
index on PostgreSQL, FTS5 and bm25 on SQLite (see `fulltext.py`). Both read the same syntax:
words (all must match, stemmed: "walks" finds "walking"), "quoted phrases", `or`, `-exclude`.

A place (`near`, `within_metres`) is searched through a latitude/longitude bounding box on
indexed columns, then exact great-circle distances; a service's distance is that of its
nearest location, and a service with no located location has none (it is left out when
`within_metres` is given, and listed last otherwise).

Filters follow the Open Referral UK profile where it defines them:
- `minimum_age`: services whose minimum age is at least this; `maximum_age`: whose maximum age
  is at most this (services that give no such age are left out). `age` (ours) is what a
  resident means: services that accept someone of that age (no limit given counts as no limit).
- `day`, `start_time`, `end_time`: a weekly schedule (RRULE `FREQ=WEEKLY`) on that day that
  opens at or after `start_time` and closes at or before `end_time`, all on the same schedule.
  `open_at` (ours) instead asks for a session open at that time; `on_date` keeps only schedules
  valid on that date. `open_now_query` sets both for "open now" in Europe/London. A session
  whose closing time is at or before its opening time runs past midnight: Monday 22:00 to 02:00
  is open on Monday from 22:00 and on Tuesday until 02:00 (valid on the Monday it started). A
  schedule counts when it belongs to the service or to one of its service-at-locations.
- `free_only`: services known to be free, by the rule the service page shows "Free" by
  (`costs.py`): at least one cost option, and every cost option's amount is 0.
- `taxonomy_term_ids`: services tagged (through `Attribute`) with any of the terms or any term
  below them in their taxonomy's hierarchy; `taxonomy_id`: with any term of that taxonomy.
- `accessibility`: services at a location whose accessibility description, details or
  accessibility text contains these words (case-insensitive).
- `modified_after`: changed in the directory on or after this moment.
"""

import datetime
import math
import re
import uuid
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import BooleanField, Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from opendeal.geography.geocoding import EARTH_RADIUS_METRES, bounding_box, distance_metres

from .costs import free_services
from .fulltext import SEARCH_CONFIG, SERVICE_DOCUMENT, SQLITE_TABLE
from .models import (
    Accessibility,
    Attribute,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

# RRULE weekday codes, Monday first (as datetime.weekday() counts).
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LONDON = ZoneInfo("Europe/London")
# bm25 column weights on SQLite, in the ratio of ts_rank's default weights for A and B (1.0, 0.4).
SQLITE_NAME_WEIGHT, SQLITE_DESCRIPTION_WEIGHT = 2.5, 1.0
# The furthest page anyone may ask for: beyond it the offset (page - 1) * per_page can overflow
# the databases' 64-bit OFFSET. A million pages of even one result is more than the directory holds.
MAX_PAGE = 1_000_000
# Widen the bounding box a little: DecimalField rounds its bounds to 9 significant digits.
BOX_MARGIN_DEGREES = 1e-5
# The database's float arithmetic may differ from Python's in the last digits; the exact test
# against the radius is geocoding.distance_metres.
SQL_DISTANCE_TOLERANCE_METRES = 1.0


@dataclass(frozen=True)
class ServiceQuery:
    """What to search for. Every given criterion must hold (AND). Raises ValueError when a
    value is out of range, so callers can say which."""

    text: str = ""
    taxonomy_term_ids: tuple[uuid.UUID, ...] = ()
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    near: tuple[float, float] | None = None  # (latitude, longitude)
    within_metres: int | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    day: str | None = None  # RRULE weekday code, "MO" … "SU"
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    free_only: bool = False
    accessibility: str = ""
    modified_after: datetime.datetime | None = None
    statuses: tuple[str, ...] = ("active",)
    # Ours, beyond the Open Referral UK parameters (see the module's docstring).
    age: int | None = None
    open_at: datetime.time | None = None
    on_date: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.day not in DAY_CODES:
            raise ValueError(f"day must be one of {', '.join(DAY_CODES)}")
        if self.within_metres is not None:
            if self.within_metres < 0:
                raise ValueError("within_metres must not be negative")
            if self.near is None:
                raise ValueError("within_metres needs a place to measure from (near)")
        if self.near is not None:
            latitude, longitude = self.near
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValueError("near must be a latitude and longitude in degrees")
        for name in ("minimum_age", "maximum_age", "age"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        unknown = set(self.statuses) - set(Service.Status.values)
        if unknown:
            raise ValueError(f"unknown status {', '.join(sorted(unknown))}")


class Paging:
    """Where a page of results sits among all of them."""

    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)

    @property
    def is_first(self) -> bool:
        return self.page == 1

    @property
    def is_last(self) -> bool:
        return self.page >= self.total_pages


@dataclass
class ServicePage(Paging):
    """One page of results. Each service carries `distance_metres` (float, or None when no
    place was searched or it has no located location) and `rank` (float, higher is more
    relevant; None without keywords)."""

    services: list[Service]
    total: int
    page: int
    per_page: int


@dataclass
class ServiceAtLocationPage(Paging):
    """One page of services at locations, each with `distance_metres` set."""

    service_at_locations: list[ServiceAtLocation]
    total: int
    page: int
    per_page: int


def open_now_query(
    query: ServiceQuery | None = None, *, now: datetime.datetime | None = None
) -> ServiceQuery:
    """`query` (or a new one) narrowed to services open now, or at `now`, in Europe/London."""
    local = (now or timezone.now()).astimezone(LONDON)
    return replace(
        query or ServiceQuery(),
        day=DAY_CODES[local.weekday()],
        open_at=local.time().replace(microsecond=0, tzinfo=None),
        on_date=local.date(),
    )


def check_paging(page: int, per_page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(f"page must be from 1 to {MAX_PAGE:,}")
    if per_page < 1:
        raise ValueError("per_page starts at 1")


def search_services(
    query: ServiceQuery,
    *,
    page: int = 1,
    per_page: int = 50,
    queryset: QuerySet[Service] | None = None,
) -> ServicePage:
    """One page of the services matching `query`, in order. `queryset` loads the page's
    services (e.g. with `prefetch_related` for full records); by default each comes with its
    organization."""
    check_paging(page, per_page)
    services = filter_services(query)
    has_text = bool(query.text.strip())
    if has_text:
        services = with_text(services, query.text, place_first=query.within_metres is not None)
    offset = (page - 1) * per_page
    if query.near is None:
        ordering = ("-rank", "name", "id") if has_text else ("name", "id")
        total = services.count()
        found = services.order_by(*ordering)[offset : offset + per_page]
        if has_text:
            window = [
                (service_id, None, rank) for service_id, rank in found.values_list("id", "rank")
            ]
        else:
            window = [(service_id, None, None) for service_id in found.values_list("id", flat=True)]
    else:
        ranked = by_distance(services, query, has_text)
        total = len(ranked)
        window = ranked[offset : offset + per_page]
    loader = queryset if queryset is not None else Service.objects.select_related("organization")
    loaded = loader.in_bulk([service_id for service_id, _, _ in window])
    results = []
    for service_id, distance, rank in window:
        service = loaded[service_id]
        service.distance_metres = distance
        service.rank = rank
        results.append(service)
    return ServicePage(services=results, total=total, page=page, per_page=per_page)


def search_service_at_locations(
    query: ServiceQuery,
    *,
    page: int = 1,
    per_page: int = 50,
    queryset: QuerySet[ServiceAtLocation] | None = None,
) -> ServiceAtLocationPage:
    """One page of the places where matching services run: by distance from `near` (each
    service-at-location measured at its own location), else by service name."""
    check_paging(page, per_page)
    services = filter_services(query)
    if query.text.strip():
        services = services.filter(text_condition(query.text, services.db))
    links = ServiceAtLocation.objects.filter(service__in=services.values("pk"))
    offset = (page - 1) * per_page
    if query.near is None:
        total = links.count()
        ids = list(
            links.order_by("service__name", "id").values_list("id", flat=True)[
                offset : offset + per_page
            ]
        )
        window = [(link_id, None) for link_id in ids]
    else:
        latitude, longitude = query.near
        if query.within_metres is not None:
            box = bounding_box(latitude, longitude, query.within_metres)
            links = links.filter(
                location__latitude__gte=box.min_latitude - BOX_MARGIN_DEGREES,
                location__latitude__lte=box.max_latitude + BOX_MARGIN_DEGREES,
                location__longitude__gte=box.min_longitude - BOX_MARGIN_DEGREES,
                location__longitude__lte=box.max_longitude + BOX_MARGIN_DEGREES,
            )
        measured = []
        for link_id, name, location_latitude, location_longitude in links.order_by().values_list(
            "id", "service__name", "location__latitude", "location__longitude"
        ):
            distance = None
            if location_latitude is not None and location_longitude is not None:
                distance = distance_metres(
                    latitude, longitude, location_latitude, location_longitude
                )
            if query.within_metres is not None and (
                distance is None or distance > query.within_metres
            ):
                continue
            measured.append(
                (distance is None, distance or 0.0, name, str(link_id), link_id, distance)
            )
        measured.sort()
        total = len(measured)
        window = [(row[4], row[5]) for row in measured[offset : offset + per_page]]
    loader = (
        queryset
        if queryset is not None
        else ServiceAtLocation.objects.select_related("location", "service__organization")
    )
    loaded = loader.in_bulk([link_id for link_id, _ in window])
    results = []
    for link_id, distance in window:
        link = loaded[link_id]
        link.distance_metres = distance
        results.append(link)
    return ServiceAtLocationPage(
        service_at_locations=results, total=total, page=page, per_page=per_page
    )


# --- Filters --------------------------------------------------------------------------------


def filter_services(query: ServiceQuery) -> QuerySet[Service]:
    """The services meeting every criterion of `query` except keywords and place."""
    services = Service.objects.all()
    if query.statuses:
        services = services.filter(status__in=query.statuses)
    if query.organization_id is not None:
        services = services.filter(organization_id=query.organization_id)
    if query.modified_after is not None:
        services = services.filter(modified__gte=query.modified_after)
    if query.minimum_age is not None:
        services = services.filter(minimum_age__gte=query.minimum_age)
    if query.maximum_age is not None:
        services = services.filter(maximum_age__lte=query.maximum_age)
    if query.age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age),
        )
    if query.taxonomy_term_ids:
        terms = with_narrower_terms(query.taxonomy_term_ids)
        services = services.filter(
            Exists(Attribute.objects.filter(link_id=OuterRef("pk"), taxonomy_term_id__in=terms))
        )
    if query.taxonomy_id is not None:
        tagged = Attribute.objects.filter(
            link_id=OuterRef("pk"), taxonomy_term__taxonomy_id=query.taxonomy_id
        )
        services = services.filter(Exists(tagged))
    if any((query.day, query.start_time, query.end_time, query.open_at, query.on_date)):
        services = services.filter(Exists(matching_schedules(query)))
    if query.free_only:
        services = services.filter(free_services())
    if query.accessibility.strip():
        words = query.accessibility.strip()
        accessible = Accessibility.objects.filter(
            Q(description__icontains=words)
            | Q(details__icontains=words)
            | Q(accessibility__icontains=words),
            location__service_at_locations__service=OuterRef("pk"),
        )
        services = services.filter(Exists(accessible))
    return services


def with_narrower_terms(term_ids: tuple[uuid.UUID, ...]) -> set[uuid.UUID]:
    """The terms and every term below them (a term's `parent_id` names the one above it)."""
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    for term_id, parent_id in TaxonomyTerm.objects.filter(parent_id__isnull=False).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent_id, []).append(term_id)
    found, waiting = set(), list(term_ids)
    while waiting:
        term_id = waiting.pop()
        if term_id not in found:
            found.add(term_id)
            waiting.extend(children.get(term_id, ()))
    return found


def matching_schedules(query: ServiceQuery) -> QuerySet[Schedule]:
    """Schedules of the outer service (its own, or one of its service-at-locations') that fit
    the day and times of `query`, all on the one schedule.

    With `open_at`, a session that runs past midnight (closing at or before it opens) also
    counts on the next day until it closes: it is then the previous day's session, so it is
    found by the previous day's code and must have been valid on the previous date."""
    schedules = Schedule.objects.filter(
        Q(service=OuterRef("pk")) | Q(service_at_location__service=OuterRef("pk"))
    )
    if query.start_time is not None:
        schedules = schedules.filter(opens_at__gte=query.start_time)
    if query.end_time is not None:
        schedules = schedules.filter(closes_at__lte=query.end_time)
    overnight = Q(closes_at__lte=F("opens_at"))
    same_day = Q()
    if query.day:
        same_day &= _on_weekday(query.day)
    if query.open_at is not None:
        # Open from opens_at until closes_at, or past midnight when the session runs overnight.
        same_day &= Q(opens_at__lte=query.open_at) & (Q(closes_at__gt=query.open_at) | overnight)
    if query.on_date is not None:
        same_day &= _valid_on(query.on_date)
    if query.open_at is None:
        return schedules.filter(same_day)
    after_midnight = overnight & Q(closes_at__gt=query.open_at)
    if query.day:
        after_midnight &= _on_weekday(DAY_CODES[DAY_CODES.index(query.day) - 1])
    if query.on_date is not None:
        after_midnight &= _valid_on(query.on_date - datetime.timedelta(days=1))
    return schedules.filter(same_day | after_midnight)


def _on_weekday(code: str) -> Q:
    return Q(freq=Schedule.Frequency.WEEKLY, byday__icontains=code)


def _valid_on(day: datetime.date) -> Q:
    return (
        (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        & (Q(dtstart__isnull=True) | Q(dtstart__lte=day))
        & (Q(until__isnull=True) | Q(until__gte=day))
    )


# --- Keywords -------------------------------------------------------------------------------


def with_text(
    services: QuerySet[Service], text: str, *, place_first: bool = False
) -> QuerySet[Service]:
    """Services matching the keywords, annotated with `rank` (higher is more relevant).

    `place_first`: the query will also be narrowed to a small area. On SQLite, the planner
    cannot tell how many services a word matches and starts from the full-text index, which at
    100,000 services means thousands of rows to join for a common word; so the match becomes a
    condition checked after the bounding box (the unary + keeps SQLite from starting from it)
    and bm25 is worked out only for the services that remain."""
    if connections[services.db].vendor == "postgresql":
        search = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        # The stored document (fulltext.py), searched through its GIN index or read per row.
        return (
            services.alias(document=SERVICE_DOCUMENT)
            .filter(document=search)
            .annotate(rank=SearchRank(SERVICE_DOCUMENT, search))
        )
    match = fts5_query(text)
    if match is None:
        return services.annotate(rank=Value(0.0, output_field=FloatField())).none()
    rank_sql = f"-bm25({SQLITE_TABLE}, {SQLITE_NAME_WEIGHT}, {SQLITE_DESCRIPTION_WEIGHT})"
    if place_first:
        matches = RawSQL(
            f"+directory_service.rowid IN (SELECT rowid FROM {SQLITE_TABLE}"
            f" WHERE {SQLITE_TABLE} MATCH %s)",
            [match],
            output_field=BooleanField(),
        )
        rank = RawSQL(
            f"SELECT {rank_sql} FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s"
            f" AND {SQLITE_TABLE}.rowid = directory_service.rowid",
            [match],
            output_field=FloatField(),
        )
        return services.filter(matches).annotate(rank=rank)
    # Django cannot join a virtual table through the ORM, hence extra(): FTS5 finds the rowids
    # and ranks them; the join on rowid is to the same table's row.
    return services.extra(
        tables=[SQLITE_TABLE],
        where=[f"{SQLITE_TABLE}.rowid = directory_service.rowid", f"{SQLITE_TABLE} MATCH %s"],
        params=[match],
        select={"rank": rank_sql},
    )


def text_condition(text: str, using: str = "default") -> Q:
    """The keyword match alone, unranked, usable inside subqueries."""
    if connections[using].vendor == "postgresql":
        search = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        matching = Service.objects.alias(document=SERVICE_DOCUMENT).filter(document=search)
        return Q(pk__in=matching.values("pk"))
    match = fts5_query(text)
    if match is None:
        return Q(pk__in=[])
    # A self-contained subquery (its own table alias), so it holds however deeply it is nested.
    return Q(
        pk__in=RawSQL(
            f"SELECT matched.id FROM {SQLITE_TABLE} JOIN directory_service AS matched"
            f" ON matched.rowid = {SQLITE_TABLE}.rowid WHERE {SQLITE_TABLE} MATCH %s",
            [match],
        )
    )


_SEARCH_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def fts5_query(text: str) -> str | None:
    """Web-search text as an FTS5 query, as PostgreSQL's websearch_to_tsquery reads it: words
    all required, "quoted phrases", `or` between alternatives, `-word` excluded. Every word is
    quoted, so nothing a person types is taken as FTS5 syntax. None when nothing is left."""
    alternatives: list[str] = []
    required: list[str] = []
    excluded: list[str] = []

    def close_alternative() -> None:
        if required:
            alternatives.append(
                " AND ".join(required) + "".join(f" NOT {word}" for word in excluded)
            )
        required.clear()
        excluded.clear()

    for phrase, word in _SEARCH_TOKEN.findall(text):
        if word.lower() == "or" and not phrase:
            close_alternative()
            continue
        is_excluded = bool(word) and word.startswith("-")
        words = _WORD.findall(phrase or word)
        if not words:
            continue
        quoted = '"' + " ".join(words) + '"'
        (excluded if is_excluded else required).append(quoted)
    close_alternative()
    return " OR ".join(alternatives) or None


# --- Place ----------------------------------------------------------------------------------


def great_circle_metres(latitude: float, longitude: float) -> RawSQL:
    """The haversine distance in metres from (latitude, longitude) to the joined location, in
    SQL (PostgreSQL's and SQLite's own math functions; Django supplies them where an SQLite
    build lacks them). Raw SQL because the same expression built from Django's Func classes
    costs more to compile than the query takes to run. It names the query's first join of
    `directory_location`, the one the bounding box made."""
    phi = math.radians(latitude)
    return RawSQL(
        "%s * ASIN(SQRT(POWER(SIN((RADIANS(directory_location.latitude) - %s) / 2), 2)"
        " + %s * COS(RADIANS(directory_location.latitude))"
        " * POWER(SIN((RADIANS(directory_location.longitude) - %s) / 2), 2)))",
        (2 * EARTH_RADIUS_METRES, phi, math.cos(phi), math.radians(longitude)),
        output_field=FloatField(),
    )


def by_distance(
    services: QuerySet[Service], query: ServiceQuery, has_text: bool
) -> list[tuple[uuid.UUID, float | None, float | None]]:
    """(id, distance in metres, rank) of every matching service, nearest first."""
    latitude, longitude = query.near
    located = services
    if query.within_metres is not None:
        box = bounding_box(latitude, longitude, query.within_metres)
        # One filter() call, so both bounds apply to the same location.
        located = located.filter(
            service_at_locations__location__latitude__gte=box.min_latitude - BOX_MARGIN_DEGREES,
            service_at_locations__location__latitude__lte=box.max_latitude + BOX_MARGIN_DEGREES,
            service_at_locations__location__longitude__gte=box.min_longitude - BOX_MARGIN_DEGREES,
            service_at_locations__location__longitude__lte=box.max_longitude + BOX_MARGIN_DEGREES,
        )
        # The box's corners are further than the radius: measured in the database too, so only
        # locations within the radius come back (and are measured again exactly below).
        located = located.alias(sql_distance=great_circle_metres(latitude, longitude)).filter(
            sql_distance__lte=query.within_metres + SQL_DISTANCE_TOLERANCE_METRES
        )
    rows = located.order_by().values_list(
        "id",
        "name",
        "rank" if has_text else "name",
        "service_at_locations__location__latitude",
        "service_at_locations__location__longitude",
    )
    nearest: dict[uuid.UUID, tuple[float | None, float | None, str]] = {}
    for service_id, name, rank, location_latitude, location_longitude in rows:
        distance = None
        if location_latitude is not None and location_longitude is not None:
            distance = distance_metres(latitude, longitude, location_latitude, location_longitude)
            if query.within_metres is not None and distance > query.within_metres:
                continue
        rank = rank if has_text else None
        known = nearest.get(service_id)
        if known is None or (distance is not None and (known[0] is None or distance < known[0])):
            nearest[service_id] = (distance, rank, name)
    ordered = sorted(
        nearest.items(),
        key=lambda item: (
            item[1][0] is None,
            item[1][0] or 0.0,
            -(item[1][1] or 0.0),
            item[1][2],
            str(item[0]),
        ),
    )
    return [(service_id, distance, rank) for service_id, (distance, rank, _name) in ordered]
