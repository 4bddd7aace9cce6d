"""The observatory API, mounted at /api/observatory: indicators, areas, releases, and one
area's series of an indicator from one release (the latest unless `release=` names one)."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from . import reports, selectors
from .models import AreaType, Release
from .schemas import AreaOut, IndicatorOut, ReleaseOut, SeriesOut, problem_responses

router = Router()


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators with figures")
def list_indicators(request: HttpRequest):
    return list(selectors.indicators().order_by("source", "name"))


@router.get(
    "/areas",
    response=list[AreaOut],
    openapi_extra=problem_responses(422),
    summary="Areas",
    description="England, regions and English local authorities; `type=` filters by type.",
)
def list_areas(request: HttpRequest, type: AreaType | None = None):
    return [_area(area) for area in selectors.areas(type).select_related("region")]


@router.get(
    "/releases",
    response=list[ReleaseOut],
    openapi_extra=problem_responses(404, 422),
    summary="Releases of an indicator",
    description="Every imported publication of the indicator, latest first.",
)
def list_releases(request: HttpRequest, indicator: str):
    found = list(selectors.releases(selectors.indicator(indicator)).select_related("indicator"))
    return [_release(release, is_latest=index == 0) for index, release in enumerate(found)]


class SeriesQuery(Schema):
    indicator: str
    area: str
    sex: str | None = None
    release: uuid.UUID | None = None


@router.get(
    "/series",
    response=SeriesOut,
    openapi_extra=problem_responses(404, 422),
    summary="One area's series",
    description=(
        "Each period's value, 95% interval and England's figure and comparison, for one "
        "indicator, area (GSS code) and sex, from one release: the latest, or `release=` "
        "(a release's public_id). Never spliced from several releases. 404 for an unknown "
        "indicator, area or release; 422 for a sex the release does not have."
    ),
)
def series(request: HttpRequest, query: Query[SeriesQuery]):
    indicator = selectors.indicator(query.indicator)
    area = selectors.area(query.area)
    report = reports.area_indicator_report(
        indicator,
        area,
        sex=query.sex,
        release_id=str(query.release) if query.release else None,
        with_chart=False,
    )
    if query.sex and query.sex != report.sex:
        raise HttpError(
            422, f"This release has no figures for sex {query.sex!r}: {', '.join(report.sexes)}."
        )
    latest = selectors.releases(indicator).first()
    return {
        "indicator": indicator,
        "area": _area(area),
        "sex": report.sex,
        "release": _release(report.release, is_latest=report.release == latest),
        "figures": [_figure(row) for row in report.rows],
    }


def _area(area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "area_type": area.area_type,
        "region": area.region.code if area.region_id else None,
    }


def _release(release: Release, *, is_latest: bool) -> dict:
    return {
        "public_id": release.public_id,
        "indicator": release.indicator.slug,
        "label": release.label,
        "published_on": release.published_on,
        "imported_at": release.imported_at,
        "first_period_sortable": release.first_period_sortable,
        "last_period_sortable": release.last_period_sortable,
        "observations": release.observations,
        "is_latest": is_latest,
    }


def _figure(row: reports.PeriodRow) -> dict:
    area, england = row.area, row.england
    return {
        "period": area.period,
        "period_sortable": area.period_sortable,
        "period_end": area.period_end,
        "value": area.value,
        "lower_ci_95": area.lower_ci_95,
        "upper_ci_95": area.upper_ci_95,
        "count": area.count,
        "denominator": area.denominator,
        "value_note": area.value_note,
        "england_value": england.value if england else None,
        "england_lower_ci_95": england.lower_ci_95 if england else None,
        "england_upper_ci_95": england.upper_ci_95 if england else None,
        "compared_with_england_published": area.published_comparison,
        "compared_with_england_computed": row.computed_comparison,
    }
