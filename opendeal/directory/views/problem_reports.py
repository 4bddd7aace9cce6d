"""Directory editors' pages for residents' reports of problems with listings: the open reports,
and closing one with a note (which the reporter is sent, when they left an address)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import posted
from opendeal.core.permissions import staff_permission_required

from .. import problem_reports
from ..models import ListingProblemReport
from ..public_forms import CloseReportForm

review_required = staff_permission_required("directory.review_problem_reports")


@review_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    context = {
        "open_reports": problem_reports.open_reports(),
        "closed_reports": problem_reports.recently_closed_reports(),
    }
    return render(request, "directory/problem_reports/list.html", context)


@review_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    report = get_object_or_404(
        ListingProblemReport.objects.select_related("service", "closed_by"), id=report_id
    )
    form = CloseReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            problem_reports.close_report(request.user, report, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The report about {report.service.name} has been closed.")
            return redirect("directory:problem-reports")
    report = problem_reports.report_for_review(request.user, report)
    return render(
        request, "directory/problem_reports/detail.html", {"report": report, "form": form}
    )


urlpatterns = [
    path("problem-reports/", report_list, name="problem-reports"),
    path("problem-reports/<uuid:report_id>/", report_detail, name="problem-report"),
]
