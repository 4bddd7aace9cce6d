"""Put a measure's published figures on its timeline: from a Fingertips file (the demo) or from
the observatory series the measure is linked to (`Measure.observatory_indicator`).

The first figure is the baseline (when the measure has none yet); each later figure not yet
recorded, and not dated in the future, becomes a reading through `services.record_reading`,
so the timeline and the audit trail are written as for any reading. Running it again records
nothing new.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from opendeal.core.fingertips import Figure
from opendeal.core.models import User

from . import services
from .models import Measure, Reading


@transaction.atomic
def record_published_figures(
    recorder: User, measure: Measure, figures: Sequence[Figure], publisher: str
) -> int:
    """Baseline and readings from `figures` (oldest first); returns how many were recorded."""
    if figures and measure.baseline_value is None:
        measure.baseline_value = figures[0].value
        measure.baseline_on = figures[0].period_end
        measure.save(update_fields=["baseline_value", "baseline_on"])
    existing = set(Reading.objects.filter(measure=measure).values_list("observed_on", flat=True))
    recorded = 0
    for figure in figures[1:]:
        if figure.period_end not in existing and figure.period_end <= timezone.localdate():
            services.record_reading(
                recorder,
                measure,
                figure.period_end,
                figure.value,
                note=f"Published by {publisher} for the period {figure.period}.",
            )
            recorded += 1
    return recorded


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
