"""A publisher revises past figures: a measure that follows a published series takes the
revision, says so on its timeline, and never mixes an old release's past with a new one's."""

import datetime
from decimal import Decimal

import pytest

from opendeal.core.fingertips import Figure
from opendeal.core.roles import Role
from opendeal.deal.models import Measure, MeasureKind, ProgressUpdate, UpdateKind
from opendeal.deal.published_figures import record_published_figures

from .factories import make_small_deal

pytestmark = pytest.mark.django_db

PUBLISHER = "Office for Health Improvement and Disparities (Fingertips)"


def _figures(*values: tuple[int, str]) -> list[Figure]:
    return [
        Figure(f"{year - 2} - {str(year)[2:]}", datetime.date(year, 12, 31), Decimal(value))
        for year, value in values
    ]


@pytest.fixture
def measure() -> Measure:
    measure = make_small_deal().activity
    Measure.objects.filter(pk=measure.pk).update(
        kind=MeasureKind.METRIC, baseline_value=None, baseline_on=None
    )
    measure.refresh_from_db()
    measure.readings.all().delete()
    return measure


def test_a_new_release_revises_the_baseline_and_earlier_readings(measure, make_user):
    analyst = make_user(Role.ANALYST, full_name="Ana Lyst")
    first = _figures((2021, "60.9"), (2022, "61.2"), (2023, "61.0"))
    assert record_published_figures(analyst, measure, first, PUBLISHER) == 2

    revised = _figures((2021, "60.1"), (2022, "61.2"), (2023, "60.7"), (2024, "61.4"))
    assert record_published_figures(analyst, measure, revised, PUBLISHER) == 2

    measure.refresh_from_db()
    assert (measure.baseline_value, measure.baseline_on) == (
        Decimal("60.1"),
        datetime.date(2021, 12, 31),
    )
    readings = list(measure.readings.order_by("observed_on").values_list("value", flat=True))
    assert readings == [Decimal("61.2"), Decimal("60.7"), Decimal("61.4")]
    updates = ProgressUpdate.objects.filter(commitment=measure.commitment)
    assert updates.filter(
        kind=UpdateKind.NOTE,
        summary=f"The baseline of {measure.title} for the period 2019 - 21 was revised by "
        f"{PUBLISHER} from 60.9 to 60.1.",
    ).exists()
    corrected = updates.get(kind=UpdateKind.READING, summary__contains="was corrected to")
    assert corrected.summary == (
        f"{measure.title} was corrected to 60.7{measure.unit} on 31 December 2023. "
        f"Revised by {PUBLISHER} for the period 2021 - 23."
    )

    # The same release again changes nothing.
    count = updates.count()
    assert record_published_figures(analyst, measure, revised, PUBLISHER) == 0
    assert ProgressUpdate.objects.filter(commitment=measure.commitment).count() == count


def test_figures_that_only_differ_in_trailing_places_are_not_revisions(measure, make_user):
    analyst = make_user(Role.ANALYST)
    record_published_figures(analyst, measure, _figures((2021, "60.9"), (2022, "61.2")), "X")
    again = _figures((2021, "60.90000"), (2022, "61.20"))
    assert record_published_figures(analyst, measure, again, "X") == 0
