"""The evidence report: each King's Fund claim checked for the borough, as a printable page and
as CSV. Open to everyone, read-only, working without JavaScript."""

import csv

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from opendeal.observatory import evidence


def _change_year(request: HttpRequest) -> int:
    """The year from `?from=` when it is a plausible one, else the configured year."""
    text = request.GET.get("from", "")
    if text.isdigit() and 1990 <= int(text) <= 2100:
        return int(text)
    return settings.OPENDEAL_CHANGE_YEAR


def _report(request: HttpRequest) -> evidence.EvidenceReport:
    return evidence.evidence_report(settings.OPENDEAL_COUNCIL["gss_code"], _change_year(request))


@require_safe
def report(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "observatory/evidence.html",
        {"report": _report(request), "source": evidence.KINGS_FUND},
    )


@require_safe
def report_csv(request: HttpRequest) -> HttpResponse:
    found = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-{found.area_code}-from-{found.change_year}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(evidence.CSV_HEADER)
    writer.writerows(evidence.csv_rows(found))
    return response
