import math
from decimal import Decimal

import pytest

from opendeal.geography.geocoding import (
    EARTH_RADIUS_METRES,
    InvalidPostcode,
    Location,
    UnknownPostcode,
    bounding_box,
    distance_metres,
    locate_postcode,
    normalise_postcode,
)
from opendeal.geography.models import Postcode

WIGAN = (53.545, -2.632)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WN1 1AA", "WN1 1AA"),
        ("wn11aa", "WN1 1AA"),
        ("  wn1   1aa ", "WN1 1AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("IM1 1AA", "IM1 1AA"),
    ],
)
def test_normalise_postcode_gives_the_usual_form(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None, "WN1", "not a postcode", "WN1 1AAA", "12345"])
def test_normalise_postcode_refuses_what_is_not_a_postcode(text):
    with pytest.raises(InvalidPostcode) as raised:
        normalise_postcode(text)
    assert str(raised.value) == "Enter a real postcode, like WN1 1AA"


@pytest.mark.django_db
class TestLocatePostcode:
    @pytest.fixture(autouse=True)
    def postcodes(self):
        Postcode.objects.create(
            postcode="WN1 1AA",
            latitude=Decimal("53.545123"),
            longitude=Decimal("-2.632456"),
            lsoa21_code="E01006201",
            ward_code="E05015577",
            local_authority_code="E08000010",
        )
        Postcode.objects.create(
            postcode="AB1 0AA",
            latitude=Decimal("57.101459"),
            longitude=Decimal("-2.242858"),
            lsoa21_code="S01013490",
            ward_code="S13002843",
            local_authority_code="S12000033",
            terminated_on="1996-06-01",
        )
        Postcode.objects.create(
            postcode="IM1 1AA",
            latitude=None,
            longitude=None,
            lsoa21_code="M99999999",
            ward_code="M99999999",
            local_authority_code="M99999999",
        )

    def test_a_known_postcode_in_any_form_is_located(self):
        assert locate_postcode(" wn11aa") == Location(
            postcode="WN1 1AA",
            latitude=Decimal("53.545123"),
            longitude=Decimal("-2.632456"),
            lsoa21_code="E01006201",
            ward_code="E05015577",
            local_authority_code="E08000010",
        )

    def test_a_terminated_postcode_is_still_located(self):
        location = locate_postcode("ab1 0aa")
        assert (location.postcode, location.latitude, location.longitude) == (
            "AB1 0AA",
            Decimal("57.101459"),
            Decimal("-2.242858"),
        )

    def test_the_location_cannot_be_changed(self):
        location = locate_postcode("WN1 1AA")
        with pytest.raises(AttributeError):
            location.latitude = Decimal("0")  # type: ignore[misc]

    def test_a_real_postcode_we_do_not_have_is_unknown(self):
        with pytest.raises(UnknownPostcode) as raised:
            locate_postcode("wn1 9zz")
        assert str(raised.value) == "We do not have WN1 9ZZ in our postcode data"
        assert raised.value.postcode == "WN1 9ZZ"

    def test_a_postcode_without_coordinates_is_unknown(self):
        with pytest.raises(UnknownPostcode) as raised:
            locate_postcode("IM1 1AA")
        assert str(raised.value) == "We do not have IM1 1AA in our postcode data"

    def test_an_invalid_postcode_is_invalid_not_unknown(self):
        with pytest.raises(InvalidPostcode):
            locate_postcode("WN1")


def _law_of_cosines_metres(lat1, lng1, lat2, lng2):
    """An independent formula for the same great-circle distance, to check haversine with."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    delta_lambda = math.radians(lng2 - lng1)
    cosine = math.sin(phi1) * math.sin(phi2) + math.cos(phi1) * math.cos(phi2) * math.cos(
        delta_lambda
    )
    return EARTH_RADIUS_METRES * math.acos(cosine)


def _destination(lat, lng, bearing_degrees, metres):
    """The point `metres` from (lat, lng) on the given bearing, on the same sphere."""
    angular = metres / EARTH_RADIUS_METRES
    phi, lam, theta = math.radians(lat), math.radians(lng), math.radians(bearing_degrees)
    phi2 = math.asin(
        math.sin(phi) * math.cos(angular) + math.cos(phi) * math.sin(angular) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi),
        math.cos(angular) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)


class TestDistance:
    def test_one_degree_of_a_meridian(self):
        # 6,371,008.8 m x pi / 180 = 111,195.08 m
        assert round(distance_metres(53, -2.6, 54, -2.6)) == 111_195

    def test_one_minute_of_arc_is_a_nautical_mile_on_this_sphere(self):
        # 6,371,008.8 m x pi / 10,800 = 1,853.25 m
        assert round(distance_metres(0, 0, 0, 1 / 60), 2) == 1853.25

    def test_a_quarter_and_half_of_the_globe(self):
        assert round(distance_metres(0, 0, 90, 0)) == 10_007_557
        # pi x 6,371,008.8 m = 20,015,114.44 m
        assert round(distance_metres(0, 0, 0, 180)) == 20_015_114
        assert round(distance_metres(51.5, -0.1, -51.5, 179.9)) == 20_015_114

    def test_no_distance_to_the_same_place(self):
        assert distance_metres(*WIGAN, *WIGAN) == 0

    def test_wigan_to_manchester_agrees_with_the_law_of_cosines(self):
        wigan_to_manchester = distance_metres(53.5451, -2.6325, 53.4794, -2.2453)
        assert wigan_to_manchester == pytest.approx(
            _law_of_cosines_metres(53.5451, -2.6325, 53.4794, -2.2453), abs=0.01
        )
        # A flat-earth estimate gives 26,631 m: 7,305 m north-south and 25,609 m east-west.
        assert round(wigan_to_manchester) == 26_624
        assert distance_metres(53.4794, -2.2453, 53.5451, -2.6325) == wigan_to_manchester

    def test_decimals_are_accepted(self):
        assert distance_metres(
            Decimal("53"), Decimal("-2.6"), Decimal("54"), Decimal("-2.6")
        ) == distance_metres(53, -2.6, 54, -2.6)


class TestBoundingBox:
    def test_latitude_edges_are_the_points_due_north_and_south(self):
        box = bounding_box(*WIGAN, 2000)
        degrees = math.degrees(2000 / EARTH_RADIUS_METRES)
        assert box.min_latitude == pytest.approx(WIGAN[0] - degrees, abs=1e-12)
        assert box.max_latitude == pytest.approx(WIGAN[0] + degrees, abs=1e-12)
        assert round(distance_metres(*WIGAN, box.max_latitude, WIGAN[1]), 6) == 2000

    def test_every_point_at_the_radius_is_inside_and_the_box_is_tight(self):
        box = bounding_box(*WIGAN, 2000)
        circle = [_destination(*WIGAN, bearing / 10, 2000) for bearing in range(3600)]
        assert all(round(distance_metres(*WIGAN, *point), 6) == 2000 for point in circle)
        # A millimetre inside the circle (exactly on it, rounding can put a point a nanometre
        # either side of the edge).
        just_inside = [_destination(*WIGAN, bearing / 10, 1999.999) for bearing in range(3600)]
        assert all(box.contains(*point) for point in just_inside)
        # The circle reaches the box's east and west edges (to a millionth of a degree).
        assert max(lng for _, lng in circle) == pytest.approx(box.max_longitude, abs=1e-6)
        assert min(lng for _, lng in circle) == pytest.approx(box.min_longitude, abs=1e-6)
        # The widest point is poleward of the centre, so the centre's own parallel is too narrow.
        same_parallel = math.degrees(2000 / (EARTH_RADIUS_METRES * math.cos(math.radians(53.545))))
        assert box.max_longitude - WIGAN[1] > same_parallel

    def test_a_point_just_outside_the_box_is_beyond_the_radius(self):
        box = bounding_box(*WIGAN, 2000)
        assert not box.contains(box.max_latitude + 1e-6, WIGAN[1])
        assert distance_metres(*WIGAN, box.max_latitude + 1e-6, WIGAN[1]) > 2000
        assert distance_metres(*WIGAN, WIGAN[0], box.max_longitude + 1e-6) > 2000

    def test_near_a_pole_every_longitude_is_in(self):
        box = bounding_box(89.99, 10, 5000)
        assert (box.min_longitude, box.max_longitude, box.max_latitude) == (-180.0, 180.0, 90.0)

    def test_across_the_180th_meridian_every_longitude_is_in(self):
        box = bounding_box(-17.7, 179.99, 5000)
        assert (box.min_longitude, box.max_longitude) == (-180.0, 180.0)

    def test_zero_metres_is_the_point_itself_and_negative_is_refused(self):
        box = bounding_box(Decimal("53.545"), Decimal("-2.632"), 0)
        assert (box.min_latitude, box.max_latitude) == (53.545, 53.545)
        assert (box.min_longitude, box.max_longitude) == (-2.632, -2.632)
        with pytest.raises(ValueError):
            bounding_box(*WIGAN, -1)
