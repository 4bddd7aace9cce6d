"""Load the ONS Postcode Directory (ONSPD) CSV into `Postcode`.

The ONSPD has one row per postcode, live or terminated, for the whole UK (about 2.7 million
rows). Columns are found by name in the header, so a new release's extra or reordered columns
do not matter:

- `pcds`: the postcode ("WN1 1AA");
- `doterm`: the month it was terminated, YYYYMM, empty while it is in use;
- `lat`, `long`: WGS84 degrees; the ONSPD writes latitude 99.999999 for a postcode with no grid
  reference, which is stored as no coordinates;
- `lsoa21cd`: the 2021 Lower layer Super Output Area;
- `wd25cd` and `lad25cd`: the ward and the local authority; a file from another year has
  `wdNNcd` and `ladNNcd`, and the newest of those present is used.

The file is streamed and written in batches, never held in memory. The whole import is one
transaction: a bad row raises `ImportFailed` naming the file, row (the header is row 1) and
column, and nothing is written. Postcodes already loaded are updated in place, so importing a
new release over an old one is safe.
"""

import csv
import datetime
import re
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from django.db import transaction
from tqdm import tqdm

from opendeal.core import audit
from opendeal.geography.models import Postcode

BATCH_SIZE = 5_000
# The ONSPD's latitude for "no grid reference" (its longitude is then 0.000000).
NO_COORDINATES_LATITUDE = Decimal("99.999999")
UPDATED_FIELDS = [
    "latitude",
    "longitude",
    "lsoa21_code",
    "ward_code",
    "local_authority_code",
    "terminated_on",
]
_BYTE_ORDER_MARK = "\ufeff"
_COORDINATE_PLACES = Decimal("0.000001")
_YEAR_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_CODE = re.compile(r"^[A-Z0-9]{0,9}$")
_POSTCODE = re.compile(r"^[A-Z0-9]{2,4} [0-9][A-Z]{2}$")


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, file_name: str, row: int | None, column: str | None, message: str):
        self.file_name = file_name
        self.row = row
        self.column = column
        place = ", ".join(
            part
            for part in (
                f"row {row}" if row is not None else "",
                f"column {column}" if column else "",
            )
            if part
        )
        super().__init__(f"{file_name}, {place}: {message}" if place else f"{file_name}: {message}")


@dataclass
class ImportReport:
    file_name: str
    rows_read: int = 0
    imported: int = 0
    created: int = 0
    without_coordinates: int = 0
    terminated: int = 0
    outside_local_authorities: int = 0
    ward_column: str = ""
    local_authority_column: str = ""

    @property
    def updated(self) -> int:
        return self.imported - self.created

    def __str__(self) -> str:
        lines = [
            f"{self.file_name}: read {self.rows_read:,} rows "
            f"(wards from {self.ward_column}, local authorities from "
            f"{self.local_authority_column}).",
            f"Imported {self.imported:,} postcodes: {self.created:,} new, "
            f"{self.updated:,} updated; {self.terminated:,} terminated, "
            f"{self.without_coordinates:,} without coordinates.",
        ]
        if self.outside_local_authorities:
            lines.append(
                f"Skipped {self.outside_local_authorities:,} postcodes outside the chosen "
                "local authorities."
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Columns:
    """Where each needed field is in a row."""

    postcode: int
    terminated: int
    latitude: int
    longitude: int
    lsoa: int
    ward: int
    local_authority: int
    ward_name: str
    local_authority_name: str

    @property
    def needed(self) -> int:
        return 1 + max(
            self.postcode,
            self.terminated,
            self.latitude,
            self.longitude,
            self.lsoa,
            self.ward,
            self.local_authority,
        )


def import_postcodes(
    path: Path,
    local_authority_codes: Collection[str] = (),
    progress: TextIO | None = None,
) -> ImportReport:
    """Import an ONSPD CSV file; only the given local authorities' postcodes if any are given.

    `progress` is where the progress bar is drawn (standard error by default)."""
    wanted = {code.strip().upper() for code in local_authority_codes if code.strip()}
    report = ImportReport(file_name=path.name)
    size = path.stat().st_size
    with (
        path.open(encoding="utf-8-sig", newline="") as stream,
        tqdm(
            total=size,
            desc="Importing postcodes",
            unit="B",
            unit_scale=True,
            file=progress if progress is not None else sys.stderr,
            disable=size == 0,
        ) as bar,
        transaction.atomic(),
    ):
        count_before = Postcode.objects.count()
        reader = csv.reader(_lines_with_progress(stream, bar))
        columns = _find_columns(next(reader, None), path.name)
        report.ward_column = columns.ward_name
        report.local_authority_column = columns.local_authority_name
        batch: dict[str, Postcode] = {}
        for row_number, row in enumerate(reader, start=2):
            if not row:
                continue
            report.rows_read += 1
            postcode = _parse_row(row, row_number, columns, path.name)
            if wanted and postcode.local_authority_code not in wanted:
                report.outside_local_authorities += 1
                continue
            report.imported += 1
            report.terminated += postcode.terminated_on is not None
            report.without_coordinates += not postcode.has_coordinates
            # A key twice in one INSERT ... ON CONFLICT is an error on PostgreSQL: last wins.
            batch[postcode.postcode] = postcode
            if len(batch) >= BATCH_SIZE:
                _write(batch)
        _write(batch)
        bar.update(size - bar.n)
        report.created = Postcode.objects.count() - count_before
        audit.record(
            None,
            "geography.postcodes_imported",
            file=path.name,
            imported=report.imported,
            created=report.created,
            local_authorities=sorted(wanted),
        )
    return report


def _lines_with_progress(stream: TextIO, bar: tqdm) -> Iterator[str]:
    # The ONSPD is ASCII, so characters read stand in for bytes read.
    for line in stream:
        bar.update(len(line))
        yield line


def _write(batch: dict[str, Postcode]) -> None:
    if batch:
        Postcode.objects.bulk_create(
            batch.values(),
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=UPDATED_FIELDS,
        )
        batch.clear()


def _find_columns(header: list[str] | None, file_name: str) -> _Columns:
    if not header:
        raise ImportFailed(file_name, 1, None, "The file is empty: it needs the ONSPD header.")
    names = [name.strip().lower().lstrip(_BYTE_ORDER_MARK) for name in header]

    def position(name: str) -> int:
        if name not in names:
            raise ImportFailed(file_name, 1, name, f"The header has no {name} column.")
        return names.index(name)

    def newest(prefix: str, preferred: str) -> str:
        pattern = re.compile(rf"^{prefix}(\d{{2}})cd$")
        years = [int(match[1]) for name in names if (match := pattern.match(name))]
        if not years:
            raise ImportFailed(
                file_name, 1, preferred, f"The header has no {preferred} (or {prefix}NNcd) column."
            )
        return f"{prefix}{max(years):02d}cd"

    ward_name = newest("wd", "wd25cd")
    local_authority_name = newest("lad", "lad25cd")
    return _Columns(
        postcode=position("pcds"),
        terminated=position("doterm"),
        latitude=position("lat"),
        longitude=position("long"),
        lsoa=position("lsoa21cd"),
        ward=position(ward_name),
        local_authority=position(local_authority_name),
        ward_name=ward_name,
        local_authority_name=local_authority_name,
    )


def _parse_row(row: list[str], row_number: int, columns: _Columns, file_name: str) -> Postcode:
    def fail(column: str, message: str) -> ImportFailed:
        return ImportFailed(file_name, row_number, column, message)

    if len(row) < columns.needed:
        missing = [
            name
            for name, index in (
                ("pcds", columns.postcode),
                ("doterm", columns.terminated),
                ("lat", columns.latitude),
                ("long", columns.longitude),
                ("lsoa21cd", columns.lsoa),
                (columns.ward_name, columns.ward),
                (columns.local_authority_name, columns.local_authority),
            )
            if index >= len(row)
        ]
        raise fail(missing[0], f"The row stops after {len(row)} columns; it has no {missing[0]}.")

    postcode = " ".join(row[columns.postcode].split()).upper()
    if not _POSTCODE.match(postcode):
        raise fail("pcds", f"“{row[columns.postcode]}” is not a postcode.")

    latitude = _coordinate(row[columns.latitude], -90, 90, lambda m: fail("lat", m))
    longitude = _coordinate(row[columns.longitude], -180, 180, lambda m: fail("long", m))
    if latitude == NO_COORDINATES_LATITUDE:
        latitude = longitude = None

    doterm = row[columns.terminated].strip()
    terminated_on = None
    if doterm:
        match = _YEAR_MONTH.match(doterm)
        if not match or not 1 <= int(match[2]) <= 12:
            raise fail("doterm", f"“{doterm}” is not a month written YYYYMM.")
        terminated_on = datetime.date(int(match[1]), int(match[2]), 1)

    codes = {}
    for column, index in (
        ("lsoa21cd", columns.lsoa),
        (columns.ward_name, columns.ward),
        (columns.local_authority_name, columns.local_authority),
    ):
        code = row[index].strip().upper()
        if not _CODE.match(code):
            raise fail(column, f"“{row[index]}” is not a GSS code.")
        codes[column] = code

    return Postcode(
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        lsoa21_code=codes["lsoa21cd"],
        ward_code=codes[columns.ward_name],
        local_authority_code=codes[columns.local_authority_name],
        terminated_on=terminated_on,
    )


def _coordinate(
    text: str, lowest: int, highest: int, fail: Callable[[str], ImportFailed]
) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise fail(f"“{text}” is not a number of degrees.") from None
    if not value.is_finite():
        raise fail(f"“{text}” is not a number of degrees.")
    if value == NO_COORDINATES_LATITUDE:
        return value
    if not lowest <= value <= highest:
        raise fail(f"{text} is outside {lowest} to {highest} degrees.")
    return value.quantize(_COORDINATE_PLACES)
