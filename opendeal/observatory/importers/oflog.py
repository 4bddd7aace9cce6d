"""Import the Office for Local Government's adult social care measures.

Oflog's layout: one row per `Financial year` (2016-17), `Local authority code` and measure
(`Code` ASC1 … ASC7, named in `Measure`), with the authority's `Value`. An empty `Value` is a
missing figure. `rank_order` says how Oflog ranks the measure: `desc` (higher is better) or
`None` (no judgement); that is the indicator's polarity. Oflog publishes no England figure.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from opendeal.observatory.models import Polarity, Source

from .base import (
    ImportReport,
    IndicatorSpec,
    ParsedFigure,
    RowError,
    checksum,
    decimal_field,
    progress_bar,
    write_releases,
)
from .tabular import csv_rows, financial_year_end, two_year_period

REQUIRED_COLUMNS = (
    "Financial year",
    "Local authority code",
    "Local authority name",
    "Measure",
    "Code",
    "Value",
    "rank_order",
)
POLARITY = {"desc": Polarity.HIGHER_IS_BETTER, "asc": Polarity.LOWER_IS_BETTER}


def import_oflog(path: Path, *, label: str = "", progress: TextIO | None = None) -> ImportReport:
    columns, rows, errors = csv_rows(path, REQUIRED_COLUMNS)
    with progress_bar(path, "Importing Oflog", progress) as bar:
        report = write_releases(
            () if errors else read_figures(list(rows), columns, path.name),
            file_name=path.name,
            checksum=checksum([path]),
            label=label or path.stem,
            errors=errors,
        )
        bar.update(bar.total - bar.n)
    return report


def _specs(rows, columns: dict[str, int]) -> dict[str, IndicatorSpec]:
    """One indicator per measure code, its polarity from the rows that give a rank order."""
    names: dict[str, str] = {}
    orders: dict[str, str] = {}
    for _, row in rows:
        code = row[columns["Code"]].strip()
        names.setdefault(code, row[columns["Measure"]].strip().removeprefix("Outcome, "))
        order = row[columns["rank_order"]].strip().lower()
        if order:
            orders.setdefault(code, order)
    return {
        code: IndicatorSpec(
            Source.OFLOG,
            code,
            f"Adult social care: {name}",
            "",
            POLARITY.get(orders.get(code, ""), Polarity.NO_JUDGEMENT),
        )
        for code, name in names.items()
    }


def read_figures(
    rows, columns: dict[str, int], file_name: str
) -> Iterator[ParsedFigure | RowError]:
    specs = _specs(rows, columns)
    for number, row in rows:

        def field(name: str, row=row) -> str:
            return row[columns[name]].strip()

        period = two_year_period(field("Financial year"))
        if period is None:
            yield RowError(
                file_name, number, "Financial year", f"{field('Financial year')!r} is not a year."
            )
            continue
        problems: list[RowError] = []
        value = decimal_field(field("Value"), number, "Value", file_name, problems)
        if problems:
            yield from problems
            continue
        label, sortable, end_year = period
        yield ParsedFigure(
            row=number,
            indicator=specs[field("Code")],
            area_code=field("Local authority code"),
            area_name=field("Local authority name"),
            sex="Persons",
            age="18+ yrs",
            period=label,
            period_sortable=sortable,
            period_end=financial_year_end(end_year),
            period_range="1y",
            value=value,
        )
