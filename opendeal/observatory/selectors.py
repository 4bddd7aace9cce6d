"""Reads for the observatory's pages, API and evaluation: a series is always read from one
release (the latest unless one is named), never spliced from several.

`panel` is the evaluation's entry point: every area by period of one indicator, sex and
release in one query over the observation index.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.http import Http404

from .models import (
    ENGLAND,
    LOCAL_AUTHORITY_TYPES,
    Area,
    Indicator,
    Neighbour,
    NeighbourModel,
    Observation,
    Release,
)

NEIGHBOURS_SHOWN = 5


def indicators():
    return Indicator.objects.annotate(release_count=Count("releases")).filter(release_count__gt=0)


def indicator(slug: str) -> Indicator:
    try:
        return Indicator.objects.get(slug=slug)
    except Indicator.DoesNotExist:
        raise Http404("There is no indicator with that name.") from None


def area(code: str) -> Area:
    try:
        return Area.objects.get(code=code.upper())
    except Area.DoesNotExist:
        raise Http404("There is no area with that code.") from None


def areas(area_type: str | None = None):
    queryset = Area.objects.exclude(area_type="other")
    return queryset.filter(area_type=area_type) if area_type else queryset


def areas_with_figures(release: Release):
    """Areas the release has figures for, England and regions first."""
    codes = Observation.objects.filter(release=release).values("area_id").distinct()
    return Area.objects.filter(id__in=codes).order_by("area_type", "name")


def releases(indicator: Indicator):
    return Release.objects.filter(indicator=indicator).newest_first()


def release(indicator: Indicator, public_id: uuid.UUID | str | None = None) -> Release:
    """The named release of the indicator, or its latest."""
    queryset = releases(indicator)
    if public_id:
        try:
            wanted = uuid.UUID(str(public_id))
        except ValueError:
            raise Http404("That is not a release id.") from None
        named = queryset.filter(public_id=wanted).first()
        if named is None:
            raise Http404("That indicator has no such release.")
        return named
    found = queryset.first()
    if found is None:
        raise Http404("That indicator has no figures yet.")
    return found


def sexes(release: Release) -> list[str]:
    """The sexes the release has figures for, Persons first."""
    found = set(
        Observation.objects.filter(release=release).values_list("sex", flat=True).distinct()
    )
    order = ["Persons", "Female", "Male"]
    return sorted(found, key=lambda sex: (order.index(sex) if sex in order else 9, sex))


def series(release: Release, area: Area, sex: str) -> list[Observation]:
    return list(
        Observation.objects.filter(release=release, area=area, sex=sex).order_by(
            "period_sortable", "age"
        )
    )


def series_by_code(release: Release, codes: list[str], sex: str) -> dict[str, list[Observation]]:
    """Several areas' series in one query, by area code."""
    found: dict[str, list[Observation]] = defaultdict(list)
    for observation in (
        Observation.objects.filter(release=release, sex=sex, area__code__in=codes)
        .select_related("area")
        .order_by("period_sortable")
    ):
        found[observation.area.code].append(observation)
    return found


def neighbours(area: Area, limit: int = NEIGHBOURS_SHOWN) -> tuple[str, list[Area]]:
    """The area's statistical neighbours: the council's list when it has set one, otherwise
    ONS similar areas (all measures). Returns the model's label and the areas, nearest first."""
    for model in (NeighbourModel.COUNCIL, NeighbourModel.GLOBAL):
        links = list(
            Neighbour.objects.filter(area=area, model=model)
            .select_related("neighbour")
            .order_by("rank")[:limit]
        )
        if links:
            return model.label, [link.neighbour for link in links]
    return "", []


@dataclass(frozen=True)
class Panel:
    """Every area's value in every period of one indicator, sex and release."""

    release: Release
    sex: str
    periods: list[int]
    period_labels: dict[int, str]
    values: dict[str, dict[int, Decimal | None]]

    def complete_areas(self) -> list[str]:
        """Areas with a value in every period (what synthetic control needs)."""
        return [
            code
            for code, by_period in self.values.items()
            if all(by_period.get(period) is not None for period in self.periods)
        ]

    def frame(self):
        """As a pandas DataFrame: one row per area (GSS code), one column per period."""
        import pandas

        return pandas.DataFrame.from_dict(
            {
                code: {p: by_period.get(p) for p in self.periods}
                for code, by_period in self.values.items()
            },
            orient="index",
        )


def panel(release: Release, sex: str, *, local_authorities_only: bool = False) -> Panel:
    queryset = Observation.objects.filter(release=release, sex=sex)
    if local_authorities_only:
        queryset = queryset.filter(area__area_type__in=LOCAL_AUTHORITY_TYPES)
    values: dict[str, dict[int, Decimal | None]] = defaultdict(dict)
    labels: dict[int, str] = {}
    for code, period, label, value in queryset.values_list(
        "area__code", "period_sortable", "period", "value"
    ):
        values[code][period] = value
        labels[period] = label
    return Panel(release, sex, sorted(labels), labels, dict(values))


def england() -> Area | None:
    return Area.objects.filter(code=ENGLAND).first()
