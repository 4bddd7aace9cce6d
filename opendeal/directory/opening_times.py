"""Opening times in plain English, from the standard's RRULE-shaped schedules.

"Monday to Friday, 9am to 5pm", "Every other Tuesday, 10am to midday", "The last Friday of
each month, 7pm to 9pm", in the GOV.UK style for times (9am, 5:30pm, midday, midnight).
A schedule the words cannot capture falls back to its own `description`.
"""

import datetime
import re

from django.utils import timezone
from django.utils.formats import date_format

from .models import Schedule

DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
DAY_ORDER = list(DAY_NAMES)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
# "MO", "1MO", "-1FR", "+2TU"
BYDAY_PART = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def time_in_words(value: datetime.time) -> str:
    """9am, 5:30pm, midday, midnight."""
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


def _hours(schedule: Schedule) -> str:
    opens, closes = schedule.opens_at, schedule.closes_at
    if opens and closes:
        return f"{time_in_words(opens)} to {time_in_words(closes)}"
    if opens:
        return f"from {time_in_words(opens)}"
    if closes:
        return f"until {time_in_words(closes)}"
    return ""


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _parse_byday(byday: str) -> list[tuple[int | None, str]]:
    """[(ordinal or None, "MO"), …]; raises ValueError on anything else."""
    parts = []
    for raw in byday.upper().replace(" ", "").split(","):
        if not raw:
            continue
        match = BYDAY_PART.match(raw)
        if match is None:
            raise ValueError(raw)
        ordinal = int(match.group(1)) if match.group(1) else None
        parts.append((ordinal, match.group(2)))
    return parts


def _weekday_words(days: list[str]) -> str:
    """Runs of three or more consecutive days become "Monday to Friday"."""
    indexes = sorted({DAY_ORDER.index(day) for day in days})
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    words = []
    for run in runs:
        names = [DAY_NAMES[DAY_ORDER[index]] for index in run]
        if len(run) >= 3:
            words.append(f"{names[0]} to {names[-1]}")
        else:
            words.extend(names)
    return _join(words)


def _weekly(schedule: Schedule, days: list[tuple[int | None, str]]) -> str:
    if not days:
        return "Every week" if not schedule.interval or schedule.interval == 1 else ""
    if any(ordinal is not None for ordinal, _ in days):
        raise ValueError("ordinals in a weekly rule")
    day_words = _weekday_words([day for _, day in days])
    interval = schedule.interval or 1
    if interval == 1:
        return "Every day" if len({day for _, day in days}) == 7 else day_words
    if interval == 2:
        return f"Every other {day_words}"
    return f"Every {interval} weeks on {day_words}"


def _monthday_words(bymonthday: str) -> str:
    days = [int(part) for part in bymonthday.replace(" ", "").split(",") if part]
    words = ["the last day" if day == -1 else f"the {_ordinal_number(day)}" for day in days]
    return _join(words)


def _ordinal_number(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _monthly(schedule: Schedule, days: list[tuple[int | None, str]]) -> str:
    interval = schedule.interval or 1
    period = "each month" if interval == 1 else f"every {interval} months"
    if days:
        words = []
        for ordinal, day in days:
            if ordinal not in ORDINALS:
                raise ValueError(f"ordinal {ordinal}")
            words.append(f"{ORDINALS[ordinal]} {DAY_NAMES[day]}")
        return f"The {_join(words)} of {period}"
    if schedule.bymonthday:
        text = _monthday_words(schedule.bymonthday)
        return text[0].upper() + text[1:] + f" of {period}"
    return ""


def _validity(schedule: Schedule) -> str:
    start = schedule.valid_from or schedule.dtstart
    end = schedule.valid_to or schedule.until
    if start and end:
        return f"from {_date(start)} to {_date(end)}"
    if start and start > timezone.localdate():
        return f"from {_date(start)}"
    if end:
        return f"until {_date(end)}"
    return ""


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def describe_schedule(schedule: Schedule) -> str:
    """One schedule in words; its description when the rule is missing or beyond words."""
    try:
        days = _parse_byday(schedule.byday)
        if schedule.freq == Schedule.Frequency.WEEKLY:
            when = _weekly(schedule, days)
        elif schedule.freq == Schedule.Frequency.MONTHLY:
            when = _monthly(schedule, days)
        else:
            when = ""
    except ValueError:
        when = ""
    if not when:
        return schedule.description.strip()
    sentence = ", ".join(part for part in (when, _hours(schedule), _validity(schedule)) if part)
    return sentence


def describe_schedules(schedules) -> list[str]:
    """Each schedule in words, in a stable order, without repeats or blanks."""
    lines: list[str] = []
    for schedule in schedules:
        line = describe_schedule(schedule)
        if line and line not in lines:
            lines.append(line)
    return lines
