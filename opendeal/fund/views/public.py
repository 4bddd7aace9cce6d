"""The public page of awarded grants: totals by year, priority and ward with charts and a ward
map, every grant's own page, and the 360Giving downloads (JSON, CSV, XLSX), streamed.
Read-only, open to everyone, and working without JavaScript."""

import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from opendeal.core.accounts.people import pagination
from opendeal.deal.charts import Bar, bar_chart
from opendeal.fund import awarded, giving360, grant_map

GRANTS_PER_PAGE = 50
# Streamed downloads go out in pieces of about this many characters, not one per grant.
DOWNLOAD_PIECE = 64 * 1024
DOWNLOAD_FORMATS = ("json", "csv", "xlsx")


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
    }
    return render(request, "fund/public/grants.html", context)


@require_safe
def awarded_grant(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render(request, "fund/public/grant.html", {"grant": awarded.public_grant(public_id)})


def _pieces(lines: Iterable[str]) -> Iterator[str]:
    """Join small pieces of text into larger ones for the network."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= DOWNLOAD_PIECE:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _file_name(extension: str) -> str:
    return f"360giving-grants-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_safe
def download_360giving(request: HttpRequest, format: str) -> HttpResponse:
    if format not in DOWNLOAD_FORMATS:
        raise Http404("The 360Giving data comes as JSON, CSV or XLSX.")
    grants = giving360.published_grants()
    if not grants.exists():
        raise Http404("No grants have been made yet.")
    if format == "xlsx":
        return FileResponse(
            giving360.xlsx_file(giving360.flat_export(grants)),
            as_attachment=True,
            filename=_file_name("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if format == "csv":
        lines = giving360.csv_lines(giving360.flat_export(grants))
        content_type = "text/csv; charset=utf-8"
    else:
        lines = giving360.json_lines(grants)
        content_type = "application/json"
    response = StreamingHttpResponse(_pieces(lines), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(format)}"'
    return response


urlpatterns = [
    path("awarded/", awarded_grants, name="awarded-grants"),
    path("awarded/<uuid:public_id>/", awarded_grant, name="awarded-grant"),
    path(
        "awarded/360giving.<str:format>",
        download_360giving,
        name="download-360giving",
    ),
]
