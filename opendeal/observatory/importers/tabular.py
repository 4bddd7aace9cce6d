"""Helpers for importers of publishers' own CSV layouts: columns by name, periods in their
spellings, and the refusal of a file without the columns it needs."""

import csv
import datetime
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from .base import RowError

_ACADEMIC_OR_FINANCIAL = re.compile(r"^(\d{4})[-/]?(\d{2})$")


def csv_rows(
    path: Path, required: Sequence[str]
) -> tuple[dict[str, int], Iterator, list[RowError]]:
    """The header's columns by name, the remaining rows (numbered from 2) and, when required
    columns are missing, one error naming them all."""
    stream = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(stream)
    header = [name.strip() for name in next(reader, [])]
    columns = {name: index for index, name in enumerate(header)}
    missing = [name for name in required if name not in columns]
    errors = (
        [RowError(path.name, 1, None, f"missing columns {', '.join(missing)}.")] if missing else []
    )
    if errors:
        stream.close()
        return columns, iter(()), errors

    def rows() -> Iterator[tuple[int, list[str]]]:
        with stream:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, row

    return columns, rows(), errors


def two_year_period(text: str) -> tuple[str, int, int] | None:
    """ "201819", "2018-19" or "2018/19" → ("2018/19", 20180000, 2019): the label Fingertips
    uses, its sortable number and the year the period ends in."""
    match = _ACADEMIC_OR_FINANCIAL.match(text.strip())
    if not match:
        return None
    start = int(match[1])
    end = start - start % 100 + int(match[2])
    if end != start + 1 and not (start % 100 == 99 and int(match[2]) == 0):
        return None
    return f"{start}/{match[2]}", start * 10_000, start + 1


def financial_year_end(end_year: int) -> datetime.date:
    return datetime.date(end_year, 3, 31)


def academic_year_end(end_year: int) -> datetime.date:
    return datetime.date(end_year, 8, 31)
