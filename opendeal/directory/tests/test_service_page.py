"""A service's public page: what it shows, and which services the public may see."""

import json
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opendeal.directory import models as directory

from .public_listings import (
    STANDISH,
    WIGAN,
    cost,
    make_category,
    make_listing,
    make_place,
    phone,
    tag,
    weekly,
)

pytestmark = pytest.mark.django_db


def page_of(client, service):
    response = client.get(reverse("directory:service", args=[service.id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def walking_group():
    organization = directory.Organization.objects.create(
        id=uuid.uuid4(),
        name="Wigan Ramblers",
        description="Walks",
        website="https://ramblers.example.org",
    )
    hall = make_place(
        WIGAN,
        name="Wigan Life Centre",
        address_1="The Wiend",
        postcode="WN1 1NH",
        accessibility="Step-free entrance and a hearing loop",
    )
    service = make_listing(
        "Walking group",
        "Gentle walks around the flashes.",
        location=hall,
        organization=organization,
        url="https://walks.example.org",
        email="walks@example.org",
        minimum_age=18,
        fees="Bring a drink",
    )
    weekly(service, "MO,TU,WE", "10:00", "12:00")
    directory.Schedule.objects.create(
        id=uuid.uuid4(), service=service, freq="MONTHLY", byday="-1SA", description="Long walk"
    )
    cost(service, "0.00", "Every walk")
    phone(service, "01942 123456", name="Jo, walk leader")
    tag(service, make_category("Physical activity"))
    tag(service, make_category("Polish", taxonomy="Languages"))
    return service


def test_the_page_shows_everything_a_resident_needs(client, walking_group):
    html = page_of(client, walking_group)
    for text in [
        '<h1 class="govuk-heading-xl">Walking group</h1>',
        "Wigan Ramblers",
        "Gentle walks around the flashes.",
        "Monday to Wednesday, 10am to midday",
        "The last Saturday of each month",
        "Free",
        "Bring a drink",
        "Ages 18 and over",
        "Polish",
        "Physical activity",
        "Step-free entrance and a hearing loop",
        "Wigan Life Centre",
        "The Wiend<br>Wigan<br>WN1 1NH",
        'href="tel:01942123456"',
        "01942 123456",
        "Jo, walk leader",
        'href="mailto:walks@example.org"',
        "https://walks.example.org",
        "https://ramblers.example.org",
        "Last reviewed on",
        "Report a problem with this listing",
    ]:
        assert text in html, text
    # A language is not offered as a category.
    assert "?category=" in html and html.count("?category=") == 1


def test_costs_that_are_not_free_are_listed(client):
    service = make_listing("Pottery class")
    cost(service, "5.50", "Adults")
    cost(service, "2.00", "Children")
    html = page_of(client, service)
    assert "Children: £2.00" in html and "Adults: £5.50" in html
    assert ">Free" not in html


def test_the_map_is_data_for_the_script_and_hidden_without_it(client, walking_group):
    second = make_place(STANDISH, name="Standish library", address_1="Market Street")
    directory.ServiceAtLocation.objects.create(
        id=uuid.uuid4(), service=walking_group, location=second
    )
    unplaced = make_place(None, name="By phone")
    directory.ServiceAtLocation.objects.create(
        id=uuid.uuid4(), service=walking_group, location=unplaced
    )
    html = page_of(client, walking_group)
    assert re.search(r'<div class="opendeal-directory-map" id="service-map" hidden', html)
    places = json.loads(
        re.search(
            r'<script id="service-map-places" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert sorted(place["address"] for place in places) == [
        "Market Street, Wigan",
        "The Wiend, Wigan, WN1 1NH",
    ]
    assert {place["url"] for place in places} == {f"/directory/services/{walking_group.id}/"}
    # Every place is on the page as text too, map or no map.
    assert "Standish library" in html and "By phone" in html


def test_a_service_without_a_located_place_has_no_map(client):
    html = page_of(client, make_listing("Helpline"))
    assert "opendeal-directory-map" not in html
    assert "Ask the service" in html


def test_a_stale_listing_says_so(client):
    html = page_of(client, make_listing("Old listing", reviewed_days_ago=500))
    assert 'id="stale-notice"' in html
    assert "not been reviewed in the last 12 months" in html
    assert 'id="stale-notice"' not in page_of(client, make_listing("New", reviewed_days_ago=3))
    assert "This listing has not been reviewed yet." in page_of(
        client, make_listing("Unreviewed", reviewed_days_ago=None)
    )


@pytest.mark.parametrize("status", ["inactive", "defunct"])
def test_services_gone_from_the_directory_are_not_found(client, status):
    service = make_listing("Gone", status=status)
    response = client.get(reverse("directory:service", args=[service.id]))
    assert response.status_code == 404


def test_an_unknown_service_is_not_found(client):
    response = client.get(reverse("directory:service", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_a_temporarily_closed_service_says_so(client):
    html = page_of(client, make_listing("Choir", status="temporarily closed"))
    assert "This service is temporarily closed." in html


def test_the_page_reads_in_a_fixed_number_of_queries(client, walking_group):
    with CaptureQueriesContext(connection) as small:
        page_of(client, walking_group)
    for number in range(5):
        place = make_place(WIGAN, name=f"Hall {number}", address_1=f"{number} Road")
        directory.ServiceAtLocation.objects.create(
            id=uuid.uuid4(), service=walking_group, location=place
        )
        phone(walking_group, f"01942 00000{number}")
        weekly(walking_group, "FR", f"1{number}:00", f"1{number}:30")
    with CaptureQueriesContext(connection) as large:
        page_of(client, walking_group)
    assert len(large.captured_queries) == len(small.captured_queries)
