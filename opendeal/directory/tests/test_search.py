"""Directory search: keywords ranked, distance order, each filter, and filters together."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from opendeal.directory import models as directory
from opendeal.directory.fulltext import SQLITE_TABLE, ensure_full_text_index
from opendeal.directory.search import (
    MAX_PAGE,
    ServiceQuery,
    fts5_query,
    open_now_query,
    search_service_at_locations,
    search_services,
    with_text,
)
from opendeal.directory.tests.listings import (
    LEIGH,
    MANCHESTER,
    STANDISH,
    WIGAN,
    make_service,
    make_term,
    tag,
    weekly,
)
from opendeal.geography.geocoding import distance_metres

pytestmark = pytest.mark.django_db


def names(query: ServiceQuery, **kwargs) -> list[str]:
    return [service.name for service in search_services(query, **kwargs).services]


# --- Keywords -------------------------------------------------------------------------------


def test_keywords_find_services_by_name_and_description_ranked_name_first():
    make_service("Knitting circle", "A friendly group that meets for a walk afterwards")
    make_service("Walking group", "Gentle walks around the flashes")
    make_service("Debt advice", "Help with money")

    page = search_services(ServiceQuery(text="walking"))

    assert [service.name for service in page.services] == ["Walking group", "Knitting circle"]
    assert page.total == 2
    first, second = page.services
    assert first.rank > second.rank > 0
    assert first.distance_metres is None


def test_keywords_are_stemmed_and_case_insensitive():
    make_service("Walking group")

    assert names(ServiceQuery(text="WALKS")) == ["Walking group"]
    assert names(ServiceQuery(text="walked")) == ["Walking group"]


def test_every_keyword_must_match():
    make_service("Walking group", "For dog owners")
    make_service("Walking football")

    assert names(ServiceQuery(text="walking dog")) == ["Walking group"]


def test_web_search_syntax_phrases_or_and_exclusion():
    make_service("Walking football", "Football for over fifties")
    make_service("Football walking", "A walk to the match")
    make_service("Chess club")

    assert names(ServiceQuery(text='"walking football"')) == ["Walking football"]
    assert sorted(names(ServiceQuery(text="chess or match"))) == ["Chess club", "Football walking"]
    assert names(ServiceQuery(text="football -match")) == ["Walking football"]


def test_text_that_looks_like_query_syntax_is_searched_as_words():
    make_service("Men's shed", "Woodwork AND repairs (NEAR the library)")

    for text in ["NEAR(shed", "shed*", '"unclosed', "^men's", "AND OR NOT", "repairs)"]:
        page = search_services(ServiceQuery(text=text))
        assert page.total in (0, 1), text
    assert names(ServiceQuery(text="men's shed")) == ["Men's shed"]
    assert names(ServiceQuery(text="!!! ???")) == []


def test_fts5_query_quotes_every_word():
    assert fts5_query('walk "dog owners" or chess -club') == (
        '"walk" AND "dog owners" OR "chess" NOT "club"'
    )
    # Punctuation splits words within a token, as PostgreSQL's parser does (a phrase).
    assert fts5_query("NEAR(a, b)") == '"NEAR a" AND "b"'
    assert fts5_query("-only -excluded") is None
    assert fts5_query("   ") is None


def test_the_index_follows_renames_and_deletions():
    service = make_service("Walking group")
    gone = make_service("Walking netball")

    service.name = "Rambling group"
    service.save()
    gone.delete()
    directory.Service.objects.filter(pk=service.pk).update(description="Long walks")

    assert names(ServiceQuery(text="rambling")) == ["Rambling group"]
    assert names(ServiceQuery(text="netball")) == []
    # Now found by its description, not its old name.
    assert names(ServiceQuery(text="walking")) == ["Rambling group"]
    assert search_services(ServiceQuery(text="walking")).services[0].rank < (
        search_services(ServiceQuery(text="rambling")).services[0].rank
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
def test_postgresql_searches_through_the_gin_index():
    make_service("Walking group")
    queryset = with_text(directory.Service.objects.all(), "walk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {_sql(queryset)}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "directory_service_search_document" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_sqlite_rebuilds_the_fts_index_when_its_triggers_are_lost():
    make_service("Walking group")
    with connection.cursor() as cursor:
        # What Django's table rebuild on SQLite does to triggers.
        cursor.execute("DROP TRIGGER directory_service_fts_insert")
        cursor.execute(f"DELETE FROM {SQLITE_TABLE}")  # any drift in the index
    make_service("Walking netball")

    assert ensure_full_text_index() is True
    assert ensure_full_text_index() is False

    assert sorted(names(ServiceQuery(text="walking"))) == ["Walking group", "Walking netball"]
    make_service("Walking cricket")
    assert names(ServiceQuery(text="cricket")) == ["Walking cricket"]


def _sql(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


# --- Place ----------------------------------------------------------------------------------


def test_a_place_sorts_by_distance_and_a_radius_leaves_out_what_is_further():
    make_service("Manchester service", at=MANCHESTER)
    make_service("Leigh service", at=LEIGH)
    make_service("Standish service", at=STANDISH)
    make_service("Online service")

    near = search_services(ServiceQuery(near=WIGAN))
    within = search_services(ServiceQuery(near=WIGAN, within_metres=10_000))

    assert [service.name for service in near.services] == [
        "Standish service",
        "Leigh service",
        "Manchester service",
        "Online service",
    ]
    assert [round(service.distance_metres or 0, -2) for service in near.services] == [
        round(distance_metres(*WIGAN, *STANDISH), -2),
        round(distance_metres(*WIGAN, *LEIGH), -2),
        round(distance_metres(*WIGAN, *MANCHESTER), -2),
        0,
    ]
    assert near.services[-1].distance_metres is None
    assert [service.name for service in within.services] == ["Standish service", "Leigh service"]
    assert within.total == 2


def test_the_radius_is_exact_not_the_bounding_box():
    # Due north-east of Wigan, inside the 5 km box but 6.4 km away.
    corner = (WIGAN[0] + 0.04, WIGAN[1] + 0.067)
    assert distance_metres(*WIGAN, *corner) > 5_000
    make_service("Corner service", at=corner)
    make_service("Edge service", at=(WIGAN[0] + 0.0449, WIGAN[1]))  # 4.99 km north

    assert names(ServiceQuery(near=WIGAN, within_metres=5_000)) == ["Edge service"]


def test_a_service_is_as_near_as_its_nearest_location():
    make_service("Two sites", at=[MANCHESTER, STANDISH])
    make_service("Leigh service", at=LEIGH)

    page = search_services(ServiceQuery(near=WIGAN, within_metres=30_000))

    assert [service.name for service in page.services] == ["Two sites", "Leigh service"]
    assert page.services[0].distance_metres == pytest.approx(distance_metres(*WIGAN, *STANDISH))
    assert page.total == 2
    # Only its site in Standish is within 10 km; it is found, at Standish's distance.
    within_ten = search_services(ServiceQuery(near=WIGAN, within_metres=10_000))
    assert [service.name for service in within_ten.services] == ["Two sites", "Leigh service"]
    assert within_ten.services[0].distance_metres == pytest.approx(
        distance_metres(*WIGAN, *STANDISH)
    )
    only_manchester = search_services(ServiceQuery(near=MANCHESTER, within_metres=1_000))
    assert [service.distance_metres for service in only_manchester.services] == [0.0]


def test_with_keywords_and_a_place_equal_distances_go_by_rank():
    make_service("Lunch club", "Hot lunch, then a walk", at=STANDISH)
    make_service("Walking group", "A walk", at=STANDISH)
    make_service("Walking netball", at=LEIGH)
    make_service("Walking cricket", at=MANCHESTER)

    page = search_services(ServiceQuery(text="walk", near=WIGAN, within_metres=10_000))

    assert [service.name for service in page.services] == [
        "Walking group",
        "Lunch club",
        "Walking netball",
    ]
    assert page.services[0].rank > page.services[1].rank


# --- Filters --------------------------------------------------------------------------------


def test_category_takes_any_of_the_terms_and_the_terms_below_them():
    sport = make_term("Sport")
    football = make_term("Football", parent=sport)
    walking_football = make_term("Walking football", parent=football)
    advice = make_term("Advice")
    tag(make_service("Veterans' walking football"), walking_football)
    tag(make_service("Debt advice"), advice)
    tag(make_service("Lunch club"), make_term("Food"))

    assert names(ServiceQuery(taxonomy_term_ids=(sport.pk,))) == ["Veterans' walking football"]
    assert names(ServiceQuery(taxonomy_term_ids=(walking_football.pk, advice.pk))) == [
        "Debt advice",
        "Veterans' walking football",
    ]
    assert names(ServiceQuery(taxonomy_term_ids=(uuid.uuid4(),))) == []


def test_taxonomy_takes_services_with_any_term_of_it():
    taxonomy_id = uuid.uuid4()
    tag(make_service("Debt advice"), make_term("Advice", taxonomy_id=taxonomy_id))
    tag(make_service("Lunch club"), make_term("Food", taxonomy_id=uuid.uuid4()))

    assert names(ServiceQuery(taxonomy_id=taxonomy_id)) == ["Debt advice"]


def test_organization():
    council = directory.Organization.objects.create(
        id=uuid.uuid4(), name="Council", description="The council"
    )
    make_service("Library", organization=council)
    make_service("Lunch club")

    assert names(ServiceQuery(organization_id=council.pk)) == ["Library"]


def test_ages_as_the_open_referral_profile_defines_them():
    make_service("Toddlers", minimum_age=0, maximum_age=4)
    make_service("Youth club", minimum_age=11, maximum_age=18)
    make_service("Over fifties", minimum_age=50)
    make_service("Everyone")

    # Minimum age at least 11; maximum age at most 18.
    assert names(ServiceQuery(minimum_age=11)) == ["Over fifties", "Youth club"]
    assert names(ServiceQuery(maximum_age=18)) == ["Toddlers", "Youth club"]
    assert names(ServiceQuery(minimum_age=11, maximum_age=18)) == ["Youth club"]


def test_age_takes_services_that_accept_someone_that_old():
    make_service("Toddlers", minimum_age=0, maximum_age=4)
    make_service("Youth club", minimum_age=11, maximum_age=18)
    make_service("Over fifties", minimum_age=50)
    make_service("Everyone")

    assert names(ServiceQuery(age=4)) == ["Everyone", "Toddlers"]
    assert names(ServiceQuery(age=18)) == ["Everyone", "Youth club"]
    assert names(ServiceQuery(age=70)) == ["Everyone", "Over fifties"]


def test_day_and_times_must_all_hold_on_one_schedule():
    weekly(make_service("Weekday mornings"), "MO,TU,WE,TH,FR", "09:00", "12:00")
    weekly(make_service("Thursday evenings"), "TH", "18:00", "21:00")
    split = make_service("Split")
    weekly(split, "MO", "09:00", "12:00")
    weekly(split, "SA", "18:00", "21:00")
    monthly = make_service("First Thursday")
    directory.Schedule.objects.create(
        id=uuid.uuid4(),
        service=monthly,
        freq="MONTHLY",
        byday="1TH",
        opens_at=dt.time(9),
        closes_at=dt.time(12),
    )

    assert names(ServiceQuery(day="TH")) == ["Thursday evenings", "Weekday mornings"]
    assert names(ServiceQuery(day="SA")) == ["Split"]
    assert names(ServiceQuery(day="SU")) == []
    # Start at or after start_time, end at or before end_time.
    assert names(ServiceQuery(start_time=dt.time(17))) == ["Split", "Thursday evenings"]
    assert names(ServiceQuery(end_time=dt.time(12))) == [
        "First Thursday",
        "Split",
        "Weekday mornings",
    ]
    # Split is open on Monday and from 18:00, but not on Monday from 18:00.
    assert names(ServiceQuery(day="MO", start_time=dt.time(17))) == []
    assert names(ServiceQuery(day="TH", start_time=dt.time(8), end_time=dt.time(13))) == [
        "Weekday mornings"
    ]


def test_a_schedule_of_a_service_at_a_location_counts():
    service = make_service("Drop-in", at=STANDISH)
    directory.Schedule.objects.create(
        id=uuid.uuid4(),
        service_at_location=service.service_at_locations.get(),
        freq="WEEKLY",
        byday="WE",
        opens_at=dt.time(10),
        closes_at=dt.time(14),
    )

    assert names(ServiceQuery(day="WE")) == ["Drop-in"]
    assert names(ServiceQuery(day="TU")) == []


def test_open_now_in_london_time_including_sessions_past_midnight():
    weekly(make_service("Day centre"), "TH", "09:00", "17:00")
    weekly(make_service("Night shelter"), "TH", "20:00", "02:00")
    weekly(make_service("Late cafe"), "TH", "18:00", "00:00")
    weekly(
        make_service("Winter only"),
        "TH",
        "09:00",
        "17:00",
        valid_from=dt.date(2026, 11, 1),
        valid_to=dt.date(2027, 2, 28),
    )

    # Thursday 26 November 2026, 12:00 GMT.
    winter_noon = open_now_query(now=dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC))
    # Thursday 2 July 2026, 16:30 UTC is 17:30 BST.
    summer_evening = open_now_query(now=dt.datetime(2026, 7, 2, 16, 30, tzinfo=dt.UTC))
    late = open_now_query(now=dt.datetime(2026, 11, 26, 23, 15, tzinfo=dt.UTC))

    assert (winter_noon.day, winter_noon.open_at) == ("TH", dt.time(12))
    assert names(winter_noon) == ["Day centre", "Winter only"]
    assert (summer_evening.day, summer_evening.open_at) == ("TH", dt.time(17, 30))
    assert names(summer_evening) == []
    assert names(late) == ["Late cafe", "Night shelter"]


def test_open_now_finds_the_part_of_an_overnight_session_after_midnight():
    weekly(make_service("Night shelter", at=WIGAN), "MO", "22:00", "02:00")
    weekly(make_service("Evening club"), "MO", "18:00", "00:00")
    weekly(
        make_service("Ended shelter"),
        "MO",
        "22:00",
        "02:00",
        valid_to=dt.date(2026, 1, 11),  # so Monday 12th's session is not held
    )
    weekly(
        make_service("Starts Tuesday"),
        "MO",
        "22:00",
        "02:00",
        valid_from=dt.date(2026, 1, 13),  # Monday 12th's session is before it starts
    )
    # January: London is on GMT. Monday 12 January 2026.
    monday_late = open_now_query(now=dt.datetime(2026, 1, 12, 23, 0, tzinfo=dt.UTC))
    tuesday_early = open_now_query(now=dt.datetime(2026, 1, 13, 1, 0, tzinfo=dt.UTC))
    tuesday_late = open_now_query(now=dt.datetime(2026, 1, 13, 2, 0, tzinfo=dt.UTC))
    monday_early = open_now_query(now=dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC))

    assert names(monday_late) == ["Evening club", "Night shelter"]
    assert names(tuesday_early) == ["Night shelter"]
    assert names(tuesday_late) == []  # closed at 02:00
    assert names(monday_early) == []  # Sunday has no session
    # The same for the places the sessions are held.
    places = search_service_at_locations(tuesday_early).service_at_locations
    assert [link.service.name for link in places] == ["Night shelter"]


def test_a_time_without_a_day_finds_overnight_sessions_after_midnight():
    weekly(make_service("Night shelter"), "MO", "22:00", "02:00")
    weekly(make_service("Day centre"), "MO", "09:00", "17:00")

    assert names(ServiceQuery(open_at=dt.time(1, 30))) == ["Night shelter"]
    assert names(ServiceQuery(open_at=dt.time(12))) == ["Day centre"]
    # With a day, it is the day after the session starts.
    assert names(ServiceQuery(day="TU", open_at=dt.time(1, 30))) == ["Night shelter"]
    assert names(ServiceQuery(day="MO", open_at=dt.time(1, 30))) == []


def test_open_now_keeps_the_rest_of_the_query():
    weekly(make_service("Day centre", "Lunch"), "TH", "09:00", "17:00")
    weekly(make_service("Lunch club"), "FR", "09:00", "17:00")

    query = open_now_query(
        ServiceQuery(text="lunch"), now=timezone.make_aware(dt.datetime(2026, 11, 26, 12))
    )

    assert query.text == "lunch"
    assert names(query) == ["Day centre"]


def test_free_only_leaves_out_services_with_a_cost():
    paid = make_service("Swimming lessons")
    directory.CostOption.objects.create(id=uuid.uuid4(), service=paid, amount=Decimal("4.50"))
    free = make_service("Library")
    directory.CostOption.objects.create(id=uuid.uuid4(), service=free, amount=Decimal("0"))
    mixed = make_service("Gym")
    directory.CostOption.objects.create(id=uuid.uuid4(), service=mixed, amount=Decimal("0"))
    directory.CostOption.objects.create(id=uuid.uuid4(), service=mixed, amount=Decimal("2.00"))
    make_service("Walking group")  # no cost options: not known to be free

    assert names(ServiceQuery(free_only=True)) == ["Library"]
    assert len(names(ServiceQuery())) == 4


def test_free_only_and_the_service_page_agree_on_what_is_free(client):
    """A charge said only in words (the service's fees, a cost option's description) is a
    charge: the search lists as free only what the service page shows as "Free"."""
    yoga = make_service("Yoga", fees="£4 per class")
    pottery = make_service("Pottery")
    directory.CostOption.objects.create(
        id=uuid.uuid4(), service=pottery, option="Session", amount_description="£5 per session"
    )
    library = make_service("Library")
    directory.CostOption.objects.create(
        id=uuid.uuid4(), service=library, amount=Decimal("0"), amount_description="Free"
    )
    swimming = make_service("Swimming")
    directory.CostOption.objects.create(id=uuid.uuid4(), service=swimming, amount=Decimal("3"))
    half = make_service("Half free")
    directory.CostOption.objects.create(id=uuid.uuid4(), service=half, amount=Decimal("0"))
    directory.CostOption.objects.create(id=uuid.uuid4(), service=half, amount=None)

    listed_free = set(names(ServiceQuery(free_only=True)))

    assert listed_free == {"Library"}
    for service in (yoga, pottery, library, swimming, half):
        page = client.get(f"/directory/services/{service.pk}/").content.decode()
        assert ("Free<br>" in page) == (service.name in listed_free), service.name


def test_a_page_beyond_the_limit_is_refused_before_the_database_sees_it():
    make_service("Library", at=WIGAN)

    far = search_services(ServiceQuery(), page=MAX_PAGE, per_page=1000)
    assert (far.services, far.total) == ([], 1)
    for page in (MAX_PAGE + 1, 9223372036854775807, 10**20):
        with pytest.raises(ValueError, match="page must be from 1"):
            search_services(ServiceQuery(), page=page)
        with pytest.raises(ValueError, match="page must be from 1"):
            search_services(ServiceQuery(near=WIGAN), page=page)
        with pytest.raises(ValueError, match="page must be from 1"):
            search_service_at_locations(ServiceQuery(), page=page)


def test_accessibility_matches_a_locations_accessibility_text():
    ramped = make_service("Library", at=STANDISH)
    directory.Accessibility.objects.create(
        id=uuid.uuid4(),
        location=ramped.service_at_locations.get().location,
        description="Step-free access by a ramp; accessible toilet",
    )
    stairs = make_service("Upstairs club", at=LEIGH)
    directory.Accessibility.objects.create(
        id=uuid.uuid4(),
        location=stairs.service_at_locations.get().location,
        details="First floor, no lift",
    )

    assert names(ServiceQuery(accessibility="STEP-FREE")) == ["Library"]
    assert names(ServiceQuery(accessibility="lift")) == ["Upstairs club"]
    assert names(ServiceQuery(accessibility="hearing loop")) == []


def test_modified_after_and_statuses():
    old = make_service("Old listing")
    directory.Service.objects.filter(pk=old.pk).update(
        modified=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    make_service("New listing")
    make_service("Closed listing", status="defunct")

    assert names(ServiceQuery(modified_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))) == [
        "New listing"
    ]
    assert names(ServiceQuery()) == ["New listing", "Old listing"]
    assert names(ServiceQuery(statuses=("defunct",))) == ["Closed listing"]
    assert len(names(ServiceQuery(statuses=()))) == 3


def test_every_criterion_must_hold_together():
    sport = make_term("Sport")
    matching = make_service("Walking football", "For over fifties", at=STANDISH, minimum_age=50)
    tag(matching, sport)
    weekly(matching, "TU", "10:00", "11:30")
    # Each of these fails exactly one criterion.
    far = make_service("Walking football far", at=MANCHESTER, minimum_age=50)
    untagged = make_service("Walking football untagged", at=STANDISH, minimum_age=50)
    young = make_service("Walking football young", at=STANDISH, minimum_age=16)
    wrong_day = make_service("Walking football wrong day", at=STANDISH, minimum_age=50)
    other_words = make_service("Netball", at=STANDISH, minimum_age=50)
    for service in (far, untagged, young, wrong_day, other_words):
        if service is not untagged:
            tag(service, sport)
        weekly(service, "WE" if service is wrong_day else "TU", "10:00", "11:30")

    query = ServiceQuery(
        text="football",
        taxonomy_term_ids=(sport.pk,),
        near=WIGAN,
        within_metres=10_000,
        minimum_age=50,
        day="TU",
    )

    assert names(query) == ["Walking football"]


def test_pages():
    for letter in "ABCDE":
        make_service(f"Service {letter}")

    first = search_services(ServiceQuery(), page=1, per_page=2)
    last = search_services(ServiceQuery(), page=3, per_page=2)
    beyond = search_services(ServiceQuery(), page=4, per_page=2)

    assert [service.name for service in first.services] == ["Service A", "Service B"]
    assert (first.total, first.total_pages, first.is_first, first.is_last) == (5, 3, True, False)
    assert [service.name for service in last.services] == ["Service E"]
    assert last.is_last
    assert beyond.services == []
    assert beyond.total == 5
    with pytest.raises(ValueError):
        search_services(ServiceQuery(), page=0)


def test_pages_by_distance():
    for index in range(5):
        make_service(f"Service {index}", at=(WIGAN[0] + 0.001 * (index + 1), WIGAN[1]))

    second = search_services(ServiceQuery(near=WIGAN, within_metres=1_000), page=2, per_page=2)

    assert [service.name for service in second.services] == ["Service 2", "Service 3"]
    assert second.total == 5


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"day": "Monday"}, "day must be one of"),
        ({"within_metres": 100}, "needs a place"),
        ({"near": WIGAN, "within_metres": -1}, "must not be negative"),
        ({"near": (91.0, 0.0)}, "latitude and longitude"),
        ({"minimum_age": -1}, "minimum_age must not be negative"),
        ({"statuses": ("open",)}, "unknown status open"),
    ],
)
def test_a_query_out_of_range_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        ServiceQuery(**fields)


def test_keywords_checked_after_the_place_rank_the_same():
    make_service("Walking group", "Walks for all", at=STANDISH)
    make_service("Lunch club", "Then a walk", at=STANDISH)
    make_service("Chess club", at=STANDISH)

    def ranks(place_first: bool) -> dict[str, float]:
        services = with_text(directory.Service.objects.all(), "walk", place_first=place_first)
        return dict(services.values_list("name", "rank"))

    assert ranks(place_first=True) == pytest.approx(ranks(place_first=False))
    assert set(ranks(place_first=True)) == {"Walking group", "Lunch club"}
