"""The per-person summaries the demand dashboard reads stay true to the records: kept on each
save and delete, and the same as a rebuild from scratch."""

import datetime
from decimal import Decimal

import pytest

from opendeal.care import demand, summaries
from opendeal.care.models import FirstContact, SwemwbsResponse, Team, WellbeingSummary

from . import demand_factories as make

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, list]:
    firsts = sorted(FirstContact.objects.values_list("person_id", "team_id", "first_on"))
    wellbeing = sorted(
        WellbeingSummary.objects.values_list(
            "person_id", "answers", "first_metric_score", "latest_metric_score"
        )
    )
    return firsts, wellbeing


def test_saves_and_deletes_keep_the_summaries_as_a_rebuild_would_make_them():
    central = Team.objects.create(name="Wigan Central")
    leigh = Team.objects.create(name="Leigh")
    someone = make.person(central)
    march = make.contact(someone, datetime.date(2026, 3, 5))
    make.contact(someone, datetime.date(2026, 4, 1))
    make.contact(someone, datetime.date(2026, 2, 1), team=leigh)
    # Two answers on the first day: the first recorded is the first; likewise the latest day.
    first = make.swemwbs(someone, datetime.date(2026, 3, 5), "20.00")
    make.swemwbs(someone, datetime.date(2026, 3, 5), "22.00")
    make.swemwbs(someone, datetime.date(2026, 5, 1), "25.00")
    make.swemwbs(someone, datetime.date(2026, 5, 1), "24.50")

    assert FirstContact.objects.get(person=someone, team=central).first_on == march.held_on
    assert FirstContact.objects.get(person=someone, team=leigh).first_on == datetime.date(
        2026, 2, 1
    )
    summary = WellbeingSummary.objects.get(person=someone)
    assert (summary.answers, summary.first_metric_score, summary.latest_metric_score) == (
        4,
        Decimal("20.00"),
        Decimal("24.50"),
    )

    # An earlier conversation moves the first contact; deleting an answer moves the first score.
    make.contact(someone, datetime.date(2026, 1, 9))
    first.delete()
    assert FirstContact.objects.get(person=someone, team=central).first_on == datetime.date(
        2026, 1, 9
    )
    assert WellbeingSummary.objects.get(person=someone).first_metric_score == Decimal("22.00")
    kept = snapshot()
    summaries.rebuild_all()
    assert snapshot() == kept

    SwemwbsResponse.objects.filter(person=someone).delete()
    assert not WellbeingSummary.objects.filter(person=someone).exists()
    assert snapshot() == (kept[0], [])


def test_the_cohorts_come_from_the_summaries():
    central = Team.objects.create(name="Wigan Central")
    people = [make.person(central) for _ in range(5)]
    for n, someone in enumerate(people):
        make.contact(someone, datetime.date(2026, 1, 5))
        make.swemwbs(someone, datetime.date(2026, 1, 5), "20.00")
        make.swemwbs(someone, datetime.date(2026, 3, 5), f"{21 + n}.00")
    scope = demand.Scope("Council")
    jan, mar = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    [cohort] = demand.wellbeing_cohorts(scope, jan, mar)
    assert (cohort.people.value, cohort.mean_change) == (5, Decimal("3.00"))
    # Emptied behind the signals' back, the figures go too: they are read from the summaries.
    WellbeingSummary.objects.all().delete()
    assert demand.wellbeing_cohorts(scope, jan, mar) == []
    summaries.rebuild_all()
    assert demand.wellbeing_cohorts(scope, jan, mar)[0].mean_change == Decimal("3.00")
