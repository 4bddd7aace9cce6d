"""The observatory's public pages: the indicators, one indicator, and one indicator for one
area (trend against England and neighbours, latest value, comparison, change and slope).
Read-only, open to everyone, and working without JavaScript."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from opendeal.observatory import reports, selectors
from opendeal.observatory.models import Source


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    by_source: dict[str, list] = {}
    for indicator in selectors.indicators().order_by("source", "name"):
        by_source.setdefault(Source(indicator.source).label, []).append(indicator)
    council_code = settings.OPENDEAL_COUNCIL["gss_code"]
    return render(
        request,
        "observatory/index.html",
        {"by_source": by_source, "council_code": council_code},
    )


@require_safe
def indicator(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = selectors.indicator(slug)
    if code := request.GET.get("area", "").strip():
        return redirect(reverse("observatory:area", args=[chosen.slug, code.upper()]))
    release = selectors.release(chosen)
    context = {
        "indicator": chosen,
        "releases": selectors.releases(chosen),
        "areas": selectors.areas_with_figures(release),
        "council_code": settings.OPENDEAL_COUNCIL["gss_code"],
    }
    return render(request, "observatory/indicator.html", context)


@require_safe
def area(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    report = reports.area_indicator_report(
        selectors.indicator(slug),
        selectors.area(code),
        sex=request.GET.get("sex"),
        release_id=request.GET.get("release") or None,
        baseline_period=request.GET.get("baseline") or None,
    )
    return render(request, "observatory/area.html", {"report": report})
