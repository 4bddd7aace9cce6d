"""fund-apply's pages: public fund and round pages, the application journey, documents and
the officers' set-up pages."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.deal.models import Deal, Theme
from opendeal.fund import documents
from opendeal.fund.demo import load_demo_fund
from opendeal.fund.models import (
    Application,
    ApplicationStatus,
    ConflictOfInterest,
    Fund,
    Organisation,
    Round,
    Tier,
)

from .apply_factories import (
    PDF_BYTES,
    complete_application,
    eligible_answers,
    make_open_round,
    make_organisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return make_open_round()


@pytest.fixture
def applicant(make_user):
    return make_user(Role.RESIDENT, full_name="Fictional Applicant")


@pytest.fixture
def organisation(applicant, round_):
    return make_organisation(applicant)


# Public pages ---------------------------------------------------------------------------------


def test_fund_page_lists_open_rounds_and_round_page_shows_tiers(client, round_):
    fund = round_.fund
    response = client.get(reverse("fund:fund", args=[fund.slug]))
    assert response.status_code == 200
    assert round_.title in response.content.decode()
    response = client.get(reverse("fund:round", args=[fund.slug, round_.slug]))
    page = response.content.decode()
    assert "Start an application" in page
    assert "Up to £2,000" in page
    assert "Tapering: 100%, 66%, 33%" in page


def test_a_closed_round_offers_no_start_button(client, round_):
    Round.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    page = client.get(reverse("fund:round", args=[round_.fund.slug, round_.slug])).content.decode()
    assert "This round has closed" in page
    assert "Start an application" not in page


def test_unpublished_funds_are_not_shown(client, round_):
    Fund.objects.update(is_published=False)
    assert client.get(reverse("fund:fund", args=[round_.fund.slug])).status_code == 404


# The journey ----------------------------------------------------------------------------------


def test_starting_needs_sign_in_then_an_organisation(client, sign_in, applicant, round_):
    start = reverse("fund:start", args=[round_.fund.slug, round_.slug])
    assert client.get(start).url.startswith(resolve_url(settings.LOGIN_URL))
    response = sign_in(applicant).get(start)
    assert response.url.startswith(reverse("fund:organisation-create"))


def test_registering_an_organisation_and_starting(sign_in, applicant, round_):
    client = sign_in(applicant)
    response = client.post(
        reverse("fund:organisation-create"),
        {
            "name": "Ince Allotment Society",
            "kind": "company",
            "company_number": "SC12345",
            "postcode": "WN1 1AA",
        },
    )
    assert "Enter the company number as 8 characters" in response.content.decode()
    response = client.post(
        reverse("fund:organisation-create"),
        {"name": "Ince Allotment Society", "kind": "company", "company_number": "1234567"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.org_id == "GB-COH-01234567"
    start = reverse("fund:start", args=[round_.fund.slug, round_.slug])
    response = client.post(start, {"organisation": organisation.public_id})
    application = Application.objects.get()
    assert response.url == reverse("fund:application", args=[application.public_id])
    page = client.get(response.url).content.decode()
    assert "Check you can apply" in page
    assert "Cannot start yet" in page


def test_an_ineligible_answer_stops_the_applicant_with_the_reason(
    sign_in, applicant, round_, organisation
):
    client = sign_in(applicant)
    application = Application.objects.create(round=round_, organisation=organisation)
    answers = {
        f"question_{pk}": "yes" if ok else "no" for pk, ok in eligible_answers(round_).items()
    }
    first = round_.eligibility_questions.get(position=0)
    answers[f"question_{first.pk}"] = "no"
    response = client.post(
        reverse("fund:eligibility-answers", args=[application.public_id]), answers
    )
    page = response.content.decode()
    assert "You cannot apply to this round" in page
    assert "The fund supports not-for-profit organisations only." in page
    page = client.get(reverse("fund:application", args=[application.public_id])).content.decode()
    assert "Not eligible" in page


def test_an_amount_over_the_tier_maximum_is_shown_beside_the_field(
    sign_in, applicant, round_, organisation
):
    client = sign_in(applicant)
    application = Application.objects.create(round=round_, organisation=organisation)
    client.post(
        reverse("fund:eligibility-answers", args=[application.public_id]),
        {f"question_{pk}": "yes" if ok else "no" for pk, ok in eligible_answers(round_).items()},
    )
    small = round_.tiers.get(name="Small")
    response = client.post(
        reverse("fund:project", args=[application.public_id]),
        {
            "project_title": "Park walks",
            "summary": "Walks",
            "priorities": [round_.priorities.first().public_id],
            "tier": small.public_id,
            "amount_requested": "2500",
            "years": "1",
            "postcode": "WN1 1AA",
        },
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The most you can ask for from the Small tier is £2,000.00" in page
    application.refresh_from_db()
    assert application.amount_requested is None


def test_check_answers_submits_and_a_late_submission_is_refused(
    sign_in, applicant, round_, organisation
):
    client = sign_in(applicant)
    application = complete_application(applicant, round_, organisation)
    check = reverse("fund:check", args=[application.public_id])
    assert "Accept and submit" in client.get(check).content.decode()
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now())
    response = client.post(check)
    assert "This round closed at" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    Round.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() + datetime.timedelta(hours=1)
    )
    response = client.post(check)
    assert response.url == reverse("fund:submitted", args=[application.public_id])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # Submitted: pages that change it send the applicant back, saying why.
    response = client.get(reverse("fund:budget", args=[application.public_id]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "fund:application", args=[application.public_id]
    )
    assert "This application is submitted, so it can no longer be changed." in (
        response.content.decode()
    )
    # The summary, not the task list; and withdrawal.
    page = client.get(reverse("fund:application", args=[application.public_id])).content.decode()
    assert "Withdraw this application" in page
    client.post(reverse("fund:withdraw", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_budget_page_adds_lines_and_shows_the_mismatch(sign_in, applicant, round_, organisation):
    client = sign_in(applicant)
    application = complete_application(applicant, round_, organisation)
    url = reverse("fund:budget", args=[application.public_id])
    client.post(url, {"year": "1", "description": "Extra", "amount": "10.005"})
    assert application.budget_lines.count() == 2
    client.post(url, {"year": "1", "description": "Extra", "amount": "10.00"})
    page = client.get(url).content.decode()
    assert "Your budget adds up to £1,510.50 but you are asking for £1,500.50" in page
    line = application.budget_lines.get(description="Extra")
    client.post(reverse("fund:remove", args=[application.public_id, "budget", line.public_id]))
    assert not application.budget_lines.filter(description="Extra").exists()


def test_strangers_cannot_see_or_change_an_application(
    sign_in, make_user, applicant, round_, organisation
):
    application = complete_application(applicant, round_, organisation)
    stranger = sign_in(make_user(Role.COMMUNITY_MEMBER))
    assert (
        stranger.get(reverse("fund:application", args=[application.public_id])).status_code == 404
    )
    response = stranger.post(
        reverse("fund:budget", args=[application.public_id]),
        {"year": "1", "description": "Mine", "amount": "5"},
    )
    assert response.status_code == 404
    assert application.budget_lines.count() == 2


# Documents ------------------------------------------------------------------------------------


def test_uploading_and_downloading_a_document(sign_in, make_user, applicant, round_, organisation):
    client = sign_in(applicant)
    application = complete_application(applicant, round_, organisation)
    url = reverse("fund:documents", args=[application.public_id])
    response = client.post(
        url,
        {
            "kind": "constitution",
            "file": SimpleUploadedFile("rules.pdf", b"MZ\x90\x00" + b"0" * 50),
        },
    )
    assert documents.WRONG_TYPE in response.content.decode()
    client.post(url, {"kind": "constitution", "file": SimpleUploadedFile("rules.pdf", PDF_BYTES)})
    document = application.documents.get()
    download = reverse("fund:document", args=[document.public_id])
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rules.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert sign_in(make_user(Role.COMMUNITY_MEMBER)).get(download).status_code == 404
    officer = make_user(Role.FUND_OFFICER)
    assert sign_in(officer).get(download).status_code == 200
    assert AuditEvent.objects.filter(action="fund.document.viewed", actor=officer).count() == 1


# Officers' set-up -----------------------------------------------------------------------------


def test_fund_officers_set_up_a_fund_round_and_tier(sign_in, make_user):
    client = sign_in(make_user(Role.FUND_OFFICER))
    response = client.post(
        reverse("fund:manage-fund-create"),
        {"name": "Warm Spaces Fund", "description": "Heating for community venues."},
    )
    fund = Fund.objects.get(name="Warm Spaces Fund")
    assert fund.slug == "warm-spaces-fund"
    response = client.post(
        reverse("fund:manage-round-create", args=[fund.public_id]),
        {
            "title": "Winter 2026",
            "opens_at": "2026-10-01 09:00",
            "closes_at": "2026-10-20 12:00",
            "budget": "20000",
            "published": "on",
        },
    )
    round_ = Round.objects.get(fund=fund)
    assert response.url == reverse("fund:manage-round", args=[round_.public_id])
    # 12:00 in October is British Summer Time: 11:00 UTC.
    assert round_.closes_at == datetime.datetime(2026, 10, 20, 11, 0, tzinfo=datetime.UTC)
    tiers = reverse("fund:manage-item-create", args=[round_.public_id, "tiers"])
    response = client.post(
        tiers, {"name": "Big", "maximum_amount": "5000", "maximum_years": "3", "taper": "100, 66"}
    )
    assert "Give one percentage for each of the 3 years" in response.content.decode()
    client.post(
        tiers,
        {"name": "Big", "maximum_amount": "5000", "maximum_years": "3", "taper": "100, 66, 33"},
    )
    assert Tier.objects.get(round=round_).taper == [100, 66, 33]
    page = client.get(reverse("fund:manage-round", args=[round_.public_id])).content.decode()
    assert "taper 100%, 66%, 33%" in page


def test_residents_cannot_set_up_funds(sign_in, applicant):
    assert sign_in(applicant).get(reverse("fund:manage-fund-create")).status_code == 403


# Demo -----------------------------------------------------------------------------------------


def test_the_demo_fund_loads_once_with_priorities_linked_to_deal_themes():
    deal = Deal.objects.create(
        title="The Deal",
        slug="the-deal",
        area_code="E08000010",
        summary="x",
        starts_on=datetime.date(2024, 4, 1),
    )
    Theme.objects.create(deal=deal, slug="health-and-wellbeing", title="Health and wellbeing")
    report = load_demo_fund()
    assert "7 applications added this run" in report
    assert "0 applications added this run" in load_demo_fund()
    fund = Fund.objects.get(slug="deal-for-communities")
    closed, open_ = fund.rounds.get(slug="round-1"), fund.rounds.get(slug="round-2")
    assert not closed.is_open() and open_.is_open()
    assert (
        open_.priorities.get(title="Healthy, active lives").deal_theme.slug
        == "health-and-wellbeing"
    )
    assert closed.criteria.count() == 5
    assert set(closed.criteria.first().descriptors) == {"0", "1", "2", "3", "4", "5"}
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "eligible", "ineligible", "withdrawn"} <= statuses
    # Submitted applications' budgets add up to what they ask for.
    for application in Application.objects.exclude(status="draft"):
        total = sum((line.amount for line in application.budget_lines.all()), Decimal(0))
        assert total == application.amount_requested


def test_officers_edit_every_kind_of_round_item(sign_in, make_user, round_):
    client = sign_in(make_user(Role.FUND_OFFICER))
    criterion = round_.criteria.create(
        name="Reach", descriptors={str(n): f"Score {n}" for n in range(6)}
    )
    items = [
        ("tiers", round_.tiers.first()),
        ("priorities", round_.priorities.first()),
        ("eligibility-questions", round_.eligibility_questions.first()),
        ("questions", round_.form_questions.first()),
        ("criteria", criterion),
    ]
    for kind, item in items:
        url = reverse("fund:manage-item-edit", args=[round_.public_id, kind, item.public_id])
        response = client.get(url)
        assert response.status_code == 200, kind
    page = client.get(
        reverse("fund:manage-item-edit", args=[round_.public_id, "criteria", criterion.public_id])
    ).content.decode()
    assert 'value="Score 5"' in page
    data = {"name": "Reach", "weight": "1.5", **{f"descriptor_{n}": f"New {n}" for n in range(6)}}
    client.post(
        reverse("fund:manage-item-edit", args=[round_.public_id, "criteria", criterion.public_id]),
        data,
    )
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("1.5")
    assert criterion.descriptors["5"] == "New 5"
    assert AuditEvent.objects.filter(action="fund.criterion.updated").exists()


def test_officers_reading_an_application_is_audited_and_conflicted_panel_members_get_403(
    sign_in, make_user, applicant, round_, organisation
):
    application = complete_application(applicant, round_, organisation)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ELIGIBLE)
    url = reverse("fund:application", args=[application.public_id])
    officer = make_user(Role.FUND_OFFICER)
    page = sign_in(officer).get(url).content.decode()
    assert "Park walks" in page
    assert "Older people are lonely." in page
    assert AuditEvent.objects.filter(action="fund.application.viewed", actor=officer).exists()
    member = make_user(Role.PANEL_MEMBER)
    assert sign_in(member).get(url).status_code == 200
    ConflictOfInterest.objects.create(
        round=round_, panel_member=member, application=application, reason="Trustee"
    )
    # They declared the conflict, so they know it exists: a clear refusal, not "not found".
    refused = sign_in(member).get(url)
    assert refused.status_code == 403
    assert "You declared a conflict of interest in this application" in refused.content.decode()
    assert "Older people are lonely." not in refused.content.decode()
    # Someone who is not on the panel at all still learns nothing.
    assert sign_in(make_user(Role.COMMUNITY_MEMBER)).get(url).status_code == 404
