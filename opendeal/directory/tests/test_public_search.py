"""The public search page: every filter reaches the search, postcode errors, paging, distances,
the stale flag, and the page's content without JavaScript."""

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from opendeal.directory.public_forms import SearchForm
from opendeal.directory.views import public
from opendeal.directory.views.public import RESULTS_PER_PAGE, build_query
from opendeal.geography.geocoding import distance_metres

from .public_listings import (
    LEIGH,
    MANCHESTER,
    STANDISH,
    WIGAN,
    add_postcode,
    cost,
    make_category,
    make_listing,
    make_place,
    tag,
    weekly,
)

pytestmark = pytest.mark.django_db
URL = reverse("directory:search")


def result_names(response) -> list[str]:
    """The services listed, in order, from the page's HTML (as a browser without JS sees it)."""
    html = response.content.decode()
    results = html.split('<ol class="govuk-list opendeal-results"', 1)
    if len(results) == 1:
        return []
    items = results[1].split("</ol>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="/directory/services/[^"]+/">([^<]+)</a>', items)


def search(client, **parameters) -> list[str]:
    response = client.get(URL, parameters)
    assert response.status_code == 200
    return result_names(response)


def test_the_page_lists_every_active_service_by_name_without_a_search(client):
    make_listing("Walking group")
    make_listing("Allotment society")
    make_listing("Old lunch club", status="defunct")
    make_listing("Paused choir", status="temporarily closed")
    response = client.get(URL)
    assert result_names(response) == ["Allotment society", "Paused choir", "Walking group"]
    assert "3 services found" in response.content.decode()
    assert "Temporarily closed" in response.content.decode()


def test_keywords_reach_the_search(client):
    make_listing("Walking group", "Gentle walks around the flashes")
    make_listing("Knitting circle", "Wool and tea")
    assert search(client, q="walks") == ["Walking group"]


def test_category_reaches_the_search(client):
    walking, food = make_listing("Walking group"), make_listing("Food bank")
    term = make_category("Physical activity")
    tag(walking, term)
    tag(food, make_category("Food"))
    assert search(client, category=str(term.id)) == ["Walking group"]


def test_the_category_list_offers_only_terms_in_use(client):
    used, _unused = make_category("Physical activity"), make_category("Never used")
    tag(make_listing("Walking group"), used)
    tag(make_listing("Polish club"), make_category("Polish", taxonomy="Languages"))
    choices = dict(SearchForm().fields["category"].choices)
    assert choices == {"": "All categories", str(used.id): "Physical activity"}


def test_postcode_and_radius_reach_the_search_nearest_first_with_distances(client):
    add_postcode("WN1 1AA", WIGAN)
    make_listing("In Leigh", at=LEIGH)
    make_listing("In Standish", at=STANDISH)
    make_listing("In Manchester", at=MANCHESTER)
    make_listing("Nowhere in particular")
    response = client.get(URL, {"postcode": "wn11aa", "radius": "10"})
    assert result_names(response) == ["In Standish", "In Leigh"]
    html = response.content.decode()
    assert "within 10 miles of WN1 1AA, nearest first" in html
    expected = [f"{distance_metres(*WIGAN, *place) / 1609.344:.1f}" for place in (STANDISH, LEIGH)]
    assert expected == ["3.1", "5.8"]
    assert re.findall(r"([\d.]+) miles away", html) == expected
    assert search(client, postcode="WN1 1AA", radius="5") == ["In Standish"]


def test_an_invalid_postcode_is_refused_with_a_clear_message(client):
    make_listing("Walking group")
    response = client.get(URL, {"postcode": "WN1"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count("Enter a real postcode, like WN1 1AA") == 2  # summary and field
    assert 'href="#id_postcode"' in html
    assert result_names(response) == []
    assert "found" not in response.context


def test_a_real_postcode_we_do_not_hold_says_so(client):
    make_listing("Walking group")
    response = client.get(URL, {"postcode": "EC1A 1BB"})
    html = response.content.decode()
    assert "We do not have EC1A 1BB in our postcode data" in html
    assert result_names(response) == []


def test_a_postcode_without_coordinates_is_one_we_cannot_place(client):
    add_postcode("WN1 9ZZ", None)
    response = client.get(URL, {"postcode": "WN1 9ZZ"})
    assert "We do not have WN1 9ZZ in our postcode data" in response.content.decode()


def test_free_only_reaches_the_search(client):
    free, paid = make_listing("Free group"), make_listing("Paid class")
    cost(free, "0.00")
    cost(paid, "3.50", "Per session")
    assert search(client, free_only="on") == ["Free group"]


def test_age_reaches_the_search(client):
    make_listing("Youth club", minimum_age=11, maximum_age=18)
    make_listing("Over 50s", minimum_age=50)
    make_listing("Everyone welcome")
    assert search(client, age="16") == ["Everyone welcome", "Youth club"]
    assert search(client, age="70") == ["Everyone welcome", "Over 50s"]


def test_accessibility_reaches_the_search(client):
    ramp = make_place(WIGAN, accessibility="Step-free entrance and a wheelchair lift")
    make_listing("Accessible hall", location=ramp)
    make_listing("Upstairs room", at=WIGAN)
    assert search(client, accessibility="wheelchair") == ["Accessible hall"]


def test_day_and_time_reach_the_search(client):
    weekly(make_listing("Monday mornings"), "MO", "09:00", "12:00")
    weekly(make_listing("Tuesday evenings"), "TU", "18:00", "20:00")
    assert search(client, day="MO") == ["Monday mornings"]
    assert search(client, day="TU", time="7pm") == ["Tuesday evenings"]
    assert search(client, day="TU", time="10:00") == []


def test_open_now_reaches_the_search(client):
    now = timezone.localtime()
    today = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[now.weekday()]
    other = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[(now.weekday() + 3) % 7]
    # Open all day today (midnight to midnight runs past midnight, so it is open now).
    weekly(make_listing("Open today"), today, "00:00", "00:00")
    weekly(make_listing("Open another day"), other, "00:00", "00:00")
    assert search(client, open_now="on") == ["Open today"]


def test_the_form_maps_to_one_query_with_every_criterion():
    term = make_category("Food")
    tag(make_listing("Food bank"), term)
    form = SearchForm(
        {
            "q": " food ",
            "category": str(term.id),
            "radius": "2",
            "day": "WE",
            "time": "2:30pm",
            "free_only": "on",
            "age": "67",
            "accessibility": "hearing loop",
        }
    )
    assert form.is_valid(), form.errors
    query = build_query(form, near=WIGAN)
    assert query.text == "food"
    assert query.taxonomy_term_ids == (term.id,)
    assert query.near == WIGAN
    assert query.within_metres == 3219
    assert query.day == "WE"
    assert query.open_at == dt.time(14, 30)
    assert query.free_only is True
    assert query.age == 67
    assert query.accessibility == "hearing loop"
    assert set(query.statuses) == {"active", "temporarily closed"}


def test_open_now_maps_to_todays_day_and_time():
    form = SearchForm({"open_now": "on"})
    assert form.is_valid()
    query = build_query(form, near=None)
    now = timezone.localtime()
    assert query.day == ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[now.weekday()]
    assert query.on_date == now.date()
    assert query.within_metres is None


@pytest.mark.parametrize(
    ("parameters", "field", "message"),
    [
        ({"open_now": "on", "day": "MO"}, "day", "Choose either open now or a day, not both"),
        ({"time": "10am"}, "day", "Select a day as well as a time"),
        ({"day": "MO", "time": "25:00"}, "time", "Enter a time like 9:30am or 14:30"),
        ({"day": "MO", "time": "soon"}, "time", "Enter a time like 9:30am or 14:30"),
        ({"age": "old"}, "age", "Enter the age as a whole number, like 16"),
        ({"age": "-1"}, "age", "Enter an age of 0 or more"),
        ({"radius": "3"}, "radius", None),
        ({"category": "not-a-term"}, "category", None),
    ],
)
def test_bad_filters_are_explained_beside_their_fields(client, parameters, field, message):
    make_listing("Walking group")
    response = client.get(URL, parameters)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert form.errors[field] == [message]
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert result_names(response) == []


def test_results_are_paged_and_links_keep_the_search(client):
    for number in range(RESULTS_PER_PAGE * 2 + 3):
        make_listing(f"Group {number:03d}", "A friendly group")
    first = client.get(URL, {"q": "friendly"})
    assert len(result_names(first)) == RESULTS_PER_PAGE
    assert "43 services found" in first.content.decode()
    assert "Showing 1 to 20, page 1 of 3" in first.content.decode()
    pagination = first.context["pagination"]
    assert [link.number for link in pagination["links"]] == [1, 2, 3]
    query = parse_qs(urlsplit(pagination["next_url"]).query)
    assert query == {"q": ["friendly"], "page": ["2"]}
    last = client.get(URL, {"q": "friendly", "page": "3"})
    assert result_names(last) == ["Group 040", "Group 041", "Group 042"]
    assert "Showing 41 to 43, page 3 of 3" in last.content.decode()
    assert last.context["pagination"]["next_url"] == ""
    assert '<ol class="govuk-list opendeal-results" start="41">' in last.content.decode()


def test_a_page_beyond_the_last_offers_the_first(client):
    make_listing("Walking group")
    response = client.get(URL, {"page": "9"})
    assert result_names(response) == []
    assert "There is no page 9 of these results" in response.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "1000001"])
def test_a_page_beyond_the_limit_is_the_last_page_allowed_which_says_so(client, page):
    make_listing("Walking group", at=WIGAN)
    add_postcode("WN1 1AA", WIGAN)
    for parameters in ({}, {"q": "walking"}, {"postcode": "WN1 1AA"}):
        response = client.get(URL, {**parameters, "page": page})
        assert response.status_code == 200
        assert result_names(response) == []
        assert "There is no page 1000000 of these results" in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-3", "two", "", "1e20"])
def test_a_nonsense_page_number_is_the_first_page(client, page):
    make_listing("Walking group")
    assert search(client, page=page) == ["Walking group"]


def test_listings_not_reviewed_in_twelve_months_are_flagged(client):
    make_listing("Fresh", reviewed_days_ago=30)
    make_listing("Stale", reviewed_days_ago=400)
    make_listing("Never reviewed", reviewed_days_ago=None)
    html = client.get(URL).content.decode()
    items = html.split('<li class="opendeal-result">')[1:]
    flagged = {
        re.search(r'href="/directory/services/[^"]+/">([^<]+)</a>', item).group(1): (
            "Not reviewed in the last 12 months" in item
        )
        for item in items
    }
    assert flagged == {"Fresh": False, "Never reviewed": True, "Stale": True}


def test_without_javascript_the_list_is_the_content_and_the_map_only_data(client):
    add_postcode("WN1 1AA", WIGAN)
    standish = make_listing("In Standish", at=STANDISH)
    make_listing("Not located")
    response = client.get(URL, {"postcode": "WN1 1AA", "radius": "20"})
    html = response.content.decode()
    # The list carries name, distance and address; the map is hidden until its script runs.
    # A service with no located place has no distance, so a radius search leaves it out.
    assert result_names(response) == ["In Standish"]
    assert "1 In Standish Street, Wigan, WN1 1AA" in html
    assert re.search(r'<div class="opendeal-directory-map" id="results-map" hidden', html)
    places = json.loads(
        re.search(
            r'<script id="results-map-places" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert places == [
        {
            "name": "In Standish",
            "lat": STANDISH[0],
            "lng": STANDISH[1],
            "url": f"/directory/services/{standish.id}/",
            "address": "1 In Standish Street, Wigan, WN1 1AA",
        }
    ]
    # No inline script beyond the layout's nonce'd one; Leaflet comes from our own static files.
    assert len(re.findall(r"<script(?![^>]*(src=|application/json))[^>]*>", html)) == 1
    assert '/static/leaflet/leaflet.js"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_the_map_tiles_come_from_settings_and_the_policy_allows_them(client, settings):
    make_listing("In Standish", at=STANDISH)
    response = client.get(URL)
    html = response.content.decode()
    assert f'data-tile-url="{settings.OPENDEAL_MAP_TILE_URL}"' in html
    assert "OpenStreetMap" in html
    policy = response.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "https://tile.openstreetmap.org" in img_src


def test_the_menu_offers_the_directory(client):
    html = client.get(reverse("core:home")).content.decode()
    assert f'href="{URL}"' in html and "Find support" in html


def test_page_urls_carry_only_the_search_fields():
    from django.http import QueryDict

    url = public._page_url(QueryDict("q=food&postcode=&junk=1&page=4"), 2)
    assert url == "?q=food&page=2#results"
