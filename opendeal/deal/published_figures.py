"""Put a measure's published figures on its timeline: from a Fingertips file (the demo), from
the observatory series the measure is linked to (`Measure.observatory_indicator`), or from a
borough-wide series of the council's adult social care records (`Measure.care_series`).

The first figure is the baseline (when the measure has none yet); each later figure, dated
after the baseline, not yet recorded and not in the future, becomes a reading through
`services.record_reading`, so the timeline and the audit trail are written as for any reading.
Running it again records nothing new.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from opendeal.core.fingertips import Figure
from opendeal.core.models import User

from . import services
from .models import CareSeries, Measure, MeasureKind, Reading

CARE_PUBLISHER = "the council's adult social care records (OpenDeal)"


@transaction.atomic
def record_published_figures(
    recorder: User, measure: Measure, figures: Sequence[Figure], publisher: str
) -> int:
    """Baseline and readings from `figures` (oldest first); returns how many readings were
    recorded or revised.

    Publishers revise past figures (ONS re-bases its estimates; late care records fill a
    quarter), so a figure that differs from the one recorded for its period replaces it, and
    the timeline says so: a measure never mixes an old release's past with a new one's present.
    """
    if figures and measure.baseline_value is None:
        measure.baseline_value = figures[0].value
        measure.baseline_on = figures[0].period_end
        measure.save(update_fields=["baseline_value", "baseline_on"])
    existing = dict(Reading.objects.filter(measure=measure).values_list("observed_on", "value"))
    # A figure of the baseline's period (or before it) is not progress from it; a baseline
    # typed by staff without a date leaves every figure a reading.
    since = measure.baseline_on
    recorded = 0
    for figure in figures:
        if figure.period_end > timezone.localdate():
            continue
        if since is not None and figure.period_end == since:
            _revise_baseline(recorder, measure, figure, publisher)
        if since is not None and figure.period_end <= since:
            continue
        before = existing.get(figure.period_end)
        if before is not None and before == _as_stored(figure.value):
            continue
        source = "Revised" if before is not None else "Published"
        services.record_reading(
            recorder,
            measure,
            figure.period_end,
            figure.value,
            note=f"{source} by {publisher} for the period {figure.period}.",
        )
        recorded += 1
    return recorded


def _as_stored(value: Decimal) -> Decimal:
    """The value as a reading or baseline keeps it (4 decimal places)."""
    return value.quantize(Decimal("0.0001"))


def _revise_baseline(recorder: User, measure: Measure, figure: Figure, publisher: str) -> None:
    if measure.baseline_value is None or _as_stored(measure.baseline_value) == _as_stored(
        figure.value
    ):
        return
    was = measure.baseline_value
    measure.baseline_value = figure.value
    measure.save(update_fields=["baseline_value"])
    services.refresh_progress(measure.commitment)
    services.post_update(
        recorder,
        measure.commitment,
        timezone.localdate(),
        f"The baseline of {measure.title} for the period {figure.period} was revised by "
        f"{publisher} from {was.normalize():f} to {figure.value.normalize():f}.",
    )


def observatory_figures(measure: Measure) -> list[Figure]:
    """The linked observatory series for the Deal's area, from the indicator's latest release
    (empty when the measure has no link or the release has no figures for the area)."""
    from opendeal.observatory.models import Observation, Release

    indicator = measure.observatory_indicator
    if indicator is None:
        return []
    release = Release.objects.filter(indicator=indicator).newest_first().first()
    if release is None:
        return []
    observations = Observation.objects.filter(
        release=release,
        area__code=measure.commitment.theme.deal.area_code,
        sex=measure.observatory_sex or "Persons",
        value__isnull=False,
    ).order_by("period_sortable")
    return [Figure(o.period, o.period_end, o.value) for o in observations]


def record_observatory_figures(recorder: User, measure: Measure) -> int:
    indicator = measure.observatory_indicator
    if indicator is None:
        return 0
    publisher = indicator.get_source_display()
    return record_published_figures(recorder, measure, observatory_figures(measure), publisher)


def care_figures(measure: Measure, today: datetime.date | None = None) -> list[Figure]:
    """The measure's care series, one figure per complete quarter, dated its last day (empty
    when the measure has no care series). Quarters with fewer than 5 people are left out, as
    the public pages leave out small numbers (`care.demand.SMALL_NUMBER`)."""
    return care_series_figures(measure.care_series, today)


def care_series_figures(series: str, today: datetime.date | None = None) -> list[Figure]:
    """One of the `CareSeries` by complete quarter (see `care_figures`); empty for none."""
    from opendeal.care import outcomes
    from opendeal.care.demand import SMALL_NUMBER

    if series == CareSeries.PEOPLE_CONNECTED:
        quarters = outcomes.people_connected_by_quarter()
    elif series == CareSeries.WELLBEING_CHANGE:
        quarters = outcomes.wellbeing_change_by_quarter()
    else:
        return []
    today = today or timezone.localdate()
    return [
        Figure(_quarter_label(q.quarter), q.quarter_end, q.value)
        for q in quarters
        if q.quarter_end < today and q.people >= SMALL_NUMBER
    ]


def _quarter_label(first_day: datetime.date) -> str:
    last = first_day.replace(month=first_day.month + 2)
    return f"{first_day:%B} to {last:%B %Y}"


def record_care_figures(
    recorder: User, measure: Measure, today: datetime.date | None = None
) -> int:
    if not measure.care_series or measure.kind != MeasureKind.METRIC:
        return 0
    figures = care_figures(measure, today)
    return record_published_figures(recorder, measure, figures, CARE_PUBLISHER)


@dataclass(frozen=True)
class Refreshed:
    care: int
    observatory: int


def refresh_linked_measures(recorder: User) -> Refreshed:
    """Record what is new on every measure linked to a series: the care records' complete
    quarters and the observatory's latest release. The daily housekeeping runs it so that
    nobody has to type them. Returns how many readings were recorded from each."""
    linked = Measure.objects.select_related("commitment__theme__deal", "observatory_indicator")
    # Each series reads every connection in the borough, so it is worked out once however
    # many measures follow it.
    series_figures: dict[str, list[Figure]] = {}
    care = 0
    for measure in linked.exclude(care_series="").filter(kind=MeasureKind.METRIC):
        if measure.care_series not in series_figures:
            series_figures[measure.care_series] = care_series_figures(measure.care_series)
        figures = series_figures[measure.care_series]
        care += record_published_figures(recorder, measure, figures, CARE_PUBLISHER)
    observatory = sum(
        record_observatory_figures(recorder, measure)
        for measure in linked.filter(observatory_indicator__isnull=False)
    )
    return Refreshed(care=care, observatory=observatory)
