"""An event's venue as a place in the community directory (or typed, or online)."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opendeal.core.roles import Role
from opendeal.directory import models as directory
from opendeal.directory.tests.public_listings import WIGAN, make_listing, make_place
from opendeal.events import calendar, editing
from opendeal.events.models import Event

from .factories import make_event
from .test_editing import event_fields
from .test_manage_views import EVENT_POST

pytestmark = pytest.mark.django_db


@pytest.fixture
def life_centre() -> directory.Location:
    return make_place(WIGAN, name="Wigan Life Centre", address_1="The Wiend", postcode="WN1 1NH")


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


def in_directory(location, **overrides) -> dict:
    fields = {"venue_name": "", "venue_address": "", "venue_postcode": "", **overrides}
    return event_fields(location=location, **fields)


def test_an_event_at_a_directory_location_takes_its_name_and_address(officer, life_centre):
    event = editing.create_event(officer, **in_directory(life_centre))
    event = Event.objects.get(pk=event.pk)
    assert event.location == life_centre
    venue = event.venue
    assert (venue.name, venue.address_lines, venue.postcode) == (
        "Wigan Life Centre",
        ("The Wiend", "Wigan"),
        "WN1 1NH",
    )
    assert event.is_online is False
    assert calendar.location_text(event) == "Wigan Life Centre, The Wiend, Wigan, WN1 1NH"


def test_a_room_can_be_named_at_a_directory_location(officer, life_centre):
    event = editing.create_event(officer, **in_directory(life_centre, venue_name="Room 2"))
    assert event.venue.name == "Room 2"
    assert event.venue.address_lines == ("The Wiend", "Wigan")


def test_a_typed_address_beside_a_directory_location_is_refused(officer, life_centre):
    with pytest.raises(ValidationError) as refused:
        editing.create_event(officer, **in_directory(life_centre, venue_address="Elsewhere"))
    assert refused.value.message_dict == {
        "venue_address": [
            "Leave the venue address empty when the venue is in the directory: its address "
            "comes from there."
        ]
    }
    assert Event.objects.count() == 0


def test_typed_venues_and_online_events_work_as_before(officer):
    typed = editing.create_event(officer, **event_fields())
    assert (typed.venue.name, typed.venue.address_lines) == (
        "Wigan Life Centre",
        ("College Avenue",),
    )
    online = editing.create_event(
        officer,
        **event_fields(
            venue_name="",
            venue_address="",
            venue_postcode="",
            online_url="https://meet.example.org/x",
        ),
    )
    assert online.venue is None and online.is_online is True
    assert calendar.location_text(online) == "Online"


def test_the_event_page_shows_the_address_and_links_to_the_directory(client, life_centre):
    service = make_listing("Community cafe", location=life_centre)
    make_listing("Closed club", location=life_centre, status="defunct")
    event = make_event(location=life_centre, venue_name="", venue_address="", venue_postcode="")
    html = client.get(reverse("events:detail", args=[event.public_id])).content.decode()
    assert "Wigan Life Centre<br>The Wiend<br>Wigan<br>WN1 1NH" in html
    assert f'href="{reverse("directory:service", args=[service.id])}">Community cafe</a>' in html
    assert "Closed club" not in html
    # The list of events shows the same place.
    listing = client.get(reverse("events:list")).content.decode()
    assert "Wigan Life Centre<br>The Wiend" in listing


def test_the_api_gives_the_directory_address_as_the_venue(client, life_centre):
    make_event(location=life_centre, venue_name="", venue_address="", venue_postcode="")
    [data] = client.get("/api/events").json()
    assert data["venue"] == {
        "name": "Wigan Life Centre",
        "address": "The Wiend\nWigan",
        "postcode": "WN1 1NH",
    }
    assert data["is_online"] is False


def test_an_officer_picks_a_location_on_the_event_form(sign_in, officer, life_centre):
    directory.Location.objects.create(id=uuid.uuid4(), location_type="virtual", name="Zoom")
    client = sign_in(officer)
    form = client.get(reverse("events:manage-create")).content.decode()
    assert f'value="{life_centre.id}">Wigan Life Centre, The Wiend, WN1 1NH</option>' in form
    assert "Zoom" not in form
    post = {**EVENT_POST, "location": str(life_centre.id), "venue_name": "", "venue_address": ""}
    post["venue_postcode"] = ""
    response = client.post(reverse("events:manage-create"), post)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.location == life_centre
    edit = client.get(reverse("events:manage-edit", args=[event.public_id])).content.decode()
    assert f'<option value="{life_centre.id}" selected>' in edit


def test_a_location_removed_from_the_directory_leaves_the_event(officer, life_centre):
    event = editing.create_event(officer, **in_directory(life_centre, venue_name="Main hall"))
    life_centre.delete()
    event.refresh_from_db()
    assert event.location is None
    assert event.venue.name == "Main hall"
