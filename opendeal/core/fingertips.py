"""Read headline figures for one area from a Fingertips API CSV download.

Columns are found by name (the comparison column's name varies with the parent area type, and
older downloads lack `Time period range`). Category breakdown rows (a non-empty `Category Type`)
are left out: only the headline series is read.
"""

import csv
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

REQUIRED_COLUMNS = ("Area Code", "Sex", "Category Type", "Time period", "Value")

_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{2})$")


class FingertipsFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    period: str
    period_end: datetime.date
    value: Decimal


def period_end(period: str) -> datetime.date:
    """The last day a Fingertips time period covers: "2019" → 31 Dec 2019,
    "2015/16" → 31 Mar 2016, "2018 - 20" → 31 Dec 2020."""
    text = period.strip()
    if match := _YEAR.match(text):
        return datetime.date(int(match[1]), 12, 31)
    if match := _FINANCIAL_YEAR.match(text):
        return datetime.date(int(match[1]) + 1, 3, 31)
    if match := _YEAR_RANGE.match(text):
        start = int(match[1])
        end = start - start % 100 + int(match[2])
        return datetime.date(end if end >= start else end + 100, 12, 31)
    raise FingertipsFormatError(f"Unrecognised time period {period!r}")


def headline_series(path: Path, area_code: str, sex: str = "Persons") -> list[Figure]:
    """The area's headline figures for one sex, oldest first; rows without a value are skipped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise FingertipsFormatError(f"{path.name}: missing columns {', '.join(missing)}")
        figures = {}
        for row_number, row in enumerate(reader, start=2):
            if row["Area Code"] != area_code or row["Sex"] != sex or row["Category Type"]:
                continue
            if not row["Value"].strip():
                continue
            try:
                value = Decimal(row["Value"])
            except InvalidOperation as error:
                raise FingertipsFormatError(
                    f"{path.name}, row {row_number}, column Value: {row['Value']!r} is not a number"
                ) from error
            figures[row["Time period"]] = Figure(
                row["Time period"], period_end(row["Time period"]), value
            )
    return sorted(figures.values(), key=lambda figure: figure.period_end)
