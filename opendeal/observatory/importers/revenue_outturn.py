"""Import council spending from the government's Revenue Outturn Summary (RS) workbooks (.xls).

Each workbook is one financial year. Its sheet whose title (in the first rows) is `Net current
expenditure (£ thousand)` has a header row beginning `E-code`, then `ONS Code` (from 2014-15),
`Local authority`, `Class`, and the service lines up to `TOTAL SERVICE EXPENDITURE …`, and
further on `NET CURRENT EXPENDITURE …`. Those columns are read by name; service lines change
over the years (2010-11 has one `Social care` line, later years `Children Social Care` and
`Adult Social Care`; `Public Health` starts in 2013-14), so each line is its own indicator, and
`Social care (adults and children)` is added for every year (the one line, or the sum of the
two) so that spending can be followed across the split. Figures are £ thousand, nominal.

Authorities are named by the department's E-code (Wigan `E4210`); the GSS code comes from the
`ONS Code` column of any workbook imported with them, or else from the authority's name among
the areas already known. `Class` `O` (police, fire, national parks…) is left out; the
`ENGLAND` row is England. All the workbooks given are one release.
"""

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.utils.text import slugify

from opendeal.observatory.models import ENGLAND, Area, Polarity, Source

from .base import (
    ImportReport,
    IndicatorSpec,
    ParsedFigure,
    RowError,
    already_imported,
    checksum,
    progress_bar,
    write_releases,
)
from .tabular import financial_year_end, two_year_period

SHEET_TITLE = "Net current expenditure"
LOCAL_AUTHORITY_CLASSES = {"SD", "UA", "MD", "L", "SC"}
UNIT = "£ thousand"
COMBINED_SOCIAL_CARE = "Social care (adults and children)"
_YEAR_IN_SHEET = re.compile(r"(\d{4}-\d{2})")
_NAME_SUFFIXES = re.compile(
    r"\s+(UA|MBC|MDC|LB|BC|DC|CC|RB|RBC|City Council|Council|Borough Council|District Council)$"
)


def spending_spec(service: str) -> IndicatorSpec:
    return IndicatorSpec(
        Source.REVENUE_OUTTURN,
        slugify(service)[:100],
        f"Net current expenditure: {service}",
        UNIT,
        Polarity.NO_JUDGEMENT,
        "Net current expenditure by service, £ thousand, nominal (Revenue Outturn Summary).",
        is_total=True,
    )


def import_revenue_outturn(
    paths: list[Path], *, label: str = "", progress: TextIO | None = None
) -> ImportReport:
    import xlrd  # only this importer needs it

    names = ", ".join(path.name for path in paths)
    digest = checksum(paths)
    if report := already_imported(names, digest):
        return report  # without opening the workbooks, which takes seconds
    books = []
    errors: list[RowError] = []
    with progress_bar(paths[0], "Importing Revenue Outturn", progress) as bar:
        for path in paths:
            try:
                books.append((path, xlrd.open_workbook(str(path), on_demand=True)))
            except xlrd.XLRDError as error:
                errors.append(RowError(path.name, None, None, f"not an .xls workbook: {error}."))
        sheets = [] if errors else [(path, _data_sheet(path, book, errors)) for path, book in books]
        gss_by_e_code = _gss_codes(sheets)
        report = write_releases(
            () if errors else _all_figures(sheets, gss_by_e_code),
            file_name=names,
            checksum=digest,
            label=label or _label(sheets),
            errors=errors,
        )
        bar.update(bar.total - bar.n)
    return report


class _Sheet:
    def __init__(self, sheet, header_row: int, columns: dict[str, int], period: tuple) -> None:
        self.sheet = sheet
        self.header_row = header_row
        self.columns = columns
        self.period = period

    def text(self, row: int, name: str) -> str:
        if name not in self.columns:
            return ""
        return str(self.sheet.cell_value(row, self.columns[name])).strip()


def _data_sheet(path: Path, book, errors: list[RowError]) -> _Sheet | None:
    for sheet in book.sheets():
        titles = [str(sheet.cell_value(r, 0)) for r in range(min(sheet.nrows, 6))]
        if not any(title.startswith(SHEET_TITLE) for title in titles):
            continue
        year = _YEAR_IN_SHEET.search(sheet.name) or _YEAR_IN_SHEET.search(titles[0])
        period = two_year_period(year[1]) if year else None
        header_row = next(
            (r for r in range(min(sheet.nrows, 12)) if sheet.cell_value(r, 0) == "E-code"), None
        )
        if period is None or header_row is None:
            break
        columns: dict[str, int] = {}
        for column in range(sheet.ncols):
            name = " ".join(str(sheet.cell_value(header_row, column)).split())
            columns.setdefault(name, column)  # the first of a repeated name
        missing = [n for n in ("E-code", "Local authority", "Class") if n not in columns]
        if missing:
            errors.append(
                RowError(path.name, header_row + 1, None, f"missing columns {', '.join(missing)}.")
            )
            return None
        return _Sheet(sheet, header_row, columns, period)
    errors.append(
        RowError(
            path.name,
            None,
            None,
            f"no sheet titled '{SHEET_TITLE} (£ thousand)' with an E-code header.",
        )
    )
    return None


def _service_columns(sheet: _Sheet) -> list[str]:
    """The service lines: after Class, up to and including the total; then net current
    expenditure."""
    names = sorted(sheet.columns, key=sheet.columns.get)
    start = names.index("Class") + 1
    services = []
    for name in names[start:]:
        if not name:
            continue
        services.append(name)
        if name.startswith("TOTAL SERVICE EXPENDITURE"):
            break
    services += [name for name in names if name.startswith("NET CURRENT EXPENDITURE")]
    return services


def _service_name(column: str) -> str:
    if column.startswith("TOTAL SERVICE EXPENDITURE"):
        return "Total service expenditure"
    if column.startswith("NET CURRENT EXPENDITURE"):
        return "Net current expenditure (total)"
    return column[0].upper() + column[1:].lower() if column.isupper() else column


def _gss_codes(sheets) -> dict[str, str]:
    """E-code → GSS code, from the workbooks that have an ONS Code column."""
    codes = {}
    for _, sheet in sheets:
        if sheet is None or "ONS Code" not in sheet.columns:
            continue
        for row in range(sheet.header_row + 1, sheet.sheet.nrows):
            code = sheet.text(row, "ONS Code")
            if code.startswith("E") and len(code) == 9:
                codes[sheet.text(row, "E-code")] = code
    return codes


def _plain_name(name: str) -> str:
    return _NAME_SUFFIXES.sub("", name.replace("&", "and")).strip().lower()


def _all_figures(sheets, gss_by_e_code: dict[str, str]) -> Iterator[ParsedFigure | RowError]:
    areas_by_name = {
        _plain_name(name): code for code, name in Area.objects.values_list("code", "name")
    }
    for path, sheet in sheets:
        services = _service_columns(sheet)
        label, sortable, end_year = sheet.period
        for row in range(sheet.header_row + 1, sheet.sheet.nrows):
            e_code = sheet.text(row, "E-code")
            name = sheet.text(row, "Local authority")
            if not e_code and name.upper() == "ENGLAND":
                code, name = ENGLAND, "England"
            elif e_code and sheet.text(row, "Class") in LOCAL_AUTHORITY_CLASSES:
                code = gss_by_e_code.get(e_code) or areas_by_name.get(_plain_name(name))
                if code is None:
                    yield RowError(
                        path.name,
                        row + 1,
                        "E-code",
                        f"{e_code} {name}: no GSS code (import the 2014-15 workbook with it).",
                    )
                    continue
            else:
                continue
            values: dict[str, Decimal | None] = {}
            for column in services:
                cell = sheet.sheet.cell(row, sheet.columns[column])
                if cell.ctype == 2:  # a number
                    values[_service_name(column)] = Decimal(str(cell.value))
                elif str(cell.value).strip() in ("", "n/a", "-"):
                    values[_service_name(column)] = None
                else:
                    yield RowError(path.name, row + 1, column, f"{cell.value!r} is not a number.")
            values[COMBINED_SOCIAL_CARE] = _social_care(values)
            for service, value in values.items():
                yield ParsedFigure(
                    row=row + 1,
                    indicator=spending_spec(service),
                    area_code=code,
                    area_name=name,
                    sex="Persons",
                    age="",
                    period=label,
                    period_sortable=sortable,
                    period_end=financial_year_end(end_year),
                    period_range="1y",
                    value=value,
                )


def _social_care(values: dict[str, Decimal | None]) -> Decimal | None:
    if "Social care" in values:
        return values["Social care"]
    adults, children = values.get("Adult Social Care"), values.get("Children Social Care")
    return adults + children if adults is not None and children is not None else None


def _label(sheets) -> str:
    years = sorted(sheet.period[0] for _, sheet in sheets if sheet is not None)
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else "".join(years)
    return f"Revenue Outturn Summary {span}"
