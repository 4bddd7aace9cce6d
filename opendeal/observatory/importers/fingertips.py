"""Import the OHID Fingertips API CSV (`all_data/csv/by_indicator_id`) as releases.

The layout is described in the shared data's FINGERTIPS-FORMAT.md; columns are found by name
through `opendeal.core.fingertips` (which the Deal's own reader uses too). One file may hold
several indicators: each becomes its own release. Rows with a `Category Type` are category
breakdowns and are stored apart from the headline figures. `Time period Sortable` and
`Time period range` are worked out from `Time period` when a file lacks them.

The CSV carries no unit or polarity; those of the indicators the observatory knows are in
`KNOWN_INDICATORS` (from Fingertips' indicator metadata); others are imported without them.
"""

import csv
import datetime
import operator
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import InvalidOperation
from pathlib import Path
from typing import TextIO

from django.conf import settings

from opendeal.core import fingertips as columns_of
from opendeal.core.fingertips import FingertipsFormatError
from opendeal.observatory.models import Polarity, Source

from .base import (
    ImportReport,
    IndicatorSpec,
    ParsedFigure,
    RowError,
    checksum,
    lines_with_progress,
    progress_bar,
    write_releases,
)

REQUIRED_COLUMNS = (
    "Indicator ID",
    "Indicator Name",
    "Area Code",
    "Area Name",
    "Sex",
    "Age",
    "Category Type",
    "Time period",
    "Value",
)
NUMERIC_COLUMNS = (
    ("Value", "value"),
    ("Lower CI 95.0 limit", "lower_ci_95"),
    ("Upper CI 95.0 limit", "upper_ci_95"),
    ("Lower CI 99.8 limit", "lower_ci_99_8"),
    ("Upper CI 99.8 limit", "upper_ci_99_8"),
    ("Count", "count"),
    ("Denominator", "denominator"),
)
# Unit and polarity from Fingertips' indicator metadata, for the indicators behind the Wigan
# Deal's claims.
KNOWN_INDICATORS: dict[str, tuple[str, str]] = {
    "90362": ("years", Polarity.HIGHER_IS_BETTER),
    "90366": ("years", Polarity.HIGHER_IS_BETTER),
    "92443": ("%", Polarity.LOWER_IS_BETTER),
    "93014": ("%", Polarity.HIGHER_IS_BETTER),
    "93015": ("%", Polarity.LOWER_IS_BETTER),
    "93721": ("per 100,000", Polarity.LOWER_IS_BETTER),
    "40502": ("per 100,000", Polarity.LOWER_IS_BETTER),
    "40401": ("per 100,000", Polarity.LOWER_IS_BETTER),
    "40501": ("per 100,000", Polarity.LOWER_IS_BETTER),
    "90631": ("%", Polarity.HIGHER_IS_BETTER),
}


def indicator_spec(indicator_id: str, name: str) -> IndicatorSpec:
    unit, polarity = KNOWN_INDICATORS.get(indicator_id, ("", Polarity.NO_JUDGEMENT))
    return IndicatorSpec(Source.FINGERTIPS, indicator_id, name, unit, polarity)


def import_fingertips(
    path: Path,
    *,
    label: str = "",
    published_on: datetime.date | None = None,
    progress: TextIO | None = None,
) -> ImportReport:
    """Import one Fingertips CSV file, all or nothing."""
    with (
        path.open(encoding="utf-8-sig", newline="") as stream,
        progress_bar(path, "Importing Fingertips", progress) as bar,
    ):
        return write_releases(
            read_figures(lines_with_progress(stream, bar), path.name),
            file_name=path.name,
            checksum=checksum([path]),
            label=label or path.stem,
            published_on=published_on,
        )


def read_figures(lines, file_name: str) -> Iterator[ParsedFigure | RowError]:
    reader = csv.reader(lines)
    try:
        found = columns_of.find_columns(next(reader, None), REQUIRED_COLUMNS, file_name)
    except FingertipsFormatError as error:
        yield RowError(file_name, 1, None, str(error).removeprefix(f"{file_name}: ") + ".")
        return
    specs: dict[tuple[str, str], IndicatorSpec] = {}
    periods: dict[tuple[str, str, str], tuple | None] = {}
    needed = max(found.values()) + 1
    # Positions of the text columns (-1 when absent) and of the numeric ones present. The
    # loop is written flat: it runs once per row of files of half a million rows.
    text_columns = (
        "Indicator ID",
        "Indicator Name",
        "Area Code",
        "Area Name",
        "Sex",
        "Age",
        "Category Type",
        "Category",
        "Time period",
        "Time period Sortable",
        "Time period range",
        "Value note",
        "Compared to England value or percentiles",
    )
    # An absent column reads the empty field appended to every row.
    text_fields = operator.itemgetter(*(found.get(name, -1) for name in text_columns))
    numeric_at = [
        (found[column], column, attribute)
        for column, attribute in NUMERIC_COLUMNS
        if column in found
    ]
    absent = {attribute: None for column, attribute in NUMERIC_COLUMNS if column not in found}
    empty = columns_of.EMPTY_VALUES
    for row_number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < needed:
            yield RowError(file_name, row_number, None, f"has {len(row)} fields, not {needed}.")
            continue
        row.append("")
        fields = text_fields(row)
        if "NA" in fields:  # R's empty field
            fields = tuple("" if text == "NA" else text for text in fields)
        (
            indicator_id,
            indicator_name,
            area_code,
            area_name,
            sex,
            age,
            category_type,
            category,
            period,
            sortable,
            period_range,
            value_note,
            comparison,
        ) = fields
        indicator = specs.get((indicator_id, indicator_name))
        if indicator is None:
            indicator = specs[indicator_id, indicator_name] = indicator_spec(
                indicator_id, indicator_name
            )
        period_key = (period, sortable, period_range)
        if period_key not in periods:
            periods[period_key] = _period(*period_key)
        if periods[period_key] is None:
            yield RowError(file_name, row_number, "Time period", f"{period!r} is not a period.")
            continue
        numbers = dict(absent)
        bad = False
        for at, column, attribute in numeric_at:
            text = row[at]
            if text in empty:
                numbers[attribute] = None
                continue
            try:
                numbers[attribute] = columns_of.number(text)
            except InvalidOperation:
                bad = True
                yield RowError(file_name, row_number, column, f"{text!r} is not a number.")
        if bad:
            continue
        period_end, period_sortable, period_range = periods[period_key]
        yield ParsedFigure(
            row_number,
            indicator,
            area_code,
            area_name,
            sex,
            age,
            period,
            period_sortable,
            period_end,
            period_range=period_range,
            value_note=value_note,
            published_comparison=comparison,
            category_type=category_type,
            category=category,
            **numbers,
        )


def _period(period: str, sortable: str, period_range: str) -> tuple | None:
    """End date, sortable number and range of a period; None when it is not one."""
    try:
        return (
            columns_of.period_end(period),
            int(sortable) if sortable else columns_of.period_start_year(period) * 10_000,
            period_range or columns_of.period_range(period),
        )
    except (FingertipsFormatError, ValueError):
        return None


def fetch(indicator_id: int, area_type_id: int, destination: Path, timeout: float = 120) -> Path:
    """Download one indicator for one area type from the Fingertips API
    (`settings.OPENDEAL_FINGERTIPS_API_URL`) to `destination`."""
    query = urllib.parse.urlencode(
        {
            "indicator_ids": indicator_id,
            "child_area_type_id": area_type_id,
            "parent_area_type_id": 15,  # England
        }
    )
    url = f"{settings.OPENDEAL_FINGERTIPS_API_URL.rstrip('/')}/all_data/csv/by_indicator_id?{query}"
    request = urllib.request.Request(url, headers={"User-Agent": "OpenDeal"})
    partial = destination.with_suffix(".partial")
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            partial.open("wb") as out,
        ):
            while block := response.read(1 << 20):
                out.write(block)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(destination)
    return destination
