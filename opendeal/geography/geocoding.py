"""Where a postcode is, offline, from the ONS Postcode Directory loaded by `import_postcodes`,
and the distance arithmetic a radius search needs.

Distances are on a sphere of the Earth's mean radius (haversine): within a borough the error
against the WGS84 ellipsoid is well under 0.5%, which is plenty for "within 2 miles".
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from localflavor.gb.forms import GBPostcodeField

from .models import Postcode

# The mean radius of the WGS84 ellipsoid (IUGG R1), in metres.
EARTH_RADIUS_METRES = 6_371_008.8
INVALID_POSTCODE = "Enter a real postcode, like WN1 1AA"


class InvalidPostcode(ValueError):
    """Text that is not a real UK postcode."""

    def __init__(self) -> None:
        super().__init__(INVALID_POSTCODE)


class UnknownPostcode(LookupError):
    """A real postcode that is not in our postcode data, or is there without coordinates."""

    def __init__(self, postcode: str) -> None:
        self.postcode = postcode
        super().__init__(f"We do not have {postcode} in our postcode data")


@dataclass(frozen=True)
class Location:
    postcode: str
    latitude: Decimal
    longitude: Decimal
    lsoa21_code: str
    ward_code: str
    local_authority_code: str


@dataclass(frozen=True)
class BoundingBox:
    """The smallest latitude/longitude box holding every point within a distance of a centre."""

    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return (
            self.min_latitude <= latitude <= self.max_latitude
            and self.min_longitude <= longitude <= self.max_longitude
        )


def normalise_postcode(text: str | None) -> str:
    """The postcode in its usual form ("wn11aa " -> "WN1 1AA"). Raises InvalidPostcode."""
    field = GBPostcodeField(error_messages={"invalid": INVALID_POSTCODE})
    try:
        return field.clean(text or "")
    except ValidationError:
        raise InvalidPostcode() from None


def locate_postcode(text: str | None) -> Location:
    """Where a postcode is. Raises InvalidPostcode, or UnknownPostcode when we cannot place it.

    A terminated postcode is still located: people keep using old addresses."""
    postcode = normalise_postcode(text)
    row = Postcode.objects.filter(postcode=postcode).first()
    if row is None or not row.has_coordinates:
        raise UnknownPostcode(postcode)
    return Location(
        postcode=row.postcode,
        latitude=row.latitude,
        longitude=row.longitude,
        lsoa21_code=row.lsoa21_code,
        ward_code=row.ward_code,
        local_authority_code=row.local_authority_code,
    )


def distance_metres(
    lat1: float | Decimal, lng1: float | Decimal, lat2: float | Decimal, lng2: float | Decimal
) -> float:
    """The great-circle distance between two points given in degrees, in metres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    delta_phi = phi2 - phi1
    delta_lambda = math.radians(float(lng2) - float(lng1))
    haversine = (
        math.sin(delta_phi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    )
    # min() guards asin against rounding just above 1 for antipodal points.
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(haversine)))


def bounding_box(
    latitude: float | Decimal, longitude: float | Decimal, metres: float
) -> BoundingBox:
    """A box to pre-filter a radius search with an index before measuring exact distances.

    The longitude extent is the circle's true widest point (which lies poleward of the centre),
    not the centre's own parallel, so no point within `metres` is left outside. Near a pole, or
    across the 180th meridian, the box takes every longitude."""
    if metres < 0:
        raise ValueError("The distance must not be negative.")
    angular = metres / EARTH_RADIUS_METRES
    phi = math.radians(float(latitude))
    min_phi, max_phi = phi - angular, phi + angular
    if min_phi <= -math.pi / 2 or max_phi >= math.pi / 2:
        return BoundingBox(
            min_latitude=max(-90.0, math.degrees(min_phi)),
            max_latitude=min(90.0, math.degrees(max_phi)),
            min_longitude=-180.0,
            max_longitude=180.0,
        )
    delta_lambda = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(phi))))
    min_lambda, max_lambda = float(longitude) - delta_lambda, float(longitude) + delta_lambda
    if min_lambda < -180.0 or max_lambda > 180.0:
        min_lambda, max_lambda = -180.0, 180.0
    return BoundingBox(
        min_latitude=math.degrees(min_phi),
        max_latitude=math.degrees(max_phi),
        min_longitude=min_lambda,
        max_longitude=max_lambda,
    )
