"""The pseudonymised analytics extract, for analysts."""

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendeal.core import audit
from opendeal.core.permissions import staff_permission_required

from .. import access
from ..extract import EXTRACT_COLUMNS, pseudonymised_extract

extract_required = staff_permission_required(access.DOWNLOAD_EXTRACT)


@extract_required
@require_GET
def extract_page(request: HttpRequest) -> HttpResponse:
    return render(request, "care/extract.html", {"columns": EXTRACT_COLUMNS})


class _Echo:
    def write(self, value: str) -> str:
        return value


@extract_required
@require_GET
def extract_csv(request: HttpRequest) -> StreamingHttpResponse:
    audit.record(request.user, "care.extract.downloaded")
    writer = csv.DictWriter(_Echo(), fieldnames=EXTRACT_COLUMNS)

    def lines():
        yield writer.writeheader()
        for row in pseudonymised_extract():
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="care-pseudonymised-extract.csv"'
    return response
