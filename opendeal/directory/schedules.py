"""Opening hours as people edit them (each weekday closed, or open from one time to another,
plus a note) and as the standard stores them: weekly RRULE `Schedule` rows.

Days with the same hours share one row (`freq` WEEKLY, `byday` "MO,TU,WE", `opens_at`,
`closes_at`); the note is each row's `description`, or a row of its own when no day has hours
("By appointment"). Rows the simple form cannot express (monthly rules, a second session on the
same day, rows tied to one location) are left alone when hours are saved.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Schedule
from .opening_times import time_in_words

WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
)
DAY_CODES = tuple(code for code, _ in WEEKDAYS)
DAY_NAMES = dict(WEEKDAYS)

Hours = tuple[datetime.time, datetime.time]


@dataclass
class OpeningHours:
    """Each weekday ("MO" … "SU") open from one time to another, or absent when closed."""

    days: dict[str, Hours] = field(default_factory=dict)
    note: str = ""

    def to_json(self) -> dict:
        return {
            "days": {
                code: [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
                for code, (opens, closes) in sorted(
                    self.days.items(), key=lambda item: DAY_CODES.index(item[0])
                )
            },
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "OpeningHours":
        data = data or {}
        days = {
            code: (datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
            for code, (opens, closes) in (data.get("days") or {}).items()
        }
        return cls(days=days, note=data.get("note", ""))

    def describe(self) -> list[str]:
        """One line per weekday, for pages and diffs: "Monday: 9am to 5pm" or "Monday: closed"."""
        lines = []
        for code, name in WEEKDAYS:
            hours = self.days.get(code)
            lines.append(
                f"{name}: {time_in_words(hours[0])} to {time_in_words(hours[1])}"
                if hours
                else f"{name}: closed"
            )
        if self.note:
            lines.append(f"Note: {self.note}")
        return lines


def is_simple(row: Schedule) -> bool:
    """Whether the opening-hours form owns this row (and may replace it)."""
    if row.location_id or row.service_at_location_id:
        return False
    if row.freq == Schedule.Frequency.WEEKLY:
        return bool(row.byday and row.opens_at and row.closes_at) and not (
            row.bymonthday or row.byweekno or row.byyearday or (row.interval or 1) != 1
        )
    # A note on its own.
    return not row.freq and not row.byday and not row.opens_at and bool(row.description)


def from_schedules(rows: Iterable[Schedule]) -> OpeningHours:
    """Read the simple rows into opening hours (the earliest session when a day has two)."""
    hours = OpeningHours()
    for row in sorted(rows, key=lambda row: row.opens_at or datetime.time.min):
        if not is_simple(row):
            continue
        hours.note = hours.note or row.description
        for code in row.byday.split(",") if row.byday else ():
            code = code.strip().upper()
            if code in DAY_CODES and code not in hours.days:
                hours.days[code] = (row.opens_at, row.closes_at)
    return hours


def to_schedule_fields(hours: OpeningHours) -> list[dict]:
    """The Schedule rows (as field values) that store these hours, days with equal hours
    together, in weekday order of their first day."""
    groups: dict[Hours, list[str]] = {}
    for code in DAY_CODES:
        if code in hours.days:
            groups.setdefault(hours.days[code], []).append(code)
    rows = [
        {
            "freq": Schedule.Frequency.WEEKLY,
            "wkst": "MO",
            "byday": ",".join(codes),
            "opens_at": opens,
            "closes_at": closes,
            "description": hours.note,
        }
        for (opens, closes), codes in groups.items()
    ]
    if not rows and hours.note:
        rows.append({"description": hours.note})
    return rows
