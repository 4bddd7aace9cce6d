"""The demo observatory from the real files, and Deal measures read from observatory series."""

import datetime
import io
from decimal import Decimal

import pytest

from opendeal.deal.models import Commitment, Deal, Measure, MeasureKind, Part, Reading, Theme
from opendeal.deal.published_figures import observatory_figures, record_observatory_figures
from opendeal.observatory.demo import load_demo_observatory
from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.models import Indicator, Neighbour, Observation, Release

from .conftest import SMOKING, shared

pytestmark = pytest.mark.django_db


def test_the_demo_imports_every_real_file_once():
    log = io.StringIO()
    report = load_demo_observatory(log=log)
    assert "releases imported this run" in report
    codes = set(Indicator.objects.values_list("source", "code"))
    assert {
        ("fingertips", "90362"),
        ("eyfsp", "gld"),
        ("oflog", "ASC7"),
        ("cqc", "care-homes"),
    } <= codes
    assert ("revenue_outturn", "adult-social-care") in codes and (
        "population",
        "mye-65-plus",
    ) in codes
    # Adults 16+ in every year of the Deal, from the Nomis workbook.
    assert ("population", "mye-16-plus") in codes
    assert Release.objects.filter(indicator__code="90362").count() == 2
    assert Neighbour.objects.exists()
    counts = (Release.objects.count(), Observation.objects.count(), Neighbour.objects.count())
    again = load_demo_observatory(log=log)
    assert (
        Release.objects.count(),
        Observation.objects.count(),
        Neighbour.objects.count(),
    ) == counts
    assert "0 releases imported this run" in again
    assert log.getvalue() == ""


def test_without_the_data_folder_the_demo_fetches_fingertips_and_says_what_it_lacks(
    settings, tmp_path, fingertips_api
):
    settings.OPENDEAL_DATA_DIR = tmp_path / "no-shared-data"
    settings.VAR_DIR = tmp_path / "var"
    log = io.StringIO()
    load_demo_observatory(log=log)
    text = log.getvalue()
    assert text.count("fetching it from OHID Fingertips") == 7
    assert "oflog_adult_social_care_measures_2015-16_to_2022-23.csv is not in" in text
    assert "the observatory is left without it" in text
    assert Observation.objects.filter(
        release__indicator__code="92443", area__code="E08000010"
    ).exists()
    # Both 90362 files came from the one API address: the same publication, one release.
    assert Release.objects.filter(indicator__code="90362").count() == 1


def smoking_measure() -> Measure:
    deal = Deal.objects.create(
        title="The Deal",
        slug="the-deal",
        area_code="E08000010",
        summary="",
        starts_on=datetime.date(2024, 4, 1),
    )
    theme = Theme.objects.create(deal=deal, title="Health", slug="health")
    commitment = Commitment.objects.create(
        theme=theme, part=Part.OURS, reference="HW2", title="Stop smoking"
    )
    return Measure.objects.create(
        commitment=commitment,
        reference="HW2.1",
        title="Adults who smoke",
        kind=MeasureKind.METRIC,
        unit="%",
    )


def test_a_deal_measure_takes_its_figures_from_an_observatory_series(make_user):
    from opendeal.core.roles import Role

    import_fingertips(shared(SMOKING), progress=io.StringIO())
    measure = smoking_measure()
    assert observatory_figures(measure) == []  # not linked yet
    measure.observatory_indicator = Indicator.objects.get(code="92443")
    measure.save()
    figures = observatory_figures(measure)
    assert [(f.period, f.value) for f in figures[:3]] == [
        ("2011", Decimal("22.5")),
        ("2012", Decimal("22.7")),
        ("2013", Decimal("20.1")),
    ]
    analyst = make_user(Role.ANALYST)
    recorded = record_observatory_figures(analyst, measure)
    measure.refresh_from_db()
    assert (measure.baseline_value, measure.baseline_on) == (
        Decimal("22.5"),
        datetime.date(2011, 12, 31),
    )
    assert recorded == len(figures) - 1 == Reading.objects.filter(measure=measure).count()
    assert record_observatory_figures(analyst, measure) == 0  # again: nothing new
    update = measure.commitment.updates.order_by("occurred_on").first()
    assert update.summary.endswith("Published by OHID Fingertips for the period 2012.")
