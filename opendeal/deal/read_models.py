"""What the public Deal pages and the API show: plain, frozen dataclasses built by
`selectors`, with no database access of their own."""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from . import progress
from .models import Direction, MeasureKind, Part, Status, UpdateKind


@dataclass(frozen=True)
class ReadingView:
    observed_on: datetime.date
    value: Decimal


@dataclass(frozen=True)
class MilestoneView:
    title: str
    due_on: datetime.date | None
    completed_on: datetime.date | None
    is_overdue: bool

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


@dataclass(frozen=True)
class MeasureView:
    public_id: uuid.UUID
    reference: str
    title: str
    kind: MeasureKind
    unit: str
    direction: Direction | None
    baseline_value: Decimal | None
    baseline_on: datetime.date | None
    target_value: Decimal | None
    target_on: datetime.date | None
    source: str
    progress: Decimal | None
    trend: progress.Trend | None
    readings: tuple[ReadingView, ...]
    milestones: tuple[MilestoneView, ...]

    @property
    def is_metric(self) -> bool:
        return self.kind == MeasureKind.METRIC

    @property
    def latest(self) -> ReadingView | None:
        return self.readings[-1] if self.readings else None

    @property
    def milestones_total(self) -> int:
        return len(self.milestones)

    @property
    def milestones_completed(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.is_complete)

    @property
    def figure_unit(self) -> str:
        """The unit of the latest figure and target: a milestones measure counts milestones."""
        return self.unit if self.is_metric else "milestones"

    @property
    def latest_figure(self) -> Decimal | None:
        if not self.is_metric:
            return Decimal(self.milestones_completed) if self.milestones else None
        return self.latest.value if self.latest else None

    @property
    def latest_figure_on(self) -> datetime.date | None:
        if not self.is_metric:
            return max((m.completed_on for m in self.milestones if m.completed_on), default=None)
        return self.latest.observed_on if self.latest else None

    @property
    def target_figure(self) -> Decimal | None:
        if not self.is_metric:
            return Decimal(len(self.milestones)) if self.milestones else None
        return self.target_value

    @property
    def movement(self) -> str | None:
        """Which way the last figure moved: "up", "down" or "level" (None with under two)."""
        if len(self.readings) < 2:
            return None
        change = self.readings[-1].value - self.readings[-2].value
        return "up" if change > 0 else "down" if change < 0 else "level"


@dataclass(frozen=True)
class CommitmentView:
    public_id: uuid.UUID
    reference: str
    title: str
    description: str
    part: Part
    theme_slug: str
    theme_title: str
    weight: Decimal
    # Our part only: residents' commitments have no status or progress.
    status: Status | None
    progress: Decimal | None
    measures: tuple[MeasureView, ...]
    # Your part only: how many residents have signed it (active pledges).
    pledge_count: int | None
    updated_at: datetime.datetime

    @property
    def is_ours(self) -> bool:
        return self.part == Part.OURS

    @property
    def status_label(self) -> str:
        return self.status.label if self.status else ""

    @property
    def headline_measure(self) -> MeasureView | None:
        """The first measure: the one the scorecard shows."""
        return self.measures[0] if self.measures else None


@dataclass(frozen=True)
class ThemeView:
    public_id: uuid.UUID
    slug: str
    title: str
    summary: str
    weight: Decimal
    progress: Decimal | None
    our_part: tuple[CommitmentView, ...]
    your_part: tuple[CommitmentView, ...]


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int

    @property
    def label(self) -> str:
        return self.status.label


@dataclass(frozen=True)
class DealView:
    public_id: uuid.UUID
    title: str
    slug: str
    summary: str
    area_code: str
    starts_on: datetime.date
    progress: Decimal | None
    themes: tuple[ThemeView, ...]

    @property
    def our_part(self) -> tuple[CommitmentView, ...]:
        return tuple(c for theme in self.themes for c in theme.our_part)

    @property
    def your_part(self) -> tuple[CommitmentView, ...]:
        return tuple(c for theme in self.themes for c in theme.your_part)

    @property
    def pledge_count(self) -> int:
        return sum(c.pledge_count or 0 for c in self.your_part)

    @property
    def status_counts(self) -> tuple[StatusCount, ...]:
        return count_by_status(self.our_part)

    def theme(self, slug: str) -> ThemeView:
        for theme in self.themes:
            if theme.slug == slug:
                return theme
        raise Http404("There is no theme with that name in the Deal.")


@dataclass(frozen=True)
class TimelineEntry:
    occurred_on: datetime.date
    recorded_at: datetime.datetime
    kind: UpdateKind
    summary: str
    status: Status
    progress: Decimal | None
    recorded_by_name: str
    measure_reference: str | None

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass(frozen=True)
class CommitmentPage:
    deal_title: str
    theme_slug: str
    theme_title: str
    commitment: CommitmentView
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class Scorecard:
    deal: DealView
    # Our-part commitments matching the filters, in Deal order.
    rows: tuple[CommitmentView, ...]
    theme_slug: str
    status: str


@dataclass(frozen=True)
class CommitmentPledges:
    public_id: uuid.UUID
    reference: str
    title: str
    pledges: int


@dataclass(frozen=True)
class DistrictPledges:
    district: str
    pledges: int


@dataclass(frozen=True)
class PublicPledgeTotals:
    total_pledges: int
    total_people: int
    by_commitment: tuple[CommitmentPledges, ...]
    by_district: tuple[DistrictPledges, ...]


def count_by_status(commitments: Iterable[CommitmentView]) -> tuple[StatusCount, ...]:
    """How many commitments have each status, every status listed (in workflow order)."""
    counts = defaultdict(int)
    for commitment in commitments:
        counts[commitment.status] += 1
    return tuple(StatusCount(status, counts[status]) for status in Status)


def plain_decimal(value: Decimal) -> str:
    """A Decimal as exact plain text without trailing zeros: 12.5000 -> "12.5", 1E+2 -> "100"."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
