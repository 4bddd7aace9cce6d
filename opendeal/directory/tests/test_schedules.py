"""Opening hours: the simple form's days and times ↔ the standard's weekly RRULE rows."""

import datetime
import uuid

import pytest

from opendeal.directory import schedules
from opendeal.directory.demo import parse_hours
from opendeal.directory.listing_forms import ListingForm
from opendeal.directory.models import Schedule, Service
from opendeal.directory.moderation import snapshot

T = datetime.time


def test_days_with_the_same_hours_share_one_weekly_row_in_weekday_order():
    hours = schedules.OpeningHours(
        days={
            "SA": (T(10), T(12)),
            "MO": (T(9), T(17)),
            "WE": (T(9), T(17)),
            "FR": (T(9), T(16, 30)),
        },
        note="Closed on bank holidays",
    )
    rows = schedules.to_schedule_fields(hours)
    assert [(row["byday"], row["opens_at"], row["closes_at"]) for row in rows] == [
        ("MO,WE", T(9), T(17)),
        ("FR", T(9), T(16, 30)),
        ("SA", T(10), T(12)),
    ]
    assert {row["freq"] for row in rows} == {"WEEKLY"}
    assert {row["description"] for row in rows} == {"Closed on bank holidays"}


def test_a_note_without_hours_is_a_row_of_its_own():
    assert schedules.to_schedule_fields(schedules.OpeningHours(note="By appointment")) == [
        {"description": "By appointment"}
    ]
    assert schedules.to_schedule_fields(schedules.OpeningHours()) == []


@pytest.mark.django_db
def test_rows_read_back_into_the_same_hours():
    service = Service.objects.create(id=uuid.uuid4(), name="Café", status="active")
    hours = parse_hours("MO-FR 09:00-17:00; SA 10:00-12:00")
    hours.note = "Closed on bank holidays"
    for fields in schedules.to_schedule_fields(hours):
        Schedule.objects.create(id=uuid.uuid4(), service=service, **fields)
    read = schedules.from_schedules(service.schedules.all())
    assert read == hours
    assert Schedule.objects.filter(service=service).count() == 2


@pytest.mark.django_db
def test_rows_the_form_cannot_express_are_not_read_as_its_own():
    service = Service.objects.create(id=uuid.uuid4(), name="Café", status="active")
    monthly = Schedule.objects.create(
        id=uuid.uuid4(),
        service=service,
        freq="MONTHLY",
        byday="-1FR",
        opens_at=T(19),
        closes_at=T(21),
    )
    fortnightly = Schedule.objects.create(
        id=uuid.uuid4(),
        service=service,
        freq="WEEKLY",
        interval=2,
        byday="TU",
        opens_at=T(10),
        closes_at=T(12),
    )
    assert not schedules.is_simple(monthly) and not schedules.is_simple(fortnightly)
    assert schedules.from_schedules([monthly, fortnightly]) == schedules.OpeningHours()


def test_hours_describe_each_day_in_words():
    hours = parse_hours("MO 09:00-17:30; TH 12:00-14:00")
    assert hours.describe()[:4] == [
        "Monday: 9am to 5:30pm",
        "Tuesday: closed",
        "Wednesday: closed",
        "Thursday: midday to 2pm",
    ]


@pytest.mark.django_db
def test_the_form_round_trips_hours_through_a_snapshot():
    service = Service.objects.create(id=uuid.uuid4(), name="Café", status="active")
    listing = snapshot(service)
    data = {"name": "Café", "status": "active", "TU_opens": "09:30", "TU_closes": "13:00"}
    data |= {"SA_opens": "10.00", "SA_closes": "1200", "hours_note": " Closed at Christmas "}
    form = ListingForm(data, listing=listing)
    assert form.is_valid(), form.errors
    proposed = form.to_listing()
    assert proposed["opening_hours"] == {
        "days": {"TU": ["09:30", "13:00"], "SA": ["10:00", "12:00"]},
        "note": "Closed at Christmas",
    }
    # Shown again, the form holds the same times.
    again = ListingForm(listing={**listing, **proposed})
    assert again.initial["TU_opens"] == "09:30" and again.initial["SA_closes"] == "12:00"
    assert again.initial["hours_note"] == "Closed at Christmas"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        ("09:00", "", "MO_closes", "Enter both times for Monday, or neither if it is closed"),
        ("17:00", "09:00", "MO_closes", "The closing time on Monday must be after it opens"),
        ("25:00", "26:00", "MO_opens", "Enter a time in 24-hour format, like 09:30 or 17:00"),
    ],
)
def test_the_form_refuses_hours_that_make_no_sense(opens, closes, field, message):
    service = Service.objects.create(id=uuid.uuid4(), name="Café", status="active")
    form = ListingForm(
        {"name": "Café", "status": "active", "MO_opens": opens, "MO_closes": closes},
        listing=snapshot(service),
    )
    assert not form.is_valid()
    assert form.errors[field] == [message]
