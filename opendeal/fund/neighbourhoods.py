"""Names and map points of the borough's wards and LSOAs, from the ONS boundary files in the
shared data folder (`geography/`, see its PROVENANCE.md).

Read once per process. Where the folder is absent (a council's own machine without it) every
lookup is empty: the codes still stand on their own, only their names and points are missing.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

WARDS_FILE = "geography/wigan_wards_2025_boundaries.geojson"
LSOAS_FILE = "geography/wigan_lsoa21_boundaries.geojson"


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    # The ONS reference point of the ward (WGS84), where the map puts the ward's grants.
    latitude: float
    longitude: float


def _features(relative_path: str) -> list[dict]:
    path = Path(settings.OPENDEAL_DATA_DIR) / relative_path
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)["features"]


@cache
def wards() -> dict[str, Ward]:
    """Every ward in the boundary file, by its GSS code (E05…)."""
    found = {}
    for feature in _features(WARDS_FILE):
        properties = feature["properties"]
        found[properties["WD25CD"]] = Ward(
            code=properties["WD25CD"],
            name=properties["WD25NM"],
            latitude=float(properties["LAT"]),
            longitude=float(properties["LONG"]),
        )
    return found


@cache
def lsoa_names() -> dict[str, str]:
    """Every LSOA's name ("Wigan 026A") by its 2021 code (E01…)."""
    return {
        feature["properties"]["LSOA21CD"]: feature["properties"]["LSOA21NM"]
        for feature in _features(LSOAS_FILE)
    }


def ward_name(code: str) -> str | None:
    ward = wards().get(code)
    return ward.name if ward else None


# A ward's outline: its rings of (longitude, latitude) points, from a Polygon or MultiPolygon.
Rings = list[list[tuple[float, float]]]


@cache
def ward_outlines() -> dict[str, Rings]:
    """Every ward's boundary rings by its GSS code, for drawing the ward map."""
    outlines = {}
    for feature in _features(WARDS_FILE):
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        outlines[feature["properties"]["WD25CD"]] = [
            [(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon
        ]
    return outlines
