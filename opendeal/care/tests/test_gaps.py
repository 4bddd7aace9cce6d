"""The gap map: a need with no active service nearby is a gap, an active service within the
distance closes it, the weighting, and gaps into a fund round's priorities."""

import math
from decimal import Decimal

import pytest
from django.urls import reverse

from opendeal.care import gaps
from opendeal.care.models import HeardNeed, Team
from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund.models import Priority
from opendeal.fund.tests.apply_factories import make_open_round

from . import demand_factories as make

# Real LSOAs of the borough, with their IoD 2019 figures (files 2 and 6) and centroids.
ORRELL = "E01006212"  # Wigan 026A: IMD decile 5, 1,438 residents (mid-2015)
ASHTON = "E01006345"  # Wigan 039D: IMD decile 8, 1,439 residents
WARD = "E05014989"


@pytest.fixture
def gardening(db):
    return make.term("Gardening")


def hear(lsoa: str, wanted, times: int = 1, kind: str = "need"):
    team = Team.objects.get_or_create(name="Neighbourhood team")[0]
    for _ in range(times):
        make.heard(make.contact(make.person(team, lsoa, WARD), _day()), wanted, kind)


def _day():
    import datetime

    return datetime.date(2026, 1, 10)


def offset(lsoa: str, metres_north: float) -> tuple[float, float]:
    latitude, longitude = gaps.lsoa_centroids()[lsoa]
    return latitude + metres_north / 111_195, longitude


def test_reference_data_is_read_for_2021_lsoas():
    assert gaps.lsoa_imd_decile()[ORRELL] == 5
    assert gaps.lsoa_population()[ORRELL] == 1438
    assert gaps.lsoa11_for(ORRELL) == ORRELL
    assert gaps.lsoa_centroids()[ASHTON] == pytest.approx((53.47347, -2.57704), abs=1e-5)


def test_a_need_with_no_service_nearby_is_a_gap(gardening):
    hear(ORRELL, gardening, 3)
    [gap] = gaps.find_gaps(1500)
    assert (gap.term_name, gap.area_code, gap.area_name) == ("Gardening", ORRELL, "Wigan 026A")
    assert gap.heard.value == 3 and gap.needs == 3
    assert gap.nearest_metres is None
    assert gap.ward_name == "Abram"


def test_an_active_service_within_the_distance_closes_the_gap(gardening):
    hear(ORRELL, gardening, 2)
    # 2 km away: still a gap at 1.5 km, with the distance to it shown.
    make.service_at(gardening, *offset(ORRELL, 2000))
    [gap] = gaps.find_gaps(1500)
    assert gap.nearest_metres == pytest.approx(2000, abs=5)
    assert gaps.find_gaps(3000) == []
    # An inactive one close by does not close it; an active one does.
    make.service_at(gardening, *offset(ORRELL, 300), status="inactive")
    assert len(gaps.find_gaps(1500)) == 1
    make.service_at(gardening, *offset(ORRELL, 1400))
    assert gaps.find_gaps(1500) == []


def test_a_service_offering_another_term_does_not_close_it(gardening):
    hear(ORRELL, gardening)
    make.service_at(make.term("Choir"), *offset(ORRELL, 100))
    assert [gap.term_name for gap in gaps.find_gaps(1500)] == ["Gardening"]


def test_weighting_by_population_and_deprivation(gardening):
    assert gaps.deprivation_weight(1) == 2
    assert gaps.deprivation_weight(10) == 1
    assert gaps.deprivation_weight(None) == 1
    # 3 per 1,438 residents x (1 + 5/9).
    expected = 3 * 1000 / 1438 * (1 + 5 / 9)
    assert float(gaps.weighted_gap(3, 1438, 5)) == pytest.approx(expected, abs=0.005)
    assert gaps.weighted_gap(3, None, None) == 3
    # The same count in a less deprived area of the same size ranks lower.
    hear(ORRELL, gardening, 6)
    hear(ASHTON, gardening, 6, kind="interest")
    first, second = gaps.find_gaps(1500)
    assert (first.area_code, second.area_code) == (ORRELL, ASHTON)
    assert float(first.weighted) == pytest.approx(2 * expected, abs=0.005)
    assert float(second.weighted) == pytest.approx(6 * 1000 / 1439 * (1 + 2 / 9), abs=0.005)
    assert second.interests == 6 and second.needs == 0
    assert first.weighted_shown == str(first.weighted)


def test_gaps_add_up_by_area_and_colour_the_map(gardening):
    hear(ORRELL, gardening, 6)
    hear(ORRELL, make.term("Choir"), 2)
    found = gaps.find_gaps(1500)
    [area] = gaps.gaps_by_area(found).values()
    assert area.gaps == 2 and area.terms == ["Choir", "Gardening"]
    assert area.weighted == sum(gap.weighted for gap in found)
    [ward] = gaps.gaps_by_area(found, "ward").values()
    assert ward.code == WARD and ward.name == "Abram"
    collection = gaps.choropleth(found)
    assert len(collection["features"]) == 200
    bands = {f["properties"]["code"]: f["properties"]["band"] for f in collection["features"]}
    assert bands[ORRELL] == 4 and bands[ASHTON] == 0
    assert gaps.band(0, 10) == 0 and gaps.band(1, 10) == 1


def test_gap_map_page_and_its_permissions(make_user, sign_in, gardening):
    hear(ORRELL, gardening, 7)
    for role in (Role.PRACTITIONER, Role.COMMUNITY_MEMBER):
        assert sign_in(make_user(role)).get(reverse("care:gaps")).status_code == 403
    page = sign_in(make_user(Role.ANALYST)).get(reverse("care:gaps"), {"distance": "1000"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Gardening" in html and "Wigan 026A" in html
    assert "Add the ticked gaps as priorities" not in html  # analysts make no priorities
    data = sign_in(make_user(Role.FUND_OFFICER)).get(reverse("care:gap-map-json")).json()
    assert data["type"] == "FeatureCollection"


def test_fund_officer_turns_gaps_into_priorities_in_one_step(make_user, sign_in, gardening):
    hear(ORRELL, gardening, 7)
    hear(ASHTON, gardening, 2)
    round_ = make_open_round()
    before = round_.priorities.count()
    officer = make_user(Role.FUND_OFFICER)
    client = sign_in(officer)
    page = client.get(reverse("care:gaps"))
    assert "Add the ticked gaps as priorities" in page.content.decode()
    keys = [gap.key for gap in gaps.find_gaps(1500)]
    response = client.post(
        reverse("care:gap-priorities"),
        {"round": str(round_.public_id), "gaps": keys, "distance": "1500"},
    )
    assert response.status_code == 302
    created = Priority.objects.filter(round=round_, gap_taxonomy_term=gardening).order_by(
        "position"
    )
    assert [(p.gap_area_code, p.title) for p in created] == [
        (ORRELL, "Gardening in Wigan 026A"),
        (ASHTON, "Gardening in Wigan 039D"),
    ]
    assert "Heard 7 times" in created[0].description
    assert "Heard fewer than 5 times" in created[1].description
    assert round_.priorities.count() == before + 2
    events = AuditEvent.objects.filter(action="fund.priority.created_from_gap")
    assert events.count() == 2 and all(event.actor == officer for event in events)
    # Again: nothing new.
    client.post(
        reverse("care:gap-priorities"),
        {"round": str(round_.public_id), "gaps": keys, "distance": "1500"},
    )
    assert round_.priorities.count() == before + 2


def test_a_gap_that_has_closed_cannot_become_a_priority(make_user, gardening):
    hear(ORRELL, gardening, 7)
    round_ = make_open_round()
    [gap] = gaps.find_gaps(1500)
    make.service_at(gardening, *offset(ORRELL, 200))
    with pytest.raises(ValueError):
        gaps.create_priorities(make_user(Role.FUND_OFFICER), round_, [gap.key], 1500)
    assert not Priority.objects.filter(gap_taxonomy_term=gardening).exists()


def test_only_fund_officers_make_priorities(make_user, sign_in, gardening):
    hear(ORRELL, gardening, 7)
    round_ = make_open_round()
    [gap] = gaps.find_gaps(1500)
    response = sign_in(make_user(Role.ANALYST)).post(
        reverse("care:gap-priorities"),
        {"round": str(round_.public_id), "gaps": [gap.key], "distance": "1500"},
    )
    assert response.status_code == 403
    assert not Priority.objects.filter(gap_taxonomy_term=gardening).exists()


def test_distance_helpers_agree_with_geography():
    point = gaps.lsoa_centroids()[ORRELL]
    north = offset(ORRELL, 1000)
    assert gaps.within(point, [north], 1001) and not gaps.within(point, [north], 999)
    assert math.isclose(gaps.nearest(point, [north]), 1000, abs_tol=2)


# Fewer than 5 heard: the weighted gap would give the count back -----------------------------


def test_a_gap_heard_fewer_than_5_times_is_banded_low_not_exact(gardening):
    hear(ORRELL, gardening, 1)
    [one] = gaps.find_gaps(1500)
    HeardNeed.objects.all().delete()
    hear(ORRELL, gardening, 4)
    [four] = gaps.find_gaps(1500)
    # Before the fix: weighted = heard x 1000 / 1,438 x (1 + 5/9), shown beside the residents
    # and the decile, so "fewer than 5" could be undone exactly.
    assert one.low and four.low
    assert one.weighted_shown == four.weighted_shown == "low"
    # Ranked at the band's value, which is the same whatever the count under 5.
    assert one.weighted == four.weighted == gaps.weighted_gap(Decimal("2.5"), 1438, 5)


def test_low_gaps_rank_by_band_and_add_up_without_the_count(gardening):
    choir = make.term("Choir")
    hear(ORRELL, gardening, 6)
    hear(ORRELL, choir, 1)
    hear(ASHTON, gardening, 4)
    found = gaps.find_gaps(1500)
    assert [(gap.term_name, gap.area_code) for gap in found] == [
        ("Gardening", ORRELL),
        ("Choir", ORRELL),
        ("Gardening", ASHTON),
    ]
    [orrell] = [area for area in gaps.gaps_by_area(found).values() if area.code == ORRELL]
    # The area's total holds the low gap at the band's value: subtracting the exact gap shown
    # gives the band's value back, not the count.
    assert orrell.weighted == gaps.weighted_gap(6, 1438, 5) + gaps.weighted_gap(
        Decimal("2.5"), 1438, 5
    )
    assert orrell.low_gaps == 1


def test_the_table_and_the_map_data_show_no_exact_low_gap(make_user, sign_in, gardening):
    hear(ASHTON, gardening, 3)
    exact = str(gaps.weighted_gap(3, 1439, 8))
    client = sign_in(make_user(Role.ANALYST))
    html = client.get(reverse("care:gaps")).content.decode()
    assert exact not in html
    assert ">low</td>" in html
    assert "as if 2.5 had been heard" in html
    data = client.get(reverse("care:gap-map-json")).json()
    [ashton] = [f["properties"] for f in data["features"] if f["properties"]["code"] == ASHTON]
    assert ashton["weighted"] != exact
    assert ashton["weighted"] == str(gaps.weighted_gap(Decimal("2.5"), 1439, 8))
    assert ashton["low_gaps"] == 1
    wards = client.get(reverse("care:gap-map-json"), {"level": "ward"}).json()["features"]
    assert exact not in {feature["properties"]["weighted"] for feature in wards}
