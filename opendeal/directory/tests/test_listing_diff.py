"""The side-by-side diff: every field in words, changed rows marked."""

import pytest

from opendeal.directory import moderation
from opendeal.directory.listing_diff import compare
from opendeal.directory.tests.moderation_listings import make_listing, make_term

pytestmark = pytest.mark.django_db


def test_an_unchanged_listing_has_no_changed_rows():
    listing = moderation.snapshot(make_listing())
    rows = compare(listing, listing)
    assert [row.label for row in rows] == [
        "Name",
        "Description",
        "Website",
        "Email",
        "Status",
        "Ages",
        "Contacts",
        "Costs",
        "Locations",
        "Categories",
        "Opening hours",
    ]
    assert not any(row.changed for row in rows)


def test_changed_fields_are_marked_and_shown_in_words():
    service = make_listing()
    current = moderation.snapshot(service)
    proposed = moderation.snapshot(service)
    proposed["maximum_age"] = 25
    proposed["cost_options"][0]["amount"] = "0.00"
    proposed["taxonomy_terms"].append(str(make_term("Health").id))
    proposed["opening_hours"]["days"]["SA"] = ["10:00", "12:30"]
    rows = {row.label: row for row in compare(current, proposed)}

    assert {label for label, row in rows.items() if row.changed} == {
        "Ages",
        "Costs",
        "Categories",
        "Opening hours",
    }
    assert (rows["Ages"].current, rows["Ages"].proposed) == (
        ["From 18 to any age"],
        ["From 18 to 25"],
    )
    assert rows["Costs"].current == ["per week – £3.50"]
    assert rows["Costs"].proposed == ["per week – free"]
    assert rows["Categories"].proposed == ["Food", "Health"]
    assert rows["Opening hours"].current[5] == "Saturday: closed"
    assert rows["Opening hours"].proposed[5] == "Saturday: 10am to 12:30pm"
    assert rows["Contacts"].current == ["Enquiries: 01942 100000"]
    assert rows["Locations"].current == ["Community room, Sherwood Crescent, Wigan, WN5 9RN"]
