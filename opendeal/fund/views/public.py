"""The public page of awarded grants: totals by year, priority and ward with charts and a ward
map, every grant's own page, and the 360Giving downloads (JSON, CSV, XLSX): files a background
task builds (`opendeal.fund.published_files`), streamed from storage. Open to everyone, and
working without JavaScript."""

import uuid
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from opendeal.core.accounts.people import pagination
from opendeal.deal.charts import Bar, bar_chart
from opendeal.fund import awarded, grant_map, published_files

GRANTS_PER_PAGE = 50


def short_money(amount: Decimal) -> str:
    """A total short enough to write at the end of a bar: £950, £12.5k, £1.2m."""
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:.1f}m".replace(".0m", "m")
    if amount >= 1_000:
        return f"£{amount / 1_000:.1f}k".replace(".0k", "k")
    return f"£{amount:.0f}"


def _chart(totals: list[awarded.Total], chart_id: str, title: str):
    bars = [
        Bar(total.label, int(total.amount), display=short_money(total.amount)) for total in totals
    ]
    return bar_chart(bars, chart_id=chart_id, title=title)


@require_safe
def awarded_grants(request: HttpRequest) -> HttpResponse:
    totals = awarded.grant_totals()
    page = Paginator(awarded.grant_list(), GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "totals": totals,
        "year_chart": _chart(totals.by_year, "year-chart", "Money awarded by financial year"),
        "priority_chart": _chart(totals.by_priority, "priority-chart", "Money awarded by priority"),
        "ward_map": grant_map.ward_map(totals.by_ward, map_id="ward-map"),
        "page": page,
        "pagination": pagination(page, query=""),
        "files": published_files.public_files() if totals.grants else None,
    }
    return render(request, "fund/public/grants.html", context)


@require_safe
def awarded_grant(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render(request, "fund/public/grant.html", {"grant": awarded.public_grant(public_id)})


@require_safe
def download_360giving(request: HttpRequest, format: str) -> HttpResponse:
    """The latest built file (built by a background task, never here). While the first files
    are being built: 503 with Retry-After, and a page that says so and links back."""
    try:
        sending = published_files.file_to_send(format)
    except LookupError:
        raise Http404("The 360Giving data comes as JSON, CSV or XLSX.") from None
    if sending is None:
        if not published_files.has_grants():
            raise Http404("No grants have been made yet.")
        response = render(
            request,
            "fund/public/download_preparing.html",
            {"retry_minutes": max(1, published_files.RETRY_AFTER_SECONDS // 60)},
            status=503,
        )
        response["Retry-After"] = str(published_files.RETRY_AFTER_SECONDS)
        return response
    if sending.url is not None:
        return HttpResponseRedirect(sending.url)
    return FileResponse(
        sending.file,
        as_attachment=True,
        filename=sending.filename,
        content_type=sending.content_type,
    )


urlpatterns = [
    path("awarded/", awarded_grants, name="awarded-grants"),
    path("awarded/<uuid:public_id>/", awarded_grant, name="awarded-grant"),
    path(
        "awarded/360giving.<str:format>",
        download_360giving,
        name="download-360giving",
    ),
]
