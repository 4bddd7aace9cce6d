"""Residents' reports of problems with listings, and directory editors closing them.

Anyone may report, without an account; reports from one network address are limited to
`REPORTS_PER_HOUR` an hour so the form cannot flood the editors' queue. A reporter who leaves an
email address is told when the report is closed, with the editor's note, and the address is
then erased: it is kept no longer than it is needed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.editing import locked
from opendeal.core.mail import send_email_after_commit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require
from opendeal.core.rate_limits import within_hourly_limit

from .models import ListingProblemReport, Service

REPORTS_PER_HOUR = 5
DETAILS_MAX_LENGTH = 2000
VIEWED = "directory.problem_report.viewed"


class TooManyReports(Exception):
    """The reporter's address has sent REPORTS_PER_HOUR reports within the hour."""

    def __init__(self) -> None:
        super().__init__(
            "You have sent several reports in the last hour. Please wait an hour and try again, "
            "or email us."
        )


def can_review_problem_reports(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor,
        "directory.review_problem_reports",
        to="see reports of problems with listings",
        role_lacks="reviewing reports of problems with listings",
    )


def _within_hourly_limit(client_address: str) -> bool:
    return within_hourly_limit("problem-reports", client_address, REPORTS_PER_HOUR)


@transaction.atomic
def report_problem(
    service: Service, *, problem: str, details: str, email: str, client_address: str
) -> ListingProblemReport:
    """Record a report. Raises TooManyReports, or ValidationError keyed by field."""
    details = (details or "").strip()
    if problem == ListingProblemReport.Problem.OTHER and not details:
        raise ValidationError({"details": "Tell us what is wrong with the listing"})
    if not _within_hourly_limit(client_address):
        raise TooManyReports()
    report = ListingProblemReport(
        service=service, problem=problem, details=details, email=(email or "").strip().lower()
    )
    report.full_clean()
    report.save()
    # No actor and no personal data: the report's id is enough to follow it.
    audit.record(None, "directory.problem_report.created", report, service=str(service.id))
    return report


def open_reports():
    return ListingProblemReport.objects.filter(
        status=ListingProblemReport.Status.OPEN
    ).select_related("service")


def recently_closed_reports(limit: int = 20):
    return (
        ListingProblemReport.objects.filter(status=ListingProblemReport.Status.CLOSED)
        .select_related("service", "closed_by")
        .order_by("-closed_at")[:limit]
    )


def report_for_review(actor: User, report: ListingProblemReport) -> ListingProblemReport:
    """The report, for an editor to read: the viewing is audited, as it may show an email."""
    require(can_review_problem_reports(actor))
    if report.email:
        audit.record(actor, VIEWED, report)
    return report


@transaction.atomic
def close_report(actor: User, report: ListingProblemReport, *, note: str) -> ListingProblemReport:
    """Close an open report with a note; tell the reporter, if they left an address, and
    erase the address."""
    require(can_review_problem_reports(actor))
    report = locked(report)
    note = (note or "").strip()
    if report.status == ListingProblemReport.Status.CLOSED:
        raise ValidationError("This report has already been closed.")
    if not note:
        raise ValidationError({"note": "Enter a note saying what was done"})
    if report.email:
        send_email_after_commit(
            report.email,
            "Your report about a listing in the community directory",
            "directory/email/problem_report_closed",
            {"service_name": report.service.name, "note": note},
        )
    report.status = ListingProblemReport.Status.CLOSED
    report.closed_at = timezone.now()
    report.closed_by = actor
    report.closing_note = note
    report.email = ""
    report.save()
    audit.record(actor, "directory.problem_report.closed", report)
    return report
