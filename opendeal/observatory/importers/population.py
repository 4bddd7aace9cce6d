"""Import population denominators: all ages, 18 and over, 65 and over.

Two layouts, told apart by the file's extension:

- `.csv`: Census 2021 table TS007 (age by single year) as exported from Nomis: title lines,
  then a header beginning `Area,mnemonic`, one row per area (`ladu2021:Wigan`, `gor:North
  West`, `country:England`) with `Total: All usual residents` and `Aged under 1 year`,
  `Aged 1 year` … `Aged 100 years and over`; disclosure notes after a blank line. Census day:
  21 March 2021.
- `.rda`: ONS mid-year estimates (MYE2, persons) as R data, read with pyreadr: a data frame
  with a `*_code` and `*_name` column, `total_population`, and single years `0` … `89`, `90+`.
  The year is the file name's `midYYYY`; period end 30 June.

Only English areas are kept. Several files may be imported together (one release each
indicator).
"""

import csv
import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from opendeal.observatory.models import AREA_TYPE_BY_PREFIX, Polarity, Source

from .base import (
    ImportReport,
    IndicatorSpec,
    ParsedFigure,
    RowError,
    checksum,
    progress_bar,
    write_releases,
)


def _specs(code: str, source_name: str) -> tuple[IndicatorSpec, ...]:
    """All ages, 18+ and 65+: the census and the mid-year estimates are kept as indicators of
    their own, so that a series never mixes the two."""
    return tuple(
        IndicatorSpec(
            Source.POPULATION,
            f"{code}-{ages}",
            f"{title} ({source_name})",
            "people",
            Polarity.NO_JUDGEMENT,
            is_total=True,
        )
        for ages, title in (
            ("all-ages", "Population, all ages"),
            ("18-plus", "Population aged 18 and over"),
            ("65-plus", "Population aged 65 and over"),
        )
    )


CENSUS = _specs("census", "Census 2021")
MID_YEAR = _specs("mye", "ONS mid-year estimates")
CENSUS_DAY = datetime.date(2021, 3, 21)
_CENSUS_AGE = re.compile(r"^Aged (\d+) years?(?: and over)?$")
_MID_YEAR = re.compile(r"mid(\d{4})")


def import_population(
    paths: list[Path], *, label: str = "", progress: TextIO | None = None
) -> ImportReport:
    names = ", ".join(path.name for path in paths)
    label = label or "Population: " + " and ".join(path.stem for path in paths[:2]) + (
        f" and {len(paths) - 2} more" if len(paths) > 2 else ""
    )
    with progress_bar(paths[0], "Importing population", progress) as bar:
        report = write_releases(
            _all_figures(paths),
            file_name=names,
            checksum=checksum(paths),
            label=label,
        )
        bar.update(bar.total - bar.n)
    return report


def _all_figures(paths: list[Path]) -> Iterator[ParsedFigure | RowError]:
    for path in paths:
        if path.suffix.lower() == ".rda":
            yield from read_mid_year_estimates(path)
        else:
            yield from read_census(path)


def _figures(
    specs: tuple[IndicatorSpec, ...],
    row: int,
    code: str,
    name: str,
    period: tuple[str, int, datetime.date],
    totals: tuple,
) -> Iterator[ParsedFigure]:
    label, sortable, end = period
    for spec, value in zip(specs, totals, strict=True):
        yield ParsedFigure(
            row=row,
            indicator=spec,
            area_code=code,
            area_name=name,
            sex="Persons",
            age="",
            period=label,
            period_sortable=sortable,
            period_end=end,
            period_range="1y",
            value=Decimal(value),
        )


def read_census(path: Path) -> Iterator[ParsedFigure | RowError]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        header: list[str] | None = None
        for number, row in enumerate(reader, start=1):
            if header is None:
                if row[:2] == ["Area", "mnemonic"]:
                    header = row
                    ages = {i: int(m[1]) for i, h in enumerate(row) if (m := _CENSUS_AGE.match(h))}
                    ages.update({i: 0 for i, h in enumerate(row) if h == "Aged under 1 year"})
                    if "Total: All usual residents" not in row or len(ages) < 100:
                        yield RowError(
                            path.name, number, None, "the header lacks the single years of age."
                        )
                        return
                    total_at = row.index("Total: All usual residents")
                continue
            if not row or not row[0].strip():
                return  # the notes after the table
            _, _, name = row[0].partition(":")
            code = row[1].strip()
            if code[:3] not in AREA_TYPE_BY_PREFIX:
                continue  # Wales, and the England and Wales total
            try:
                counts = {ages[i]: int(row[i]) for i in ages}
                total = int(row[total_at])
            except ValueError:
                yield RowError(path.name, number, None, "a count is not a whole number.")
                continue
            adults = sum(count for age, count in counts.items() if age >= 18)
            older = sum(count for age, count in counts.items() if age >= 65)
            yield from _figures(
                CENSUS,
                number,
                code,
                name.strip(),
                ("2021", 20210000, CENSUS_DAY),
                (total, adults, older),
            )
    if header is None:
        yield RowError(path.name, None, None, "no header row beginning Area,mnemonic was found.")


def read_mid_year_estimates(path: Path) -> Iterator[ParsedFigure | RowError]:
    import pyreadr  # only this importer needs it

    year_match = _MID_YEAR.search(path.name)
    if not year_match:
        yield RowError(path.name, None, None, "the file name does not say the year (midYYYY).")
        return
    year = int(year_match[1])
    frames = pyreadr.read_r(str(path))
    for frame in frames.values():
        code_column = next((c for c in frame.columns if c.endswith("_code")), None)
        name_column = next((c for c in frame.columns if c.endswith("_name")), None)
        ages = [c for c in frame.columns if c.isdigit()] + (
            ["90+"] if "90+" in frame.columns else []
        )
        if code_column is None or name_column is None or "total_population" not in frame.columns:
            yield RowError(
                path.name, None, None, "missing columns *_code, *_name or total_population."
            )
            return
        adult_columns = [c for c in ages if c == "90+" or int(c) >= 18]
        older_columns = [c for c in ages if c == "90+" or int(c) >= 65]
        adults = frame[adult_columns].sum(axis=1)
        older = frame[older_columns].sum(axis=1)
        for index, (code, name, total) in enumerate(
            zip(frame[code_column], frame[name_column], frame["total_population"], strict=True)
        ):
            if str(code)[:3] not in AREA_TYPE_BY_PREFIX:
                continue  # Wales, Scotland, and small areas (a file of LSOAs gives nothing)
            yield from _figures(
                MID_YEAR,
                index + 2,
                str(code),
                str(name),
                (str(year), year * 10_000, datetime.date(year, 6, 30)),
                (int(total), int(adults.iloc[index]), int(older.iloc[index])),
            )
