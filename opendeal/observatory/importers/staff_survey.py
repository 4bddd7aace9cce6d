"""Import staff-survey engagement scores, in OpenDeal's own documented CSV layout.

There is no national publication of council staff-survey results, so a council exports its
own survey's engagement score (Wigan reported its staff engagement rising under the Deal) in
this layout (`docs/examples/staff-survey-engagement.csv`), header in any order:

- `area_code`: the council's GSS code, e.g. E08000010 (required);
- `area_name`: its name (required);
- `period`: the survey year, `2019` or `2019/20` (required);
- `engagement_score`: the engagement score as the survey reports it, e.g. 0 to 10 or a % (required);
- `respondents`: how many staff answered (optional);
- `lower_ci_95`, `upper_ci_95`: the score's 95% confidence interval, if the survey gives one
  (optional).

The score's unit is given on import (`--unit`, default "score"). Higher is better.
"""

import datetime
import re
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

REQUIRED_COLUMNS = ("area_code", "area_name", "period", "engagement_score")
OPTIONAL_NUMBERS = (
    ("respondents", "denominator"),
    ("lower_ci_95", "lower_ci_95"),
    ("upper_ci_95", "upper_ci_95"),
)
_YEAR = re.compile(r"^\d{4}$")
_GSS = re.compile(r"^[EWSN]\d{8}$")


def engagement_spec(unit: str) -> IndicatorSpec:
    return IndicatorSpec(
        Source.STAFF_SURVEY,
        "engagement",
        "Staff engagement (staff survey)",
        unit,
        Polarity.HIGHER_IS_BETTER,
        "The council's staff-survey engagement score, as exported by the council.",
    )


def import_staff_survey(
    path: Path, *, unit: str = "score", label: str = "", progress: TextIO | None = None
) -> ImportReport:
    columns, rows, errors = csv_rows(path, REQUIRED_COLUMNS)
    with progress_bar(path, "Importing staff survey", progress) as bar:
        report = write_releases(
            () if errors else read_figures(rows, columns, path.name, engagement_spec(unit)),
            file_name=path.name,
            checksum=checksum([path]),
            label=label or path.stem,
            errors=errors,
        )
        bar.update(bar.total - bar.n)
    return report


def _period(text: str) -> tuple[str, int, datetime.date] | None:
    if _YEAR.match(text):
        return text, int(text) * 10_000, datetime.date(int(text), 12, 31)
    if period := two_year_period(text):
        label, sortable, end_year = period
        return label, sortable, financial_year_end(end_year)
    return None


def read_figures(
    rows, columns: dict[str, int], file_name: str, spec: IndicatorSpec
) -> Iterator[ParsedFigure | RowError]:
    for number, row in rows:

        def field(name: str, row=row) -> str:
            return row[columns[name]].strip() if name in columns else ""

        problems: list[RowError] = []
        code = field("area_code")
        if not _GSS.match(code):
            problems.append(
                RowError(file_name, number, "area_code", f"{code!r} is not a GSS code.")
            )
        period = _period(field("period"))
        if period is None:
            problems.append(
                RowError(file_name, number, "period", f"{field('period')!r} is not a year.")
            )
        value = decimal_field(
            field("engagement_score"), number, "engagement_score", file_name, problems
        )
        numbers = {
            attribute: decimal_field(field(column), number, column, file_name, problems)
            for column, attribute in OPTIONAL_NUMBERS
        }
        if problems:
            yield from problems
            continue
        label, sortable, end = period
        yield ParsedFigure(
            row=number,
            indicator=spec,
            area_code=code,
            area_name=field("area_name"),
            sex="Persons",
            age="",
            period=label,
            period_sortable=sortable,
            period_end=end,
            period_range="1y",
            value=value,
            **numbers,
        )
