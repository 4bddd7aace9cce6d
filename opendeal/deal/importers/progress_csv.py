"""Import progress on a Deal's measures from a CSV file.

The header is `measure,date,value,milestone,note` (any order):

- `measure`: the reference of a measure of the Deal, like HW1.1;
- `date`: when the figure was observed or the milestone reached, YYYY-MM-DD, not in the future;
- `value`: the figure, for a metric measure (and empty for a milestones measure);
- `milestone`: the exact title of a milestone, for a milestones measure (empty for a metric);
- `note`: optional words shown on the public timeline.

All or nothing: every row is checked first and every problem is collected, naming its row (the
header is row 1) and column. If there is any problem, `ImportFailed` carries them all and
nothing is written. Otherwise each row is recorded through `services.record_reading` or
`services.complete_milestone` in one transaction, so the timeline and audit trail are written
just as when someone records progress on the page.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opendeal.core.models import User
from opendeal.core.permissions import check_permission
from opendeal.deal import services
from opendeal.deal.models import Deal, Measure, MeasureKind, Milestone

COLUMNS = ("measure", "date", "value", "milestone", "note")
NOTE_MAX_LENGTH = 1000
# Readings are stored as DecimalField(max_digits=14, decimal_places=4).
VALUE_DECIMAL_PLACES = 4
VALUE_WHOLE_DIGITS = 10
_BYTE_ORDER_MARK = "\ufeff"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    """One problem in the file. `row` counts the header as row 1; None for the whole file."""

    file_name: str
    row: int | None
    column: str | None
    message: str

    def describe(self) -> str:
        """ "Row 3, column date: message", as listed on the page."""
        place = ", ".join(
            part
            for part in (
                f"Row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{place}: {self.message}" if place else self.message

    def __str__(self) -> str:
        return f"{self.file_name}: {self.describe()}"


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported.")


@dataclass(frozen=True)
class ProgressRow:
    """A checked row, ready to record."""

    row: int
    measure: Measure
    observed_on: datetime.date
    value: Decimal | None
    milestone: Milestone | None
    note: str


@dataclass
class ImportReport:
    file_name: str
    readings_recorded: int = 0
    milestones_completed: int = 0
    commitments_updated: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.readings_recorded + self.milestones_completed

    def __str__(self) -> str:
        return (
            f"{self.file_name}: recorded {_count(self.readings_recorded, 'reading')} and "
            f"{_count(self.milestones_completed, 'milestone')} reached, on "
            f"{_count(len(self.commitments_updated), 'commitment')}."
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def can_import_progress(actor: User) -> tuple[bool, str]:
    allowed, reason = check_permission(
        actor, "deal.import_progress", to="import progress", role_lacks="importing progress"
    )
    return services.can_record_progress(actor) if allowed else (allowed, reason)


class ProgressCsvImporter:
    """Checks and records a progress file for one Deal, as one person."""

    def __init__(self, deal: Deal, actor: User) -> None:
        self.deal = deal
        self.actor = actor

    def check(self, stream: TextIO, file_name: str) -> list[ProgressRow]:
        """Every row, checked; raises ImportFailed listing every problem in the file."""
        checker = _FileChecker(self.deal, file_name)
        rows = checker.check(stream)
        if checker.errors:
            raise ImportFailed(checker.errors)
        return rows

    def record(self, rows: Iterable[ProgressRow], file_name: str) -> ImportReport:
        """Record checked rows in one transaction: all of them, or (on any refusal) none."""
        allowed, reason = can_import_progress(self.actor)
        if not allowed:
            raise PermissionDenied(reason)
        report = ImportReport(file_name)
        with transaction.atomic():
            for row in rows:
                self._record_row(row, report, file_name)
        return report

    def _record_row(self, row: ProgressRow, report: ImportReport, file_name: str) -> None:
        try:
            if row.milestone is not None:
                services.complete_milestone(self.actor, row.milestone, row.observed_on, row.note)
                report.milestones_completed += 1
            else:
                services.record_reading(
                    self.actor, row.measure, row.observed_on, row.value, row.note
                )
                report.readings_recorded += 1
        except ValidationError as error:
            # Checked already, so only a change since the check (e.g. midnight) lands here.
            message = " ".join(error.messages)
            raise ImportFailed([RowError(file_name, row.row, None, message)]) from error
        report.commitments_updated.add(row.measure.commitment.reference)

    def run(self, stream: TextIO, file_name: str) -> ImportReport:
        allowed, reason = can_import_progress(self.actor)
        if not allowed:
            raise PermissionDenied(reason)
        return self.record(self.check(stream, file_name), file_name)


def import_progress_csv(actor: User, deal: Deal, stream: TextIO, file_name: str) -> ImportReport:
    """Check the whole file, then record it all in one transaction; see the module docstring."""
    return ProgressCsvImporter(deal, actor).run(stream, file_name)


class _FileChecker:
    """Reads the file once, collecting every problem in `errors`."""

    def __init__(self, deal: Deal, file_name: str) -> None:
        self.file_name = file_name
        self.errors: list[RowError] = []
        self.today = timezone.localdate()
        measures = (
            Measure.objects.filter(commitment__theme__deal=deal)
            .select_related("commitment")
            .prefetch_related("milestones")
        )
        self.measures = {measure.reference.casefold(): measure for measure in measures}
        self.deal_title = deal.title
        # (measure id, date) of readings and (measure id, milestone id), to row number.
        self.seen: dict[tuple, int] = {}

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.file_name, row, column, message))

    def check(self, stream: TextIO) -> list[ProgressRow]:
        records = self._records(stream)
        header = self._header(records)
        if header is None:
            return []
        rows = []
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue  # A blank line between rows is harmless.
            if len(cells) != len(header):
                self.error(
                    number,
                    None,
                    f"The row has {_count(len(cells), 'value')} but the header has "
                    f"{len(header)} columns.",
                )
                continue
            checked = self._row(
                number, dict(zip(header, (cell.strip() for cell in cells), strict=True))
            )
            if checked is not None:
                rows.append(checked)
        if not rows and not self.errors:
            self.error(None, None, "The file has a header but no rows of progress.")
        return rows

    def _records(self, stream: TextIO) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for each record; a file csv cannot read ends with an error."""
        reader = csv.reader(stream)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except csv.Error as error:
            self.error(number + 1, None, f"This is not a well-formed CSV row ({error}).")

    def _header(self, records: Iterator[tuple[int, list[str]]]) -> list[str] | None:
        first = next(((n, cells) for n, cells in records if any(c.strip() for c in cells)), None)
        if first is None:
            self.error(None, None, "The file is empty.")
            return None
        number, cells = first
        if cells[0].startswith(_BYTE_ORDER_MARK):
            cells[0] = cells[0][1:]
        header = [cell.strip().lower() for cell in cells]
        expected = ", ".join(COLUMNS)
        for name in [name for name in COLUMNS if name not in header]:
            self.error(
                number, name, f"The header has no “{name}” column. The columns are {expected}."
            )
        for name in header:
            if name not in COLUMNS:
                self.error(
                    number,
                    name or "(blank)",
                    f"“{name}” is not a column this import understands. The columns are {expected}.",
                )
        for name in sorted({name for name in header if header.count(name) > 1}):
            self.error(number, name, "The column appears more than once in the header.")
        return None if self.errors else header

    def _row(self, number: int, values: dict[str, str]) -> ProgressRow | None:
        errors_before = len(self.errors)
        measure = self._measure(number, values["measure"])
        observed_on = self._date(number, values["date"])
        note = values["note"]
        if len(note) > NOTE_MAX_LENGTH:
            self.error(number, "note", f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer.")
        value, milestone = None, None
        if measure is not None and measure.kind == MeasureKind.METRIC:
            value = self._metric_value(number, measure, values)
        elif measure is not None:
            milestone = self._milestone(number, measure, values)
        if (
            measure is not None
            and observed_on is not None
            and (value is not None or milestone is not None)
        ):
            self._check_repeat(number, measure, observed_on, milestone)
        if len(self.errors) > errors_before:
            return None
        return ProgressRow(number, measure, observed_on, value, milestone, note)

    def _measure(self, number: int, reference: str) -> Measure | None:
        if not reference:
            self.error(number, "measure", "Enter the reference of a measure, like HW1.1.")
            return None
        measure = self.measures.get(reference.casefold())
        if measure is None:
            self.error(
                number, "measure", f"There is no measure “{reference}” in {self.deal_title}."
            )
        return measure

    def _date(self, number: int, text: str) -> datetime.date | None:
        if not text:
            self.error(number, "date", "Enter the date, like 2025-03-31.")
            return None
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)  # fromisoformat also takes 20250331 and 2025-W13-1
            day = datetime.date.fromisoformat(text)
        except ValueError:
            self.error(
                number, "date", f"“{text}” is not a date written as YYYY-MM-DD, like 2025-03-31."
            )
            return None
        if day > self.today:
            self.error(
                number, "date", f"{text} is in the future. Record progress only up to today."
            )
            return None
        return day

    def _metric_value(
        self, number: int, measure: Measure, values: dict[str, str]
    ) -> Decimal | None:
        if values["milestone"]:
            self.error(
                number,
                "milestone",
                f"Leave milestone empty: {measure.reference} is a metric, not a milestones measure.",
            )
        text = values["value"]
        if not text:
            self.error(number, "value", f"Enter the figure for {measure.reference}.")
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.error(number, "value", f"“{text}” is not a number. Write figures like 42.5.")
            return None
        if -value.normalize().as_tuple().exponent > VALUE_DECIMAL_PLACES:
            self.error(
                number,
                "value",
                f"Give the figure to at most {VALUE_DECIMAL_PLACES} decimal places.",
            )
            return None
        if value.adjusted() + 1 > VALUE_WHOLE_DIGITS:
            self.error(number, "value", f"The figure {text} is too large.")
            return None
        return value

    def _milestone(self, number: int, measure: Measure, values: dict[str, str]) -> Milestone | None:
        if values["value"]:
            self.error(
                number,
                "value",
                f"Leave value empty: {measure.reference} is a milestones measure, not a metric.",
            )
        title = values["milestone"]
        if not title:
            self.error(
                number, "milestone", f"Enter the title of a milestone of {measure.reference}."
            )
            return None
        milestone = next((item for item in measure.milestones.all() if item.title == title), None)
        if milestone is None:
            self.error(
                number, "milestone", f"{measure.reference} has no milestone called “{title}”."
            )
        return milestone

    def _check_repeat(
        self, number: int, measure: Measure, day: datetime.date, milestone: Milestone | None
    ) -> None:
        # A metric has one figure a day; a milestone is reached once. Two milestones of one
        # measure may well be reached on the same day.
        if milestone is not None:
            key = ("milestone", milestone.pk)
            column, what = "milestone", f"“{milestone.title}”"
        else:
            key = ("reading", measure.pk, day)
            column, what = "date", f"a figure for {measure.reference} on {day.isoformat()}"
        if key in self.seen:
            self.error(number, column, f"Row {self.seen[key]} already gives {what}.")
        else:
            self.seen[key] = number
