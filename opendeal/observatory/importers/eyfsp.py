"""Import school readiness from the DfE Early Years Foundation Stage Profile underlying data.

The DfE's tidy CSV layout (explore-education-statistics): one row per academic year
(`time_period` 201819), geographic level (`National`, `Regional`, `Local Authority`) and
`gender` (`Total`, `Girls`, `Boys`). `gld_percent` is the % of children reaching a good level of
development, of `number_of_children`; `gld_number` is how many did. The DfE writes `x`, `c`,
`z` or `:` where a figure is suppressed or not applicable: those are imported as missing with a
note, any other non-number is an error. Regional rows for Inner and Outer London (E13) are not
regions and are left out.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from opendeal.observatory.models import ENGLAND, Polarity, Source

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
from .tabular import academic_year_end, csv_rows, two_year_period

REQUIRED_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "new_la_code",
    "la_name",
    "gender",
    "number_of_children",
    "gld_number",
    "gld_percent",
)
GOOD_LEVEL_OF_DEVELOPMENT = IndicatorSpec(
    Source.EYFSP,
    "gld",
    "Children achieving a good level of development at the end of Reception",
    "%",
    Polarity.HIGHER_IS_BETTER,
    "School readiness: the percentage of children reaching a good level of development in the "
    "Early Years Foundation Stage Profile (Department for Education).",
)
SEXES = {"Total": "Persons", "Girls": "Female", "Boys": "Male"}
SUPPRESSED = {"x", "c", "z", ":", "low", "u"}


def import_eyfsp(path: Path, *, label: str = "", progress: TextIO | None = None) -> ImportReport:
    columns, rows, errors = csv_rows(path, REQUIRED_COLUMNS)
    with progress_bar(path, "Importing EYFSP", progress) as bar:
        report = write_releases(
            () if errors else read_figures(rows, columns, path.name),
            file_name=path.name,
            checksum=checksum([path]),
            label=label or path.stem,
            errors=errors,
        )
        bar.update(bar.total - bar.n)
    return report


def read_figures(
    rows, columns: dict[str, int], file_name: str
) -> Iterator[ParsedFigure | RowError]:
    for number, row in rows:

        def field(name: str, row=row) -> str:
            return row[columns[name]].strip()

        level = field("geographic_level")
        if level == "National":
            code, name, region = field("country_code"), "England", ""
        elif level == "Regional":
            code, name, region = field("region_code"), field("region_name"), ""
            if not code.startswith("E12"):
                continue
        elif level == "Local Authority":
            code, name, region = field("new_la_code"), field("la_name"), field("region_code")
        else:
            yield RowError(file_name, number, "geographic_level", f"{level!r} is not a level.")
            continue
        period = two_year_period(field("time_period"))
        if period is None:
            yield RowError(
                file_name, number, "time_period", f"{field('time_period')!r} is not a year."
            )
            continue
        sex = SEXES.get(field("gender"))
        if sex is None:
            yield RowError(file_name, number, "gender", f"{field('gender')!r} is not a gender.")
            continue
        problems: list[RowError] = []
        values = {}
        suppressed = False
        for column, attribute in (
            ("gld_percent", "value"),
            ("gld_number", "count"),
            ("number_of_children", "denominator"),
        ):
            if field(column).lower() in SUPPRESSED:
                values[attribute] = None
                suppressed = True
            else:
                values[attribute] = decimal_field(
                    field(column), number, column, file_name, problems
                )
        if problems:
            yield from problems
            continue
        label, sortable, end_year = period
        yield ParsedFigure(
            row=number,
            indicator=GOOD_LEVEL_OF_DEVELOPMENT,
            area_code=ENGLAND if level == "National" else code,
            area_name=name,
            region_code=region,
            sex=sex,
            age="5 yrs",
            period=label,
            period_sortable=sortable,
            period_end=academic_year_end(end_year),
            period_range="1y",
            value_note="Suppressed by the publisher" if suppressed else "",
            **values,
        )
