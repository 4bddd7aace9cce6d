import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from opendeal.deal import selectors
from opendeal.deal.models import Deal, Status
from opendeal.deal.progress import Trend
from opendeal.deal.read_models import ReadingView, plain_decimal
from opendeal.deal.scorecard_export import scorecard_records
from opendeal.deal.tests.public_deal_data import build_public_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_deal():
    return build_public_deal()


def test_the_latest_published_deal_is_shown(public_deal):
    deal = selectors.current_deal()

    assert deal.title == "The Deal for Testborough"
    assert [theme.slug for theme in deal.themes] == ["health", "communities", "business"]


def test_no_published_deal_is_a_404():
    Deal.objects.create(
        title="Draft",
        slug="draft",
        area_code="E08000010",
        summary="",
        starts_on=datetime.date(2024, 1, 1),
        is_published=False,
    )
    with pytest.raises(Http404):
        selectors.current_deal()
    assert selectors.deal_summary() == {}


def test_roll_up_weights_themes_and_commitments_and_leaves_out_the_unmeasured(public_deal):
    deal = selectors.current_deal()
    health, communities, business = deal.themes

    assert [(c.reference, c.progress) for c in health.our_part] == [
        ("HW1", Decimal("50.00")),
        ("HW2", Decimal("25.00")),
        ("HW3", None),
    ]
    # (3 x 50 + 1 x 25) / (3 + 1): HW3 (weight 5) has no measure and is left out.
    assert health.progress == Decimal("43.75")
    assert communities.progress == Decimal("15.00")
    assert business.progress is None
    # (2 x 43.75 + 1 x 15) / (2 + 1) = 34.1666...; Business (weight 4) is left out.
    assert deal.progress == Decimal("34.17")


def test_parts_are_split_and_your_part_counts_only_active_pledges(public_deal):
    deal = selectors.current_deal()
    health, communities, _ = deal.themes

    assert [c.reference for c in health.your_part] == ["HW4"]
    assert health.your_part[0].pledge_count == 3
    assert health.your_part[0].status is None
    assert [c.reference for c in communities.your_part] == ["CO2"]
    assert communities.your_part[0].pledge_count == 2
    assert [c.pledge_count for c in deal.our_part] == [None, None, None, None]
    assert deal.pledge_count == 5


def test_measures_carry_latest_figure_trend_and_series(public_deal):
    deal = selectors.current_deal()
    activity = deal.themes[0].our_part[0].measures[0]
    smoking = deal.themes[1].our_part[0].measures[0]

    assert activity.latest == ReadingView(datetime.date(2024, 3, 31), Decimal("65"))
    assert activity.trend == Trend.IMPROVING
    assert activity.movement == "up"
    assert [r.value for r in activity.readings] == [Decimal("62"), Decimal("65")]
    assert activity.progress == Decimal("50.00")
    # Smoking went up from 18 to 18.5: lower is better, so worse.
    assert smoking.trend == Trend.WORSENING
    assert smoking.movement == "up"
    assert smoking.progress == Decimal("15.00")


def test_milestones_measure(public_deal):
    measure = selectors.current_deal().themes[0].our_part[1].measures[0]

    assert [(m.title, m.is_complete, m.is_overdue) for m in measure.milestones] == [
        ("Fund opens", True, False),
        ("First awards", False, True),
        ("Second round", False, False),
        ("Evaluation", False, False),
    ]
    assert (measure.latest_figure, measure.target_figure, measure.figure_unit) == (
        Decimal("1"),
        Decimal("4"),
        "milestones",
    )
    assert measure.latest_figure_on == datetime.date(2024, 5, 20)
    assert measure.trend is None
    assert measure.progress == Decimal("25.00")


def test_status_counts_cover_every_status(public_deal):
    counts = selectors.current_deal().status_counts

    assert [(c.status, c.count) for c in counts] == [
        (Status.NOT_STARTED, 1),
        (Status.ON_TRACK, 1),
        (Status.AT_RISK, 1),
        (Status.OFF_TRACK, 1),
        (Status.ACHIEVED, 0),
    ]


def test_deal_summary_for_the_home_page(public_deal):
    assert selectors.deal_summary() == {
        "commitment_count": 4,
        "progress": Decimal("34.17"),
        "pledge_count": 5,
    }


def test_scorecard_filters_rows_but_not_roll_ups(public_deal):
    everything = selectors.scorecard()
    health = selectors.scorecard(theme_slug="health")
    at_risk = selectors.scorecard(status="at_risk")
    none = selectors.scorecard(theme_slug="communities", status="at_risk")

    assert [c.reference for c in everything.rows] == ["HW1", "HW2", "HW3", "CO1"]
    assert [c.reference for c in health.rows] == ["HW1", "HW2", "HW3"]
    assert [c.reference for c in at_risk.rows] == ["HW2"]
    assert none.rows == ()
    assert health.deal.progress == at_risk.deal.progress == Decimal("34.17")


def test_commitment_page_has_timeline_newest_first_without_emails(public_deal):
    page = selectors.commitment_page(public_deal.active.public_id)

    assert page.theme_slug == "health"
    assert page.commitment.reference == "HW1"
    assert [(e.occurred_on, e.recorded_by_name) for e in page.timeline] == [
        (datetime.date(2024, 3, 31), "Council officer"),
        (datetime.date(2023, 3, 31), "Public health team"),
    ]
    assert page.timeline[0].measure_reference == "HW1.1"


def test_commitment_page_of_an_unpublished_deal_is_a_404(public_deal):
    draft = Deal.objects.get(slug="draft-deal").themes.get().commitments.get()
    with pytest.raises(Http404):
        selectors.commitment_page(draft.public_id)


def test_pledge_totals(public_deal):
    totals = selectors.pledge_totals()

    assert totals.total_pledges == 5
    assert totals.total_people == 4
    assert [(c.reference, c.pledges) for c in totals.by_commitment] == [("HW4", 3), ("CO2", 2)]
    assert [(d.district, d.pledges) for d in totals.by_district] == [
        ("WN1", 3),
        ("Not given", 1),
        ("WN2", 1),
    ]


def test_scorecard_records_one_per_measure(public_deal):
    records = scorecard_records(selectors.scorecard(theme_slug="health"))

    assert [r["measure_reference"] for r in records] == ["HW1.1", "HW2.1", None]
    assert records[0]["latest_figure"] == "65"
    assert records[1]["latest_figure"] == "1"
    assert records[1]["target"] == "4"
    assert records[2]["commitment_reference"] == "HW3"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.5000"), "12.5"),
        (Decimal("100.00"), "100"),
        (Decimal("0.00"), "0"),
        (Decimal("-0.0"), "0"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.0001"), "0.0001"),
    ],
)
def test_plain_decimal(value, text):
    assert plain_decimal(value) == text


def test_the_deal_is_built_in_a_fixed_number_of_queries(public_deal, django_assert_num_queries):
    # Deal, themes, commitments, measures, readings, milestones, pledge counts.
    with django_assert_num_queries(7):
        selectors.current_deal()
