"""Import statistical neighbours: ONS "similar areas", or a list the council sets.

ONS Explore Local Statistics publishes, per model (`global`, `demographic`, `economic`), a CSV
`…<model>-neighbours.csv` (UTF-8 with BOM): `AREACD` and then columns `1` … `20`, the area's
20 nearest neighbours in rank order (5 for a combined authority); `…cluster-allocation.csv` gives each code's name
(`AREACD`, `AREANM`). Neighbours may be Scottish, Welsh or Northern Irish councils, counties
or combined authorities: only English areas (codes beginning E) are kept, in their ONS order.
Importing replaces that model's neighbours; areas not yet known are created from the names.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.observatory.models import Area, Neighbour, NeighbourModel

from .base import ImportFailed, RowError, area_type_for

MODELS = (NeighbourModel.GLOBAL, NeighbourModel.DEMOGRAPHIC, NeighbourModel.ECONOMIC)


@dataclass
class NeighboursReport:
    folder: str
    neighbours: dict[str, int] = field(default_factory=dict)
    areas_created: int = 0

    def __str__(self) -> str:
        counts = "; ".join(f"{model}: {count:,}" for model, count in self.neighbours.items())
        return f"{self.folder}: English neighbours by model — {counts}; {self.areas_created} new areas."


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def import_ons_neighbours(folder: Path) -> NeighboursReport:
    """Read the three ONS models from `folder`, all or nothing."""
    errors: list[RowError] = []
    allocation = next(folder.glob("*cluster-allocation.csv"), None)
    names = {row["AREACD"]: row["AREANM"] for row in _read(allocation)} if allocation else {}
    files = {model: next(folder.glob(f"*{model.value}-neighbours.csv"), None) for model in MODELS}
    for model, path in files.items():
        if path is None:
            errors.append(
                RowError(folder.name, None, None, f"no {model.value}-neighbours.csv file.")
            )
    if errors:
        raise ImportFailed(errors)
    report = NeighboursReport(folder.name)
    with transaction.atomic():
        areas = dict(Area.objects.values_list("code", "id"))

        def area_id(code: str) -> int:
            if code not in areas:
                areas[code] = Area.objects.create(
                    code=code, name=names.get(code, code), area_type=area_type_for(code)
                ).id
                report.areas_created += 1
            return areas[code]

        for model, path in files.items():
            rows = _read(path)
            if rows and "AREACD" not in rows[0]:
                errors.append(RowError(path.name, 1, None, "missing columns AREACD."))
                continue
            links = []
            for row in rows:
                code = row["AREACD"].strip()
                if not code.startswith("E"):
                    continue
                # Combined authorities have 5 neighbours, other areas 20.
                ranked = [row.get(str(rank)) or "" for rank in range(1, 21)]
                english = [c.strip() for c in ranked if c.strip().startswith("E")]
                links += [
                    Neighbour(
                        area_id=area_id(code), neighbour_id=area_id(n), model=model, rank=rank
                    )
                    for rank, n in enumerate(english, start=1)
                ]
            Neighbour.objects.filter(model=model).delete()
            Neighbour.objects.bulk_create(links)
            report.neighbours[model.value] = len(links)
        if errors:
            raise ImportFailed(errors)
        audit.record(None, "observatory.neighbours_imported", **report.neighbours)
    return report


def set_council_neighbours(actor: User | None, area_code: str, neighbour_codes: list[str]) -> int:
    """The council's own list of neighbours for one area, in the order given (replacing any)."""
    areas = dict(
        Area.objects.filter(code__in=[area_code, *neighbour_codes]).values_list("code", "id")
    )
    unknown = [code for code in [area_code, *neighbour_codes] if code not in areas]
    if unknown:
        raise ImportFailed(
            [RowError("neighbours", None, None, f"unknown area codes {', '.join(unknown)}.")]
        )
    with transaction.atomic():
        Neighbour.objects.filter(area_id=areas[area_code], model=NeighbourModel.COUNCIL).delete()
        Neighbour.objects.bulk_create(
            Neighbour(
                area_id=areas[area_code],
                neighbour_id=areas[code],
                model=NeighbourModel.COUNCIL,
                rank=rank,
            )
            for rank, code in enumerate(dict.fromkeys(neighbour_codes), start=1)
        )
        audit.record(
            actor, "observatory.council_neighbours_set", area=area_code, count=len(neighbour_codes)
        )
    return len(neighbour_codes)
