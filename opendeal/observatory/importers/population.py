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
- `.xlsx`: ONS mid-year estimates as downloaded from Nomis (e.g. `nomis_mye_aged16plus_lad_…`):
  on each sheet, title lines, then `gender` and `age` lines saying what is counted (`Total`,
  `Male` or `Female`; `All Ages` or `Aged 16+`), then a header whose first cell is the
  geography (`local authority: district / unitary (as of April 2021)`) followed by the years
  (`2010` … `2021`), then one row per authority, by name. Each year is a mid-year estimate
  (period end 30 June). `Aged N+` is an indicator of its own, `mye-N-plus`; all ages is the
  same `mye-all-ages` as the .rda files give.

  Authorities are named without codes (unless a `mnemonic` column follows the geography): each
  name is matched, ignoring case, `&`/`and` and a trailing `, City of`, `, County of` or `UA`,
  to the English local authorities already known (import the Census 2021 file, or any
  Fingertips file, first or in the same command); where a name has had more than one code,
  the newest (highest) is taken. The councils of Wales, Scotland and Northern Ireland have
  no English code and are left out by name; any other name not known is an error.

Only English areas are kept. Several files may be imported together (one release each
indicator); a problem in any of them (a file that is not UTF-8 text, a name not known, a
count that is not a number) is reported with its file, row and column, and nothing is
imported.
"""

import csv
import datetime
import re
import warnings
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from opendeal.observatory.models import AREA_TYPE_BY_PREFIX, Area, AreaType, Polarity, Source

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
    with progress_bar(paths, "Importing population", progress) as bar:
        report = write_releases(
            _all_figures(paths, bar),
            file_name=names,
            checksum=checksum(paths),
            label=label,
        )
        bar.update(bar.total - bar.n)
    return report


def _all_figures(paths: list[Path], bar: tqdm) -> Iterator[ParsedFigure | RowError]:
    for path in paths:
        reader = {".rda": read_mid_year_estimates, ".xlsx": read_nomis_workbook}.get(
            path.suffix.lower(), read_census
        )
        try:
            yield from reader(path)
        except UnicodeDecodeError as error:
            # Named here: with several files, the command cannot tell which one it was.
            yield RowError(
                path.name,
                None,
                None,
                f"is not UTF-8 text (byte {error.start}); a Census CSV is read as UTF-8, "
                "a Nomis workbook as .xlsx and ONS estimates as .rda.",
            )
        bar.update(path.stat().st_size)


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


# Nomis workbooks: the councils of Wales, Scotland and Northern Ireland (as Nomis names them
# in `local authority: district / unitary`), which have no English code and are left out.
# Every other name must be an English authority already known.
_NOT_ENGLISH = (
    # Wales
    "Isle of Anglesey",
    "Gwynedd",
    "Conwy",
    "Denbighshire",
    "Flintshire",
    "Wrexham",
    "Powys",
    "Ceredigion",
    "Pembrokeshire",
    "Carmarthenshire",
    "Swansea",
    "Neath Port Talbot",
    "Bridgend",
    "Vale of Glamorgan",
    "Cardiff",
    "Rhondda Cynon Taff",
    "Rhondda Cynon Taf",
    "Merthyr Tydfil",
    "Caerphilly",
    "Blaenau Gwent",
    "Torfaen",
    "Monmouthshire",
    "Newport",
    # Scotland
    "Aberdeen City",
    "Aberdeenshire",
    "Angus",
    "Argyll and Bute",
    "Clackmannanshire",
    "Dumfries and Galloway",
    "Dundee City",
    "East Ayrshire",
    "East Dunbartonshire",
    "East Lothian",
    "East Renfrewshire",
    "City of Edinburgh",
    "Na h-Eileanan Siar",
    "Falkirk",
    "Fife",
    "Glasgow City",
    "Highland",
    "Inverclyde",
    "Midlothian",
    "Moray",
    "North Ayrshire",
    "North Lanarkshire",
    "Orkney Islands",
    "Perth and Kinross",
    "Renfrewshire",
    "Scottish Borders",
    "Shetland Islands",
    "South Ayrshire",
    "South Lanarkshire",
    "Stirling",
    "West Dunbartonshire",
    "West Lothian",
    # Northern Ireland
    "Antrim and Newtownabbey",
    "Armagh City, Banbridge and Craigavon",
    "Belfast",
    "Causeway Coast and Glens",
    "Derry City and Strabane",
    "Fermanagh and Omagh",
    "Lisburn and Castlereagh",
    "Mid and East Antrim",
    "Mid Ulster",
    "Newry, Mourne and Down",
    "Ards and North Down",
)
_NOMIS_GEOGRAPHY = "local authority:"
_NOMIS_SEXES = {
    "total": "Persons",
    "all persons": "Persons",
    "persons": "Persons",
    "male": "Male",
    "males": "Male",
    "female": "Female",
    "females": "Female",
}
_NOMIS_AGE = re.compile(r"^aged (\d+)\s*(?:\+|and over|years and over)$", re.IGNORECASE)
_NOMIS_MISSING = ("", "-", "..", ":")
# How far into a sheet its header is looked for.
_NOMIS_HEADER_WITHIN = 30
_NAME_SUFFIX = re.compile(r"(?:,\s*(?:city|county) of|\s+ua)$")
_DISTRICT_TYPES = (
    AreaType.UNITARY,
    AreaType.METROPOLITAN,
    AreaType.LONDON_BOROUGH,
    AreaType.DISTRICT,
)
_COUNTY_TYPES = (
    AreaType.COUNTY,
    AreaType.UNITARY,
    AreaType.METROPOLITAN,
    AreaType.LONDON_BOROUGH,
)


def _plain_name(name: str) -> str:
    """A council's name as compared: "Bristol, City of" and "Bristol"; "Folkestone & Hythe"
    and "Folkestone and Hythe"; "Buckinghamshire UA" and "Buckinghamshire"."""
    plain = " ".join(name.lower().replace("&", "and").replace(".", "").split())
    return _NAME_SUFFIX.sub("", plain).strip()


_NOT_ENGLISH_NAMES = frozenset(_plain_name(name) for name in _NOT_ENGLISH)


def _mid_year_spec(age: str) -> IndicatorSpec | None:
    """The indicator a Nomis `age` line counts: all ages, or `Aged N+`."""
    if age.strip().lower() in ("all ages", "total"):
        return MID_YEAR[0]
    match = _NOMIS_AGE.match(age.strip())
    if not match:
        return None
    known = {18: MID_YEAR[1], 65: MID_YEAR[2]}
    years = int(match[1])
    return known.get(years) or IndicatorSpec(
        Source.POPULATION,
        f"mye-{years}-plus",
        f"Population aged {years} and over (ONS mid-year estimates)",
        "people",
        Polarity.NO_JUDGEMENT,
        is_total=True,
    )


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_nomis_workbook(path: Path) -> Iterator[ParsedFigure | RowError]:
    """ONS mid-year estimates in Nomis's workbook layout (see the module's doc)."""
    import openpyxl  # only this reader needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Nomis's workbooks have no default style; openpyxl says so, and it does not matter.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
        yield RowError(path.name, None, None, f"is not an .xlsx workbook ({error}).")
        return
    try:
        sheets = book.worksheets
        tables = 0
        for sheet in sheets:
            # Nomis leaves the sheet's dimensions unset: without this only A1 would be read.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)  # read on from the header below
            found = _nomis_header(rows)
            if found is None:
                continue
            tables += 1
            where = path.name if len(sheets) == 1 else f"{path.name}, sheet {sheet.title!r}"
            yield from _nomis_figures(rows, *found, where)
        if not tables:
            yield RowError(
                path.name,
                None,
                None,
                f"no sheet has a header whose first cell begins {_NOMIS_GEOGRAPHY!r} "
                f"within its first {_NOMIS_HEADER_WITHIN} rows (the Nomis layout).",
            )
    finally:
        book.close()


def _nomis_header(rows: Iterator[tuple]) -> tuple[int, tuple, dict[str, tuple[int, str]]] | None:
    """The header's row number and cells, and the title lines above it by their first cell
    (`gender` → (its row, `Total`)); None when the sheet does not have the layout."""
    titles: dict[str, tuple[int, str]] = {}
    for number, row in enumerate(rows, start=1):
        first = _cell_text(row[0] if row else None)
        if first.lower().startswith(_NOMIS_GEOGRAPHY):
            return number, row, titles
        if first and len(row) > 1 and row[1] is not None:
            titles[first.lower()] = (number, _cell_text(row[1]))
        if number >= _NOMIS_HEADER_WITHIN:
            break
    return None


def _nomis_figures(
    rows: Iterator[tuple],
    header_row: int,
    header: tuple,
    titles: dict[str, tuple[int, str]],
    where: str,
) -> Iterator[ParsedFigure | RowError]:
    from openpyxl.utils import get_column_letter

    geography = _cell_text(header[0])
    # What is counted, from the lines above the header.
    problems: list[RowError] = []
    gender_row, gender = titles.get("gender") or titles.get("sex") or (None, "")
    sex = _NOMIS_SEXES.get(gender.lower())
    if sex is None:
        problems.append(
            RowError(where, gender_row, "B", f"the gender {gender!r} is not Total, Male or Female.")
            if gender_row
            else RowError(
                where, header_row, None, "no 'gender' line above the header says who is counted."
            )
        )
    age_row, age = titles.get("age") or (None, "")
    spec = _mid_year_spec(age)
    if spec is None:
        problems.append(
            RowError(where, age_row, "B", f"the age {age!r} is not All Ages or Aged N+.")
            if age_row
            else RowError(
                where,
                header_row,
                None,
                "no 'age' line above the header says which ages are counted.",
            )
        )
    code_at = None
    if _cell_text(header[1] if len(header) > 1 else None).lower() == "mnemonic":
        code_at = 1  # names and codes
    years: list[tuple[int, int, str]] = []  # position, year, the column as errors name it
    for at in range(1 if code_at is None else 2, len(header)):
        text = _cell_text(header[at]).removesuffix(".0")
        if not text:
            continue
        column = f"{get_column_letter(at + 1)} ({text})"
        if not re.fullmatch(r"\d{4}", text):
            problems.append(RowError(where, header_row, column, f"{text!r} is not a year."))
            continue
        years.append((at, int(text), column))
    if not years and not problems:
        problems.append(RowError(where, header_row, None, "the header names no years."))
    if problems:
        yield from problems
        return
    codes = _codes_by_name(_COUNTY_TYPES if "county" in geography.lower() else _DISTRICT_TYPES)
    place = f"A ({geography})"
    for number, row in enumerate(rows, start=header_row + 1):
        if not any(_cell_text(cell) for cell in row):
            return  # the end of the table: notes may follow
        name = _cell_text(row[0])
        if code_at is not None:
            code = _cell_text(row[code_at])
            if code[:3] not in AREA_TYPE_BY_PREFIX:
                continue  # Wales, Scotland, Northern Ireland
        elif not (code := codes.get(_plain_name(name), "")):
            if _plain_name(name) not in _NOT_ENGLISH_NAMES:
                yield RowError(
                    where,
                    number,
                    place,
                    f"{name!r} is not a known English local authority (import the areas "
                    "first, e.g. the Census 2021 TS007 file or a Fingertips file).",
                )
            continue
        for at, year, column in years:
            value = _count(row[at] if at < len(row) else None)
            if isinstance(value, str):
                yield RowError(where, number, column, value)
                continue
            yield ParsedFigure(
                row=number,
                indicator=spec,
                area_code=code,
                area_name=name,
                sex=sex,
                age="",
                period=str(year),
                period_sortable=year * 10_000,
                period_end=datetime.date(year, 6, 30),
                period_range="1y",
                value=value,
            )


def _count(cell: object) -> Decimal | str | None:
    """A cell as a count of people, None when Nomis left it empty, or what is wrong with it."""
    if isinstance(cell, bool):
        return f"{cell!r} is not a number."
    if isinstance(cell, int | float):
        if cell != int(cell):
            return f"{cell!r} is not a whole number of people."
        number = int(cell)
    else:
        text = _cell_text(cell)
        if text in _NOMIS_MISSING:
            return None
        if not re.fullmatch(r"-?\d+", text.replace(",", "")):
            return f"{text!r} is not a number."
        number = int(text.replace(",", ""))
    if number < 0:
        return f"{number} is not a count of people."
    return Decimal(number)


def _codes_by_name(types: tuple[str, ...]) -> dict[str, str]:
    """English authorities already known, by plain name; the newest code where a name has had
    several (Northumberland, Gateshead: GSS codes are given in rising order)."""
    codes: dict[str, str] = {}
    for code, name in Area.objects.filter(area_type__in=types).values_list("code", "name"):
        key = _plain_name(name)
        if key not in codes or code > codes[key]:
            codes[key] = code
    return codes
