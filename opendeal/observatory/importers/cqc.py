"""Import care homes and their ratings from a CQC care directory snapshot.

The CQC publishes its care directory (with ratings) as a CSV, with a few title lines before
the header on some editions. Columns are found by name, in the spellings in use:

- the service type: `Service types` (or `type`); a care home is a location whose types include
  `Residential homes` or `Nursing homes`;
- the local authority: `Local Authority` / `Local authority` (or `area_name`), matched by name
  against the areas already known, or a GSS code in `Local authority code` / `area_code`;
- the rating, optional: `Latest overall rating`, `Overall rating` or
  `Location Latest Overall Rating`.

Each file is one snapshot, dated by `--date` or the `YYYY-MM-DD` in its name. Per local
authority it gives the number of care homes and, when the file has ratings, the percentage of
rated care homes rated Good or Outstanding (count and denominator kept). A file without a
rating column gives the counts only, and the report says so.
"""

import csv
import datetime
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TextIO

from opendeal.observatory.models import Area, Polarity, Source

from .base import (
    ImportReport,
    IndicatorSpec,
    ParsedFigure,
    RowError,
    checksum,
    progress_bar,
    write_releases,
)

CARE_HOMES = IndicatorSpec(
    Source.CQC,
    "care-homes",
    "Care homes registered with the CQC",
    "care homes",
    Polarity.NO_JUDGEMENT,
    is_total=True,
)
GOOD_OR_OUTSTANDING = IndicatorSpec(
    Source.CQC,
    "care-homes-good-or-outstanding",
    "Care homes rated Good or Outstanding",
    "%",
    Polarity.HIGHER_IS_BETTER,
    "The percentage of rated care homes whose latest overall CQC rating is Good or Outstanding.",
)
TYPE_COLUMNS = ("Service types", "type")
AUTHORITY_COLUMNS = ("Local Authority", "Local authority", "Location Local Authority", "area_name")
CODE_COLUMNS = ("Local authority code", "area_code")
RATING_COLUMNS = ("Latest overall rating", "Overall rating", "Location Latest Overall Rating")
CARE_HOME_TYPES = ("Residential homes", "Nursing homes", "Care home")
GOOD = {"good", "outstanding"}
RATED = GOOD | {"requires improvement", "inadequate"}
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_GSS = re.compile(r"^E\d{8}$")


class CqcReport(ImportReport):
    has_ratings: bool = True

    def __str__(self) -> str:
        text = super().__str__()
        if not self.has_ratings:
            text += (
                "\n  This file has no rating column: care homes were counted, but the share "
                "rated Good or Outstanding could not be worked out."
            )
        return text


def snapshot_date(path: Path, given: datetime.date | None) -> datetime.date | None:
    if given:
        return given
    match = _DATE_IN_NAME.search(path.name)
    return datetime.date.fromisoformat(match[1]) if match else None


def import_cqc_directory(
    path: Path,
    *,
    date: datetime.date | None = None,
    label: str = "",
    progress: TextIO | None = None,
) -> ImportReport:
    errors: list[RowError] = []
    day = snapshot_date(path, date)
    if day is None:
        errors.append(RowError(path.name, None, None, "give the snapshot's date (--date)."))
    with progress_bar(path, "Importing CQC directory", progress) as bar:
        figures, has_ratings = ([], True) if errors else _read(path, day, errors)
        report = write_releases(
            figures,
            file_name=path.name,
            checksum=checksum([path]),
            label=label or path.stem,
            errors=errors,
        )
        bar.update(bar.total - bar.n)
    cqc_report = CqcReport(report.file_name, report.releases, report.areas_created)
    cqc_report.has_ratings = has_ratings
    return cqc_report


def _first(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _read(
    path: Path, day: datetime.date, errors: list[RowError]
) -> tuple[list[ParsedFigure], bool]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    header_at = next(
        (i for i, row in enumerate(lines[:10]) if _first(row, TYPE_COLUMNS) is not None), None
    )
    if header_at is None:
        errors.append(RowError(path.name, 1, None, f"missing columns {' or '.join(TYPE_COLUMNS)}."))
        return [], True
    header = [name.strip() for name in lines[header_at]]
    type_at = _first(header, TYPE_COLUMNS)
    authority_at = _first(header, AUTHORITY_COLUMNS)
    code_at = _first(header, CODE_COLUMNS)
    rating_at = _first(header, RATING_COLUMNS)
    if authority_at is None:
        errors.append(
            RowError(
                path.name, header_at + 1, None, f"missing columns {' or '.join(AUTHORITY_COLUMNS)}."
            )
        )
        return [], rating_at is not None
    areas_by_name = {
        name.lower(): (code, name) for code, name in Area.objects.values_list("code", "name")
    }
    homes: dict[str, int] = defaultdict(int)
    good: dict[str, int] = defaultdict(int)
    rated: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for number, row in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue
        if not any(kind in row[type_at] for kind in CARE_HOME_TYPES):
            continue
        authority = row[authority_at].strip()
        code = row[code_at].strip() if code_at is not None else ""
        if not _GSS.match(code):
            code, authority = areas_by_name.get(authority.lower(), ("", authority))
        if not code:
            errors.append(
                RowError(
                    path.name,
                    number,
                    header[authority_at],
                    f"{authority!r} is not a known local authority.",
                )
            )
            continue
        names[code] = authority
        homes[code] += 1
        if rating_at is not None:
            rating = row[rating_at].strip().lower()
            rated[code] += rating in RATED
            good[code] += rating in GOOD
    period = (day.isoformat(), day.year * 10_000 + day.month * 100 + day.day, day)
    figures = []
    for code, count in sorted(homes.items()):
        figures.append(_figure(CARE_HOMES, code, names[code], period, Decimal(count)))
        if rating_at is not None and rated[code]:
            share = (Decimal(100 * good[code]) / rated[code]).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
            figure = _figure(GOOD_OR_OUTSTANDING, code, names[code], period, share)
            figure.count, figure.denominator = Decimal(good[code]), Decimal(rated[code])
            figures.append(figure)
    return figures, rating_at is not None


def _figure(spec, code, name, period, value) -> ParsedFigure:
    label, sortable, day = period
    return ParsedFigure(
        row=0,
        indicator=spec,
        area_code=code,
        area_name=name,
        sex="Persons",
        age="",
        period=label,
        period_sortable=sortable,
        period_end=day,
        period_range="",
        value=value,
    )
