"""The gap map: where people told practitioners they want something (a directory taxonomy term)
that no active service within a chosen distance offers, weighted by population and deprivation.

How a gap is found, for each taxonomy term and LSOA 2021 where needs or interests were heard
(`HeardNeed`, counted with one GROUP BY query):

- The LSOA's point is its geometric centroid (`geography/lsoa_geometric_centroids_uk.csv`).
- The term is offered nearby when an active directory `Service` with that term (an `Attribute`
  linking the term to the service) is at a `Location` whose latitude and longitude are within
  the distance of that point (a bounding box first, then the haversine distance of
  `opendeal.geography.geocoding`). Then there is no gap, and adding such a service closes one.
- Weighted gap = heard per 1,000 residents x deprivation weight, where the deprivation weight
  is 1 + (10 - IMD 2019 decile) / 9: 2 in the most deprived tenth of England, 1 in the least.

Population and deprivation are the English Indices of Deprivation 2019 (files 6 and 2; mid-2015
population), published for LSOAs of 2011. Wigan's 200 LSOAs have the same codes in 2011 and
2021 (no LSOA in the borough was split or merged), so a 2021 code is looked up as the same 2011
code; an LSOA with no 2011 counterpart has no population or decile, and its gap is weighted by
the heard count alone (shown so on the page).

Small numbers: where fewer than 5 were heard, the heard count is shown as "fewer than 5", and
the exact weighted gap is never shown or sent (it gives the count back: weighted x population /
1,000 / deprivation weight). Such a gap is "low": it is ranked, added into its area and
coloured on the map as if `LOW_HEARD` (2.5, the middle of 1 to 4) had been heard, a value
worked out from the area's published population and decile only, so nothing on the page or in
the map's data depends on the count under 5.
"""

import csv
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.fund import neighbourhoods
from opendeal.geography.geocoding import bounding_box, distance_metres

from .demand import SMALL_NUMBER, Tally
from .models import HeardNeed

CENTROIDS_FILE = "geography/lsoa_geometric_centroids_uk.csv"
POPULATION_FILE = "geography/iod2019_file6_population_denominators_lsoa11.csv.gz"
DEPRIVATION_FILE = "geography/iod2019_file2_domain_ranks_deciles_lsoa11.csv.gz"
DISTANCES_METRES = (500, 1000, 1500, 2000, 3000, 5000)
DEFAULT_DISTANCE_METRES = 1500
IMD_DECILE_COLUMN = (
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
)
POPULATION_COLUMN = "Total population: mid 2015 (excluding prisoners)"
# What a gap heard fewer than 5 times is ranked as: the middle of 1 to 4.
LOW_HEARD = Decimal("2.5")
LOW = "low"


def _data_path(relative: str) -> Path:
    return Path(settings.OPENDEAL_DATA_DIR) / relative


@cache
def lsoa_centroids() -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of every English LSOA's geometric centroid, by code."""
    path = _data_path(CENTROIDS_FILE)
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return {
            row["LSOACD"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(stream)
            if row["LSOACD"].startswith("E01")
        }


def _iod_rows(relative: str):
    path = _data_path(relative)
    if not path.is_file():
        return
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
        yield from csv.DictReader(stream)


@cache
def lsoa_population() -> dict[str, int]:
    """Mid-2015 population of every English LSOA (2011 codes), from IoD 2019 file 6."""
    return {
        row["LSOA code (2011)"]: int(row[POPULATION_COLUMN].replace(",", ""))
        for row in _iod_rows(POPULATION_FILE)
    }


@cache
def lsoa_imd_decile() -> dict[str, int]:
    """IMD 2019 decile (1 = most deprived tenth of England) by LSOA 2011 code."""
    return {
        row["LSOA code (2011)"]: int(row[IMD_DECILE_COLUMN]) for row in _iod_rows(DEPRIVATION_FILE)
    }


def lsoa11_for(lsoa21_code: str) -> str:
    """The 2011 LSOA to read IoD 2019 figures for a 2021 LSOA: the same code (unchanged in
    Wigan). A code absent from the 2011 files simply finds no figures."""
    return lsoa21_code


def deprivation_weight(decile: int | None) -> Decimal:
    """2 for the most deprived decile down to 1 for the least; 1 when it is not known."""
    if decile is None:
        return Decimal(1)
    return Decimal(1) + Decimal(10 - decile) / Decimal(9)


def weighted_gap(heard: int | Decimal, population: int | None, decile: int | None) -> Decimal:
    """Heard per 1,000 residents (the heard count alone when the population is not known),
    times the deprivation weight, to 0.01."""
    base = Decimal(heard) * 1000 / population if population else Decimal(heard)
    return (base * deprivation_weight(decile)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ranking_value(heard: int, population: int | None, decile: int | None) -> Decimal:
    """The weighted gap, or for fewer than SMALL_NUMBER heard the band's value (as if
    LOW_HEARD had been heard), which does not depend on the count."""
    if heard < SMALL_NUMBER:
        return weighted_gap(LOW_HEARD, population, decile)
    return weighted_gap(heard, population, decile)


@dataclass(frozen=True)
class Gap:
    term_id: str
    term_name: str
    area_code: str
    area_name: str
    ward_code: str
    ward_name: str
    heard: Tally
    needs: int
    interests: int
    population: int | None
    imd_decile: int | None
    # The nearest active service offering the term, further than the distance (None: nowhere).
    nearest_metres: float | None
    # What the gap is ranked and added up by: the weighted gap, or when `low` (fewer than 5
    # heard) the band's value, which gives nothing of the count away. Shown only when not low.
    weighted: Decimal

    @property
    def low(self) -> bool:
        return self.heard.suppressed

    @property
    def weighted_shown(self) -> str:
        """The weighted gap for the page, or "low" when fewer than 5 were heard."""
        return LOW if self.low else str(self.weighted)

    @property
    def nearest_km(self) -> str | None:
        return None if self.nearest_metres is None else f"{self.nearest_metres / 1000:.1f}"

    @property
    def key(self) -> str:
        """What a fund officer ticks to make it a priority: "<term id>:<area code>"."""
        return f"{self.term_id}:{self.area_code}"


def heard_by_term_and_lsoa() -> list[dict]:
    """Needs and interests heard, counted by taxonomy term and LSOA in one GROUP BY."""
    return list(
        HeardNeed.objects.exclude(lsoa21_code="")
        .values("taxonomy_term_id", "taxonomy_term__name", "lsoa21_code")
        .annotate(
            heard=Count("pk"),
            needs=Count("pk", filter=Q(kind=HeardNeed.Kind.NEED)),
            interests=Count("pk", filter=Q(kind=HeardNeed.Kind.INTEREST)),
            # Where an LSOA straddles nothing this is its one ward; otherwise the latest code.
            ward_code=Max("ward_code"),
        )
        .order_by()
    )


def service_points(term_ids: set) -> dict[str, list[tuple[float, float]]]:
    """Where each term is offered: the locations of active services with the term."""
    from opendeal.directory.models import Attribute, Service, ServiceAtLocation

    services_by_term: dict[str, set] = defaultdict(set)
    for term_id, service_id in Attribute.objects.filter(
        link_type="service", taxonomy_term_id__in=term_ids
    ).values_list("taxonomy_term_id", "link_id"):
        services_by_term[str(term_id)].add(service_id)
    all_services = set().union(*services_by_term.values()) if services_by_term else set()
    points_by_service: dict = defaultdict(list)
    for service_id, latitude, longitude in ServiceAtLocation.objects.filter(
        service_id__in=all_services,
        service__status=Service.Status.ACTIVE,
        location__latitude__isnull=False,
        location__longitude__isnull=False,
    ).values_list("service_id", "location__latitude", "location__longitude"):
        points_by_service[service_id].append((float(latitude), float(longitude)))
    return {
        term: [point for service in services for point in points_by_service.get(service, [])]
        for term, services in services_by_term.items()
    }


def nearest(point: tuple[float, float], places: list[tuple[float, float]]) -> float | None:
    if not places:
        return None
    return min(distance_metres(point[0], point[1], lat, lng) for lat, lng in places)


def within(point: tuple[float, float], places: list[tuple[float, float]], metres: float) -> bool:
    box = bounding_box(point[0], point[1], metres)
    return any(
        box.contains(lat, lng) and distance_metres(point[0], point[1], lat, lng) <= metres
        for lat, lng in places
    )


def find_gaps(distance: float = DEFAULT_DISTANCE_METRES) -> list[Gap]:
    """Every (term, LSOA) where something was heard and no active service offering the term is
    within `distance` metres of the LSOA's centroid, the largest weighted gap first. LSOAs
    whose centroid is not known cannot be placed and are left out."""
    heard = heard_by_term_and_lsoa()
    places = service_points({row["taxonomy_term_id"] for row in heard})
    centroids = lsoa_centroids()
    population, deciles = lsoa_population(), lsoa_imd_decile()
    names = neighbourhoods.lsoa_names()
    gaps = []
    for row in heard:
        code = row["lsoa21_code"]
        point = centroids.get(code)
        if point is None:
            continue
        offered = places.get(str(row["taxonomy_term_id"]), [])
        if within(point, offered, distance):
            continue
        lsoa11 = lsoa11_for(code)
        ward_code = row["ward_code"] or ""
        gaps.append(
            Gap(
                term_id=str(row["taxonomy_term_id"]),
                term_name=row["taxonomy_term__name"],
                area_code=code,
                area_name=names.get(code, code),
                ward_code=ward_code,
                ward_name=neighbourhoods.ward_name(ward_code) or ward_code,
                heard=Tally(row["heard"]),
                needs=row["needs"],
                interests=row["interests"],
                population=population.get(lsoa11),
                imd_decile=deciles.get(lsoa11),
                nearest_metres=nearest(point, offered),
                weighted=ranking_value(row["heard"], population.get(lsoa11), deciles.get(lsoa11)),
            )
        )
    gaps.sort(key=lambda gap: (-gap.weighted, gap.term_name, gap.area_code))
    return gaps


@dataclass(frozen=True)
class AreaGap:
    """Every gap in one LSOA or ward, added up: what the map colours."""

    code: str
    name: str
    gaps: int
    weighted: Decimal
    terms: list[str]
    # Gaps heard fewer than 5 times, added in at the low band's value.
    low_gaps: int = 0


def gaps_by_area(gaps: list[Gap], level: str = "lsoa") -> dict[str, AreaGap]:
    """The gaps of each LSOA (`level` "lsoa") or ward ("ward"): how many terms, and the sum of
    their weighted gaps (a low gap's band value, never its exact weighted gap)."""
    grouped: dict[str, list[Gap]] = defaultdict(list)
    for gap in gaps:
        grouped[gap.ward_code if level == "ward" else gap.area_code].append(gap)
    return {
        code: AreaGap(
            code=code,
            name=(items[0].ward_name if level == "ward" else items[0].area_name),
            gaps=len(items),
            weighted=sum((gap.weighted for gap in items), Decimal(0)),
            terms=sorted({gap.term_name for gap in items}),
            low_gaps=sum(1 for gap in items if gap.low),
        )
        for code, items in grouped.items()
        if code
    }


@cache
def _boundary_features(level: str) -> list[dict]:
    relative = neighbourhoods.WARDS_FILE if level == "ward" else neighbourhoods.LSOAS_FILE
    path = _data_path(relative)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as stream:
        features = json.load(stream)["features"]
    code_key = "WD25CD" if level == "ward" else "LSOA21CD"
    name_key = "WD25NM" if level == "ward" else "LSOA21NM"
    return [
        {
            "code": feature["properties"][code_key],
            "name": feature["properties"][name_key],
            "geometry": _rounded_geometry(feature["geometry"]),
        }
        for feature in features
    ]


def _rounded_geometry(geometry: dict) -> dict:
    """Coordinates to 5 places (about a metre), which halves what the browser downloads."""

    def walk(value):
        if isinstance(value, list) and value and isinstance(value[0], (int, float)):
            return [round(number, 5) for number in value]
        return [walk(item) for item in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def choropleth(gaps: list[Gap], level: str = "lsoa") -> dict:
    """A GeoJSON FeatureCollection of the real boundaries with each area's gaps, for the map."""
    areas = gaps_by_area(gaps, level)
    top = max((area.weighted for area in areas.values()), default=Decimal(0))
    features = []
    for boundary in _boundary_features(level):
        area = areas.get(boundary["code"])
        weighted = area.weighted if area else Decimal(0)
        features.append(
            {
                "type": "Feature",
                "geometry": boundary["geometry"],
                "properties": {
                    "code": boundary["code"],
                    "name": boundary["name"],
                    "gaps": area.gaps if area else 0,
                    # With low gaps (fewer than 5 heard) at the band's value, never exact.
                    "weighted": str(weighted),
                    "low_gaps": area.low_gaps if area else 0,
                    # 0 (no gap) to 4 (the largest fifth of the top weighted gap).
                    "band": band(weighted, top),
                    "terms": area.terms if area else [],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def band(weighted: Decimal, top: Decimal) -> int:
    if weighted <= 0 or top <= 0:
        return 0
    return min(4, 1 + int(weighted * 4 / top))


# Gaps into a fund round's priorities --------------------------------------------------------


def create_priorities(actor: User, round_, keys: list[str], distance: float) -> list:
    """Make each chosen gap ("<term id>:<area code>", from `Gap.key`) a priority of `round_`,
    in one transaction, audited. A gap the round already has as a priority is skipped; a key
    that is not a current gap at `distance` is refused (ValueError), and nothing is written."""
    from opendeal.fund.models import Priority

    current = {gap.key: gap for gap in find_gaps(distance)}
    unknown = [key for key in keys if key not in current]
    if unknown:
        raise ValueError("Some of the gaps you chose are no longer gaps. Reload the page.")
    existing = set(
        Priority.objects.filter(round=round_, gap_taxonomy_term__isnull=False).values_list(
            "gap_taxonomy_term_id", "gap_area_code"
        )
    )
    created = []
    with transaction.atomic():
        position = Priority.objects.filter(round=round_).aggregate(top=Max("position"))["top"] or 0
        for key in dict.fromkeys(keys):
            gap = current[key]
            if (gap.term_id, gap.area_code) in {(str(t), a) for t, a in existing}:
                continue
            position += 1
            priority = Priority.objects.create(
                round=round_,
                title=f"{gap.term_name} in {gap.area_name}"[:200],
                description=(
                    f"People told practitioners they want {gap.term_name.lower()} in "
                    f"{gap.area_name} ({gap.ward_name}), and no active service in the directory "
                    f"offers it within {distance / 1000:g} km. Heard {gap.heard} times."
                ),
                gap_taxonomy_term_id=gap.term_id,
                gap_area_code=gap.area_code,
                position=position,
            )
            audit.record(
                actor,
                "fund.priority.created_from_gap",
                priority,
                round=str(round_.public_id),
                taxonomy_term=gap.term_id,
                area=gap.area_code,
            )
            created.append(priority)
    return created
