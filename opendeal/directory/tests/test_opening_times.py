"""Opening times in plain English from the standard's RRULE-shaped schedules."""

import datetime as dt

import pytest

from opendeal.directory.models import Schedule
from opendeal.directory.opening_times import describe_schedule, describe_schedules, time_in_words


def schedule(**fields) -> Schedule:
    # Unsaved: describing a schedule reads only its fields.
    for name in ("opens_at", "closes_at"):
        if isinstance(fields.get(name), str):
            fields[name] = dt.time.fromisoformat(fields[name])
    return Schedule(**fields)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (dt.time(9, 0), "9am"),
        (dt.time(17, 30), "5:30pm"),
        (dt.time(12, 0), "midday"),
        (dt.time(0, 0), "midnight"),
        (dt.time(12, 15), "12:15pm"),
        (dt.time(0, 5), "12:05am"),
    ],
)
def test_times_in_govuk_style(value, words):
    assert time_in_words(value) == words


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00",
                "closes_at": "17:00",
            },
            "Monday to Friday, 9am to 5pm",
        ),
        (
            {"freq": "WEEKLY", "byday": "TU,TH", "opens_at": "10:00", "closes_at": "12:00"},
            "Tuesday and Thursday, 10am to midday",
        ),
        (
            {"freq": "WEEKLY", "byday": "SA,MO,TU,WE", "opens_at": "09:30", "closes_at": "13:00"},
            "Monday to Wednesday and Saturday, 9:30am to 1pm",
        ),
        (
            {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "08:00"},
            "Every day, from 8am",
        ),
        (
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "WE",
                "opens_at": "18:00",
                "closes_at": "20:00",
            },
            "Every other Wednesday, 6pm to 8pm",
        ),
        (
            {"freq": "WEEKLY", "interval": 3, "byday": "FR", "closes_at": "15:00"},
            "Every 3 weeks on Friday, until 3pm",
        ),
        (
            {"freq": "MONTHLY", "byday": "1MO", "opens_at": "19:00", "closes_at": "21:00"},
            "The first Monday of each month, 7pm to 9pm",
        ),
        (
            {"freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00", "closes_at": "11:00"},
            "The last Friday of each month, 10am to 11am",
        ),
        (
            {"freq": "MONTHLY", "bymonthday": "1,15", "opens_at": "10:00", "closes_at": "11:00"},
            "The 1st and the 15th of each month, 10am to 11am",
        ),
        (
            {
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "10:00",
                "closes_at": "11:00",
                "valid_from": dt.date(2026, 1, 5),
                "valid_to": dt.date(2026, 3, 30),
            },
            "Monday, 10am to 11am, from 5 January 2026 to 30 March 2026",
        ),
    ],
)
def test_rules_in_words(fields, words):
    assert describe_schedule(schedule(**fields)) == words


def test_a_rule_beyond_words_falls_back_to_its_description():
    odd = schedule(freq="WEEKLY", byday="2MO", description="Second Monday, ring first")
    assert describe_schedule(odd) == "Second Monday, ring first"
    assert describe_schedule(schedule(description="By appointment")) == "By appointment"
    assert describe_schedule(schedule(freq="WEEKLY", byday="XX")) == ""


def test_schedules_in_words_drop_repeats_and_blanks():
    rows = [
        schedule(freq="WEEKLY", byday="MO", opens_at="09:00", closes_at="12:00"),
        schedule(freq="WEEKLY", byday="MO", opens_at="09:00", closes_at="12:00"),
        schedule(),
        schedule(description="Closed on bank holidays"),
    ]
    assert describe_schedules(rows) == ["Monday, 9am to midday", "Closed on bank holidays"]
