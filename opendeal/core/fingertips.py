"""Read the Fingertips API CSV: the Deal's headline figures for one area, and the columns and
periods that the observatory's importer (`opendeal.observatory.importers.fingertips`) shares.

Columns are found by name, in any of the spellings in use: the API's own (`Lower CI 95.0
limit`), fingertipsR's without spaces (`LowerCI95.0limit`) and R's `write.csv` with dots
(`Lower.CI.95.0.limit`). The comparison column after `Compared to England value or
percentiles` is named after the parent area type and is not read; older downloads lack
`Time period range`. Category breakdown rows (a non-empty `Category Type`) are not headline
figures.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

REQUIRED_COLUMNS = ("Area Code", "Sex", "Category Type", "Time period", "Value")
# Every column the observatory reads, by the API's own name.
KNOWN_COLUMNS = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Compared to England value or percentiles",
    "Time period Sortable",
    "Time period range",
)
# How R writes an empty API field.
EMPTY_VALUES = frozenset({"", "NA"})

_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{2})$")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


class FingertipsFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    period: str
    period_end: datetime.date
    value: Decimal


def _spelling(name: str) -> str:
    """A column name with case, spaces, dots and BOM ignored: "Lower.CI.95.0.limit" and
    "Lower CI 95.0 limit" are the same column."""
    return _NOT_ALPHANUMERIC.sub("", name.lower())


def find_columns(
    header: Sequence[str] | None, required: Iterable[str], file_name: str
) -> dict[str, int]:
    """Positions of the known columns present, by API name; every `required` one must be there
    (else FingertipsFormatError naming all that are missing)."""
    positions = {_spelling(name): index for index, name in enumerate(header or ())}
    found = {
        name: positions[_spelling(name)] for name in KNOWN_COLUMNS if _spelling(name) in positions
    }
    missing = [name for name in required if name not in found]
    if missing:
        raise FingertipsFormatError(f"{file_name}: missing columns {', '.join(missing)}")
    return found


def number(text: str) -> Decimal | None:
    """A field as a Decimal, None when empty; InvalidOperation when it is not a number."""
    text = text.strip()
    if text in EMPTY_VALUES:
        return None
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


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


def period_start_year(period: str) -> int:
    """The first year of a period ("2018 - 20" → 2018), as `Time period Sortable` counts it."""
    match = re.match(r"^\s*(\d{4})", period)
    if not match:
        raise FingertipsFormatError(f"Unrecognised time period {period!r}")
    return int(match[1])


def period_range(period: str) -> str:
    """`Time period range` worked out from the period, for files without that column."""
    text = period.strip()
    if match := _YEAR_RANGE.match(text):
        return f"{(period_end(text).year - int(match[1])) + 1}y"
    return "1y"


def headline_series(path: Path, area_code: str, sex: str = "Persons") -> list[Figure]:
    """The area's headline figures for one sex, oldest first; rows without a value are skipped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        columns = find_columns(next(reader, None), REQUIRED_COLUMNS, path.name)
        area, sex_at, category_type, period, value_at = (columns[name] for name in REQUIRED_COLUMNS)
        figures = {}
        for row_number, row in enumerate(reader, start=2):
            if row[area] != area_code or row[sex_at] != sex or row[category_type].strip():
                continue
            try:
                value = number(row[value_at])
            except InvalidOperation as error:
                raise FingertipsFormatError(
                    f"{path.name}, row {row_number}, column Value: {row[value_at]!r} is not a number"
                ) from error
            if value is not None:
                figures[row[period]] = Figure(row[period], period_end(row[period]), value)
    return sorted(figures.values(), key=lambda figure: figure.period_end)
