"""The demo directory: Wigan places, categories, hours, costs and stale listings, loaded once."""

import pytest

from opendeal.core.demo import load_demo_accounts
from opendeal.directory import demo, reminders
from opendeal.directory.models import (
    CostOption,
    ListingChange,
    Organization,
    Schedule,
    Service,
    TaxonomyTerm,
)
from opendeal.geography.geocoding import locate_postcode

pytestmark = pytest.mark.django_db


def test_the_demo_directory_loads_once():
    load_demo_accounts()
    report = demo.load_demo_directory()
    assert report == (
        "Directory: 42 services of 14 fictional organisations added (42 in all, 8 stale), "
        "32 postcodes (32 new), 3 changes waiting for review."
    )
    assert Service.objects.count() == 42
    assert all("(demo)" in name for name in Organization.objects.values_list("name", flat=True))
    assert TaxonomyTerm.objects.filter(taxonomy="Open Eligibility").count() == 11
    assert Schedule.objects.filter(freq="WEEKLY").count() >= 42
    assert CostOption.objects.filter(amount=0).count() == 29  # the free ones
    assert reminders.stale_services().count() == 8
    assert ListingChange.objects.filter(status="pending").count() == 3

    again = demo.load_demo_directory()
    assert again.startswith("Directory: 0 services of 14 fictional organisations added")
    assert Service.objects.count() == 42
    assert ListingChange.objects.count() == 3


def test_demo_places_are_real_wigan_postcodes_in_wigan_neighbourhoods():
    demo.load_demo_postcodes()
    place = locate_postcode("wn7 2ae")
    assert (str(place.latitude), str(place.longitude)) == ("53.495059", "-2.502901")
    assert place.local_authority_code == "E08000010"
    assert place.lsoa21_code.startswith("E01") and place.ward_code.startswith("E05")


def test_the_opening_hours_shorthand():
    hours = demo.parse_hours("MO-WE 09:00-17:00; SA 10:00-12:00")
    assert sorted(hours.days) == ["MO", "SA", "TU", "WE"]
