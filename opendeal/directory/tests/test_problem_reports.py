"""Reporting a problem with a listing, the rate limit, and directory editors closing reports."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.directory import problem_reports
from opendeal.directory.models import ListingProblemReport

from .public_listings import make_listing

pytestmark = pytest.mark.django_db
LIST_URL = reverse("directory:problem-reports")


@pytest.fixture
def service():
    return make_listing("Walking group")


def report_url(service) -> str:
    return reverse("directory:report-problem", args=[service.id])


def make_report(service, email: str = "reporter@example.org") -> ListingProblemReport:
    return problem_reports.report_problem(
        service,
        problem=ListingProblemReport.Problem.OPENING_TIMES,
        details="It meets on Tuesdays now",
        email=email,
        client_address="192.0.2.1",
    )


# Reporting ------------------------------------------------------------------------------------


def test_anyone_can_report_a_problem_and_sees_a_confirmation(client, service):
    page = client.get(report_url(service))
    assert page.status_code == 200
    assert "Report a problem with this listing" in page.content.decode()
    response = client.post(
        report_url(service),
        {"problem": "contact_details", "details": "  The number is 01942 000000  ", "email": ""},
    )
    assert response.status_code == 302
    assert response.url == reverse("directory:problem-reported", args=[service.id])
    report = ListingProblemReport.objects.get()
    assert (report.service, report.problem, report.details, report.email, report.status) == (
        service,
        "contact_details",
        "The number is 01942 000000",
        "",
        "open",
    )
    confirmation = client.get(response.url).content.decode()
    assert (
        "Report sent" in confirmation
        and "Thank you for telling us about Walking group" in confirmation
    )
    assert AuditEvent.objects.filter(action="directory.problem_report.created").count() == 1


def test_the_email_is_optional_and_kept_lower_case(client, service):
    client.post(
        report_url(service),
        {"problem": "closed", "details": "", "email": "Reporter@Example.org"},
    )
    assert ListingProblemReport.objects.get().email == "reporter@example.org"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"details": "x"}, "problem", "Select what is wrong with the listing"),
        ({"problem": "nonsense"}, "problem", None),
        (
            {"problem": "closed", "email": "not an address"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
    ],
)
def test_bad_reports_are_explained_and_nothing_is_saved(client, service, data, field, message):
    response = client.post(report_url(service), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert form.errors[field] == [message]
    assert "There is a problem" in response.content.decode()
    assert ListingProblemReport.objects.count() == 0


def test_something_else_needs_details(client, service):
    response = client.post(report_url(service), {"problem": "other", "details": "  "})
    assert response.status_code == 200
    assert "Tell us what is wrong with the listing" in response.content.decode()
    assert ListingProblemReport.objects.count() == 0


def test_reports_are_rate_limited_per_network_address(client, service):
    for _ in range(problem_reports.REPORTS_PER_HOUR):
        response = client.post(report_url(service), {"problem": "closed"})
        assert response.status_code == 302
    refused = client.post(report_url(service), {"problem": "closed"})
    assert refused.status_code == 200
    assert "You have sent several reports in the last hour" in refused.content.decode()
    assert ListingProblemReport.objects.count() == problem_reports.REPORTS_PER_HOUR
    # Someone else, from another address, can still report.
    other = client.post(report_url(service), {"problem": "closed"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302
    assert ListingProblemReport.objects.count() == problem_reports.REPORTS_PER_HOUR + 1


def test_listings_gone_from_the_directory_cannot_be_reported(client):
    gone = make_listing("Gone", status="defunct")
    assert client.get(report_url(gone)).status_code == 404
    assert client.post(report_url(gone), {"problem": "closed"}).status_code == 404
    assert ListingProblemReport.objects.count() == 0


# Reviewing ------------------------------------------------------------------------------------


def test_the_report_pages_are_for_directory_editors_only(
    client, service, make_user, sign_in, resident, practitioner
):
    report = make_report(service)
    detail_url = reverse("directory:problem-report", args=[report.id])
    for url in (LIST_URL, detail_url):
        assert client.get(url).status_code == 302  # anonymous: sign in
        assert sign_in(resident).get(url).status_code == 403
        assert sign_in(practitioner).get(url).status_code == 403
        assert sign_in(make_user(Role.DIRECTORY_EDITOR)).get(url).status_code == 200
        assert sign_in(make_user(Role.ADMINISTRATOR)).get(url).status_code == 200


def test_editors_see_open_reports_and_the_menu_links_to_them(service, make_user, sign_in):
    make_report(service)
    editor = sign_in(make_user(Role.DIRECTORY_EDITOR))
    html = editor.get(LIST_URL).content.decode()
    assert "Walking group" in html and "The opening times are wrong" in html
    assert f'href="{LIST_URL}"' in editor.get(reverse("core:home")).content.decode()


def test_viewing_a_report_with_an_email_is_audited(service, make_user, sign_in):
    report = make_report(service)
    editor = make_user(Role.DIRECTORY_EDITOR)
    html = (
        sign_in(editor).get(reverse("directory:problem-report", args=[report.id])).content.decode()
    )
    assert "reporter@example.org" in html and "It meets on Tuesdays now" in html
    viewed = AuditEvent.objects.get(action=problem_reports.VIEWED)
    assert (viewed.actor, viewed.object_id) == (editor, str(report.id))


def test_closing_a_report_tells_the_reporter_and_erases_their_address(
    service, make_user, sign_in, django_capture_on_commit_callbacks
):
    report = make_report(service)
    editor = make_user(Role.DIRECTORY_EDITOR)
    url = reverse("directory:problem-report", args=[report.id])
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(editor).post(url, {"note": "Updated the times with the group."})
    assert response.status_code == 302 and response.url == LIST_URL
    report.refresh_from_db()
    assert (report.status, report.closed_by, report.closing_note, report.email) == (
        "closed",
        editor,
        "Updated the times with the group.",
        "",
    )
    assert report.closed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reporter@example.org"]
    assert "Updated the times with the group." in mail.outbox[0].body
    assert "Walking group" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="directory.problem_report.closed").count() == 1
    listing = sign_in(editor).get(LIST_URL).content.decode()
    assert "There are no open reports." in listing
    assert "Updated the times with the group." in listing


def test_closing_needs_a_note_and_happens_once(service, make_user, sign_in):
    report = make_report(service, email="")
    editor = make_user(Role.DIRECTORY_EDITOR)
    url = reverse("directory:problem-report", args=[report.id])
    response = sign_in(editor).post(url, {"note": "  "})
    assert response.status_code == 200
    assert "Enter a note saying what was done" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "open"
    problem_reports.close_report(editor, report, note="Done")
    with pytest.raises(ValidationError):
        problem_reports.close_report(editor, report, note="Again")
    report.refresh_from_db()
    assert report.closing_note == "Done"
    assert len(mail.outbox) == 0  # no address was left


def test_only_editors_may_close_reports(service, make_user):
    report = make_report(service)
    with pytest.raises(PermissionDenied):
        problem_reports.close_report(make_user(Role.PRACTITIONER), report, note="No")
    report.refresh_from_db()
    assert (report.status, report.email) == ("open", "reporter@example.org")
