"""Read-only queries for the public Deal pages and the API.

Each query returns the plain dataclasses of `read_models` and takes a fixed number of database
queries however many commitments the Deal has: commitments' progress is read as stored by
`services.refresh_progress`, theme and Deal roll-ups are worked out here with
`progress.weighted_mean`, and pledges are counted in one aggregate query.

Only published Deals are shown; anything else is a 404.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone

from . import pledges, progress
from .models import (
    Commitment,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Part,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    Reading,
    Status,
    UpdateKind,
)
from .read_models import (
    CommitmentPage,
    CommitmentPledges,
    CommitmentView,
    DealView,
    DistrictPledges,
    MeasureView,
    MilestoneView,
    PublicPledgeTotals,
    ReadingView,
    Scorecard,
    ThemeView,
    TimelineEntry,
)

# Who made a timeline entry is shown in public: never an email address, whatever was typed.
_ANONYMOUS_RECORDER = "Council officer"


# --- The published Deal ------------------------------------------------------------------------


def latest_published_deal() -> Deal | None:
    """The Deal residents see and pledge to: the published one that started last."""
    return Deal.objects.filter(is_published=True).order_by("-starts_on", "-pk").first()


def published_deal() -> Deal:
    """The current Deal, or 404 where none is published."""
    deal = latest_published_deal()
    if deal is None:
        raise Http404("No Deal has been published yet.")
    return deal


# Prefetched into plain lists (to_attr): Django then skips building a related manager and a
# queryset for every parent row, which was most of the scorecard's time with 100 commitments.
def _measures_prefetch() -> Prefetch:
    return Prefetch(
        "measures",
        queryset=Measure.objects.order_by("position", "reference").prefetch_related(
            Prefetch(
                "readings",
                queryset=Reading.objects.order_by("observed_on"),
                to_attr="readings_in_order",
            ),
            Prefetch("milestones", to_attr="milestones_in_order"),
        ),
        to_attr="measures_in_order",
    )


def _active_pledge_counts(commitment_ids: Iterable[int]) -> dict[int, int]:
    ids = list(commitment_ids)
    if not ids:
        return {}
    rows = (
        Pledge.objects.filter(status=PledgeStatus.ACTIVE, commitment_id__in=ids)
        .values("commitment")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["commitment"]: row["count"] for row in rows}


def _recorder_name(name: str) -> str:
    return name if name and "@" not in name else _ANONYMOUS_RECORDER


def _milestone_view(milestone, today: datetime.date) -> MilestoneView:
    return MilestoneView(
        title=milestone.title,
        due_on=milestone.due_on,
        completed_on=milestone.completed_on,
        is_overdue=(
            milestone.completed_on is None
            and milestone.due_on is not None
            and milestone.due_on < today
        ),
    )


def _measure_view(measure: Measure, today: datetime.date) -> MeasureView:
    """Built from prefetched readings and milestones: no query of its own."""
    readings = tuple(ReadingView(r.observed_on, r.value) for r in measure.readings_in_order)
    milestones = tuple(_milestone_view(m, today) for m in measure.milestones_in_order)
    if measure.kind == MeasureKind.MILESTONES:
        value = progress.milestone_progress(
            len(milestones), sum(1 for m in milestones if m.is_complete)
        )
        trend = None
    else:
        latest = readings[-1].value if readings else None
        value = progress.metric_progress(
            measure.baseline_value, measure.target_value, latest, measure.direction
        )
        trend = progress.trend([r.value for r in readings], measure.direction)
    return MeasureView(
        public_id=measure.public_id,
        reference=measure.reference,
        title=measure.title,
        kind=MeasureKind(measure.kind),
        unit=measure.unit,
        direction=Direction(measure.direction) if measure.direction else None,
        baseline_value=measure.baseline_value,
        baseline_on=measure.baseline_on,
        target_value=measure.target_value,
        target_on=measure.target_on,
        source=measure.source,
        progress=value,
        trend=trend,
        readings=readings,
        milestones=milestones,
    )


def _commitment_view(
    commitment: Commitment,
    theme_slug: str,
    theme_title: str,
    pledge_counts: dict[int, int],
    today: datetime.date,
) -> CommitmentView:
    is_ours = commitment.part == Part.OURS
    return CommitmentView(
        public_id=commitment.public_id,
        reference=commitment.reference,
        title=commitment.title,
        description=commitment.description,
        part=Part(commitment.part),
        theme_slug=theme_slug,
        theme_title=theme_title,
        weight=commitment.weight,
        status=Status(commitment.status) if is_ours else None,
        progress=commitment.progress if is_ours else None,
        measures=tuple(_measure_view(m, today) for m in commitment.measures_in_order),
        pledge_count=None if is_ours else pledge_counts.get(commitment.pk, 0),
        updated_at=commitment.updated_at,
    )


def theme_progress(commitments: Iterable[CommitmentView]) -> Decimal | None:
    """A theme's progress: the weighted mean of its our-part commitments' progress."""
    return progress.weighted_mean((c.weight, c.progress) for c in commitments if c.is_ours)


def deal_progress(themes: Iterable[ThemeView]) -> Decimal | None:
    """The Deal's progress: the weighted mean of its themes' progress."""
    return progress.weighted_mean((theme.weight, theme.progress) for theme in themes)


def deal_view(deal: Deal) -> DealView:
    """The whole Deal, with every theme, commitment, measure, reading and milestone."""
    themes = list(
        deal.themes.order_by("position", "title").prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.order_by("position", "reference").prefetch_related(
                    _measures_prefetch()
                ),
                to_attr="commitments_in_order",
            )
        )
    )
    pledge_counts = _active_pledge_counts(
        c.pk for theme in themes for c in theme.commitments_in_order if c.part == Part.YOURS
    )
    today = timezone.localdate()
    theme_views = []
    for theme in themes:
        commitments = [
            _commitment_view(c, theme.slug, theme.title, pledge_counts, today)
            for c in theme.commitments_in_order
        ]
        our_part = tuple(c for c in commitments if c.is_ours)
        theme_views.append(
            ThemeView(
                public_id=theme.public_id,
                slug=theme.slug,
                title=theme.title,
                summary=theme.summary,
                weight=theme.weight,
                progress=theme_progress(our_part),
                our_part=our_part,
                your_part=tuple(c for c in commitments if not c.is_ours),
            )
        )
    return DealView(
        public_id=deal.public_id,
        title=deal.title,
        slug=deal.slug,
        summary=deal.summary,
        area_code=deal.area_code,
        starts_on=deal.starts_on,
        progress=deal_progress(theme_views),
        themes=tuple(theme_views),
    )


def current_deal() -> DealView:
    """The published Deal, in full. Raises Http404 when none is published."""
    return deal_view(published_deal())


def deal_summary() -> dict:
    """The home page's figures; {} when no Deal is published."""
    deal = latest_published_deal()
    if deal is None:
        return {}
    commitments = list(
        Commitment.objects.filter(theme__deal=deal, part=Part.OURS).values_list(
            "theme_id", "weight", "progress"
        )
    )
    by_theme = defaultdict(list)
    for theme_id, weight, value in commitments:
        by_theme[theme_id].append((weight, value))
    themes = deal.themes.values_list("pk", "weight")
    overall = progress.weighted_mean(
        (weight, progress.weighted_mean(by_theme[pk])) for pk, weight in themes
    )
    pledges = Pledge.objects.filter(status=PledgeStatus.ACTIVE, commitment__theme__deal=deal)
    return {
        "commitment_count": len(commitments),
        "progress": overall,
        "pledge_count": pledges.count(),
    }


def scorecard(theme_slug: str = "", status: str = "") -> Scorecard:
    """Every our-part commitment of the published Deal, optionally only one theme's and/or one
    status's; the roll-ups are always the whole Deal's."""
    return filter_scorecard(current_deal(), theme_slug, status)


def filter_scorecard(deal: DealView, theme_slug: str = "", status: str = "") -> Scorecard:
    rows = tuple(
        c
        for c in deal.our_part
        if (not theme_slug or c.theme_slug == theme_slug) and (not status or c.status == status)
    )
    return Scorecard(deal=deal, rows=rows, theme_slug=theme_slug, status=status)


def commitment_page(public_id: uuid.UUID) -> CommitmentPage:
    """One commitment of a published Deal with its measures, milestones and timeline."""
    commitment = (
        Commitment.objects.select_related("theme__deal")
        .prefetch_related(_measures_prefetch())
        .filter(public_id=public_id, theme__deal__is_published=True)
        .first()
    )
    if commitment is None:
        raise Http404("There is no commitment with that id in a published Deal.")
    pledge_counts = _active_pledge_counts([commitment.pk]) if commitment.part == Part.YOURS else {}
    theme = commitment.theme
    view = _commitment_view(
        commitment, theme.slug, theme.title, pledge_counts, timezone.localdate()
    )
    return CommitmentPage(
        deal_title=theme.deal.title,
        theme_slug=theme.slug,
        theme_title=theme.title,
        commitment=view,
        timeline=timeline(commitment),
    )


def timeline(commitment: Commitment) -> tuple[TimelineEntry, ...]:
    """The commitment's public timeline, newest first."""
    updates = (
        ProgressUpdate.objects.filter(commitment=commitment)
        .select_related("measure")
        .order_by("-occurred_on", "-recorded_at", "-pk")
    )
    return tuple(
        TimelineEntry(
            occurred_on=update.occurred_on,
            recorded_at=update.recorded_at,
            kind=UpdateKind(update.kind),
            summary=update.summary,
            status=Status(update.status),
            progress=update.progress,
            recorded_by_name=_recorder_name(update.recorded_by_name),
            measure_reference=update.measure.reference if update.measure else None,
        )
        for update in updates
    )


def pledge_totals() -> PublicPledgeTotals:
    """Public totals of active pledges to the published Deal: by commitment and by postcode
    district. Never a name, email address or full postcode."""
    deal = published_deal()
    totals = pledges.pledge_totals(deal)
    commitments = Commitment.objects.filter(pk__in=totals.by_commitment).order_by(
        "theme__position", "theme__title", "position", "reference"
    )
    return PublicPledgeTotals(
        total_pledges=totals.total_pledges,
        total_people=totals.total_people,
        by_commitment=tuple(
            CommitmentPledges(c.public_id, c.reference, c.title, totals.by_commitment[c.pk])
            for c in commitments
        ),
        by_district=tuple(DistrictPledges(name, count) for name, count in totals.by_district),
    )
