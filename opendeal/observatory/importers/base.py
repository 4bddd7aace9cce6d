"""What every observatory importer shares: parsed figures, row errors, and the writer that
turns them into releases, all or nothing.

An importer reads its publisher's layout and yields `ParsedFigure`s (or `RowError`s);
`write_releases` does the rest in one transaction:

- each indicator met gets one new `Release`, recognised by the checksum of the files read, so
  importing the same files again finds the release already there and writes nothing;
- the same figures read from other bytes (a header spelt another way, columns or rows in
  another order, the file saved again by R or Excel) are recognised too: when the new release
  holds exactly the figures of an earlier release of its indicator, it is dropped and the
  earlier one reported as already imported, so a copy never becomes "the latest" release;
- areas are created from the codes and names the files carry (type from the GSS prefix);
- headline figures and category breakdowns go to their own tables, in batches;
- any problem (a row error, a key twice) is collected with its row and column; if there is
  one, `ImportFailed` carries them all and the transaction is rolled back.
"""

import datetime
import hashlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TextIO

from django.db import connection, transaction
from django.utils.text import slugify
from tqdm import tqdm

from opendeal.core import audit
from opendeal.observatory.models import (
    AREA_TYPE_BY_PREFIX,
    Area,
    AreaType,
    CategoryObservation,
    Indicator,
    Observation,
    Polarity,
    Release,
)

BATCH_SIZE = 5_000
# Listing more problems than this helps nobody: the file is wrong throughout.
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    """One problem in a file. `row` counts the header as row 1 (None for the whole file)."""

    file_name: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row else "",
                self.column and f"column {self.column}",
            )
            if part
        )
        return (
            f"{self.file_name}, {place}: {self.message}"
            if place
            else f"{self.file_name}: {self.message}"
        )


class ImportFailed(Exception):
    """The files have problems; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {error}" for error in errors[:MAX_ERRORS])
        more = "" if len(errors) <= MAX_ERRORS else f"\n  … and {len(errors) - MAX_ERRORS} more"
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported.\n{shown}{more}")


@dataclass(frozen=True)
class IndicatorSpec:
    source: str
    code: str
    name: str
    unit: str = ""
    polarity: str = Polarity.NO_JUDGEMENT
    description: str = ""
    is_total: bool = False

    @property
    def slug(self) -> str:
        return slugify(f"{self.source}-{self.code}")[:130]


@dataclass(slots=True)
class ParsedFigure:
    """One row of a file, read and checked, ready to store."""

    row: int
    indicator: IndicatorSpec
    area_code: str
    area_name: str
    sex: str
    age: str
    period: str
    period_sortable: int
    period_end: datetime.date
    value: Decimal | None
    period_range: str = ""
    lower_ci_95: Decimal | None = None
    upper_ci_95: Decimal | None = None
    lower_ci_99_8: Decimal | None = None
    upper_ci_99_8: Decimal | None = None
    count: Decimal | None = None
    denominator: Decimal | None = None
    value_note: str = ""
    published_comparison: str = ""
    category_type: str = ""
    category: str = ""
    region_code: str = ""


@dataclass
class ReleaseReport:
    indicator: str
    label: str
    headline: int = 0
    categories: int = 0
    already_imported: bool = False


@dataclass
class ImportReport:
    file_name: str
    releases: list[ReleaseReport] = field(default_factory=list)
    areas_created: int = 0

    def __str__(self) -> str:
        lines = [f"{self.file_name}:"]
        for release in self.releases:
            if release.already_imported:
                lines.append(
                    f"  {release.indicator}: release {release.label!r} was already imported; "
                    "nothing changed."
                )
            else:
                lines.append(
                    f"  {release.indicator}: release {release.label!r}, "
                    f"{release.headline:,} headline figures and "
                    f"{release.categories:,} category breakdowns."
                )
        if self.areas_created:
            lines.append(f"  {self.areas_created} new areas.")
        return "\n".join(lines)


def checksum(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def already_imported(file_name: str, checksum: str) -> ImportReport | None:
    """The report of an earlier import of the same files, if there was one: imports are all
    or nothing, so those files were imported whole."""
    done = list(Release.objects.filter(checksum=checksum).select_related("indicator"))
    if not done:
        return None
    return ImportReport(
        file_name,
        [
            ReleaseReport(f"{r.indicator.code} {r.indicator.name}", r.label, already_imported=True)
            for r in done
        ],
    )


def decimal_field(
    text: str, row: int, column: str, file_name: str, errors: list[RowError]
) -> Decimal | None:
    """A numeric field, None when empty; a non-number is added to `errors`."""
    text = text.strip()
    if text in ("", "NA"):
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append(RowError(file_name, row, column, f"{text!r} is not a number."))
        return None
    return value


def area_type_for(code: str) -> str:
    return AREA_TYPE_BY_PREFIX.get(code[:3], AreaType.OTHER)


def progress_bar(path: Path | Sequence[Path], description: str, progress: TextIO | None) -> tqdm:
    """A bar over the bytes of the file, or of all the files, to be read."""
    size = sum(p.stat().st_size for p in ([path] if isinstance(path, Path) else path))
    return tqdm(
        total=size,
        desc=description,
        unit="B",
        unit_scale=True,
        file=progress if progress is not None else sys.stderr,
        disable=size == 0,
    )


def lines_with_progress(stream: IO[str], bar: tqdm) -> Iterator[str]:
    # Characters stand in for bytes; the bar is moved every thousand lines, not every line.
    read = 0
    for number, line in enumerate(stream):
        read += len(line)
        if number % 1000 == 999:
            bar.update(read)
            read = 0
        yield line
    bar.update(read)


class _AreaCache:
    """Areas by code, created on first sight from the files' codes and names."""

    def __init__(self) -> None:
        self.ids = dict(Area.objects.values_list("code", "id"))
        self.regions_set: set[str] = set()
        self.created = 0

    def id_for(self, code: str, name: str, region_code: str = "") -> int:
        region_id = self.ids.get(region_code) if region_code.startswith("E12") else None
        if code not in self.ids:
            area = Area.objects.create(
                code=code, name=name, area_type=area_type_for(code), region_id=region_id
            )
            self.ids[code] = area.id
            self.created += 1
        elif region_id and code not in self.regions_set:
            # An area first met in a file that did not say its region.
            Area.objects.filter(code=code, region__isnull=True).update(region_id=region_id)
        if region_id:
            self.regions_set.add(code)
        return self.ids[code]


class _OpenRelease:
    def __init__(self, release: Release | None, report: ReleaseReport) -> None:
        self.release = release
        self.report = report
        self.keys: set[tuple] = set()
        self.first: int | None = None
        self.last: int | None = None


def write_releases(
    figures: Iterable[ParsedFigure | RowError],
    *,
    file_name: str,
    checksum: str,
    label: str,
    published_on: datetime.date | None = None,
    errors: list[RowError] | None = None,
) -> ImportReport:
    """Store the figures as one new release per indicator, all or nothing (see module doc).
    `errors` may already hold problems found before reading rows."""
    errors = list(errors or [])
    if not errors and (report := already_imported(file_name, checksum)):
        return report
    report = ImportReport(file_name=file_name)
    if connection.vendor == "sqlite":
        # A large import touches more index pages than SQLite's default 2 MB cache holds.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")
    with transaction.atomic():
        areas = _AreaCache()
        releases: dict[tuple[str, str], _OpenRelease] = {}
        headline: list[tuple] = []
        breakdowns: list[tuple] = []
        for item in figures:
            if isinstance(item, RowError):
                errors.append(item)
                if len(errors) > MAX_ERRORS:
                    break
                continue
            key = (item.indicator.source, item.indicator.code)
            if key not in releases:
                releases[key] = _open_release(item.indicator, checksum, label, published_on)
                report.releases.append(releases[key].report)
            open_release = releases[key]
            if open_release.release is None:
                continue  # this publication is already here
            figure_key = (
                item.sex,
                item.age,
                item.area_code,
                item.category_type,
                item.category,
                item.period_sortable,
                item.period_range,
            )
            if figure_key in open_release.keys:
                errors.append(
                    RowError(
                        file_name,
                        item.row,
                        None,
                        f"A second figure for {item.area_code}, {item.sex}, {item.age or 'all ages'}, "
                        f"{item.period}{', ' + item.category if item.category else ''}.",
                    )
                )
                continue
            open_release.keys.add(figure_key)
            if errors:
                continue  # keep checking, stop writing: it will all be rolled back
            open_release.first = min(
                open_release.first or item.period_sortable, item.period_sortable
            )
            open_release.last = max(open_release.last or 0, item.period_sortable)
            values = _observation_values(item, open_release.release.id, areas)
            if item.category_type or item.category:
                breakdowns.append((*values, item.category_type[:300], item.category[:300]))
                open_release.report.categories += 1
            else:
                headline.append(values)
                open_release.report.headline += 1
            if len(headline) >= BATCH_SIZE:
                _insert(Observation, headline)
            if len(breakdowns) >= BATCH_SIZE:
                _insert(CategoryObservation, breakdowns)
        if errors:
            raise ImportFailed(errors)
        _insert(Observation, headline)
        _insert(CategoryObservation, breakdowns)
        for open_release in releases.values():
            if open_release.release is None:
                continue
            if (earlier := _release_with_the_same_figures(open_release)) is not None:
                _drop_as_already_imported(open_release, earlier)
            else:
                _close_release(open_release)
        report.areas_created = areas.created
    return report


def _open_release(
    spec: IndicatorSpec, checksum: str, label: str, published_on: datetime.date | None
) -> _OpenRelease:
    indicator, created = Indicator.objects.get_or_create(
        source=spec.source,
        code=spec.code,
        defaults={
            "slug": spec.slug,
            "name": spec.name,
            "unit": spec.unit,
            "polarity": spec.polarity,
            "description": spec.description,
            "is_total": spec.is_total,
        },
    )
    if not created and spec.name and indicator.name != spec.name:
        # The publisher's latest name for it.
        indicator.name = spec.name
        indicator.save(update_fields=["name"])
    report = ReleaseReport(indicator=f"{spec.code} {indicator.name}", label=label)
    if Release.objects.filter(indicator=indicator, checksum=checksum).exists():
        report.already_imported = True
        return _OpenRelease(None, report)
    release = Release.objects.create(
        indicator=indicator,
        label=label,
        file_name=label,
        checksum=checksum,
        published_on=published_on,
    )
    return _OpenRelease(release, report)


# The stored fields of a figure, compared to tell whether two releases hold the same figures,
# in the order the importer writes them (`_COLUMNS`).
_FIGURE_FIELDS = [
    "area_id",
    "sex",
    "age",
    "period",
    "period_sortable",
    "period_end",
    "period_range",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "count",
    "denominator",
    "value_note",
    "published_comparison",
]


def _release_with_the_same_figures(open_release: _OpenRelease) -> Release | None:
    """An earlier release of the indicator holding exactly the figures just written, if any.

    The figures are compared as stored (parsed, in the database's own precision), not as the
    files spelt them. Only a release with as many figures over the same periods can be the
    same, so most imports make one cheap query here. Figures are unique within a release (its
    constraints), so with equal counts "none of the new figures is missing from the earlier
    release" means both hold the same figures.
    """
    release = open_release.release
    headline, categories = open_release.report.headline, open_release.report.categories
    candidates = (
        Release.objects.filter(
            indicator_id=release.indicator_id,
            first_period_sortable=open_release.first,
            last_period_sortable=open_release.last,
            observations=headline + categories,
        )
        .exclude(pk=release.pk)
        .newest_first()
    )
    for candidate in candidates:
        if not any(
            _figures_missing_from(model, fields, release.pk, candidate.pk)
            for model, fields, count in (
                (Observation, _FIGURE_FIELDS, headline),
                (CategoryObservation, [*_FIGURE_FIELDS, "category_type", "category"], categories),
            )
            if count
        ):
            return candidate
    return None


def _figures_missing_from(
    model: type[Observation] | type[CategoryObservation],
    fields: list[str],
    release_id: int,
    other_id: int,
) -> bool:
    """Whether any figure of one release is not among another's (SQL EXCEPT, which treats
    two empty fields as equal)."""
    ours = model.objects.filter(release_id=release_id).order_by().values_list(*fields)
    theirs = model.objects.filter(release_id=other_id).order_by().values_list(*fields)
    return ours.difference(theirs).exists()


def _drop_as_already_imported(open_release: _OpenRelease, earlier: Release) -> None:
    """Take back a release that repeats `earlier`, and report `earlier` as already imported."""
    release = open_release.release
    Observation.objects.filter(release=release).delete()
    CategoryObservation.objects.filter(release=release).delete()
    release.delete()
    open_release.release = None
    report = open_release.report
    report.label = earlier.label
    report.headline = report.categories = 0
    report.already_imported = True


def _close_release(open_release: _OpenRelease) -> None:
    release = open_release.release
    release.first_period_sortable = open_release.first
    release.last_period_sortable = open_release.last
    release.observations = open_release.report.headline + open_release.report.categories
    release.save(update_fields=["first_period_sortable", "last_period_sortable", "observations"])
    audit.record(
        None,
        "observatory.release_imported",
        release,
        indicator=str(release.indicator.public_id),
        observations=release.observations,
    )


# The columns written, in the order `_observation_values` gives them. Rows are inserted with
# one executemany per batch rather than bulk_create: the ORM's per-object work was nine tenths
# of the time of a large import.
_COLUMNS = ["release_id", *_FIGURE_FIELDS]


# Period ends as the database takes them; there are few distinct ones.
_DATES: dict[datetime.date, object] = {}


def _insert(model: type[Observation] | type[CategoryObservation], rows: list[tuple]) -> None:
    if not rows:
        return
    names = _COLUMNS + (["category_type", "category"] if model is CategoryObservation else [])
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: an order of magnitude faster than INSERTs on PostgreSQL.
            columns = ", ".join(quote(n) for n in names)
            with cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)
    rows.clear()


def _observation_values(item: ParsedFigure, release_id: int, areas: _AreaCache) -> tuple:
    period_end = _DATES.get(item.period_end)
    if period_end is None:
        period_end = _DATES[item.period_end] = connection.ops.adapt_datefield_value(item.period_end)
    # Most rows name a known area and no region: no method call for them.
    area_id = None if item.region_code else areas.ids.get(item.area_code)
    if area_id is None:
        area_id = areas.id_for(item.area_code, item.area_name, item.region_code)
    return (
        release_id,
        area_id,
        item.sex,
        item.age,
        item.period,
        item.period_sortable,
        period_end,
        item.period_range,
        item.value,
        item.lower_ci_95,
        item.upper_ci_95,
        item.lower_ci_99_8,
        item.upper_ci_99_8,
        item.count,
        item.denominator,
        item.value_note[:300],
        item.published_comparison[:60],
    )
