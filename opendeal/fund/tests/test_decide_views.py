"""The assessment and grant pages: who may use each (anonymous, a resident, staff without the
permission, staff with it), and what each does."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund import decisions, scoring
from opendeal.fund.models import (
    ApplicationStatus,
    ConflictOfInterest,
    Decision,
    EligibilityCheck,
    Grant,
    Score,
)

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return make_round(budget="12000.00")


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER, full_name="Olive Officer")


@pytest.fixture
def panel_member(make_user):
    return make_user(Role.PANEL_MEMBER, full_name="Pat Panel")


@pytest.fixture
def member(make_user):
    return make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")


def assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PRACTITIONER):
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("core:sign-in"))
    assert sign_in(make_user(Role.RESIDENT)).get(url).status_code == 403
    assert sign_in(make_user(staff_role)).get(url).status_code == 403


def scoresheet(round_, values):
    data = {}
    for criterion, value in zip(round_.criteria.order_by("position"), values, strict=True):
        data[f"score_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = f"Comment {value}"
    return data


# Eligibility


def test_eligibility_page_four_callers(round_, officer, sign_in, make_user):
    application = make_application(round_, status=ApplicationStatus.SUBMITTED)
    url = reverse("fund:eligibility", args=[application.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    client = sign_in(officer)
    assert client.get(url).status_code == 200

    refused = client.post(url, {"outcome": "ineligible", "reason": ""})
    assert refused.status_code == 200
    assert "Say why the application is not eligible" in refused.content.decode()
    assert not EligibilityCheck.objects.exists()

    response = client.post(url, {"outcome": "eligible", "reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE


def test_the_round_page_lists_work_for_each_role(round_, officer, panel_member, sign_in):
    waiting = make_application(round_, status=ApplicationStatus.SUBMITTED, title="Waiting")
    eligible = make_application(round_, title="Eligible one")
    conflicted = make_application(round_, title="Conflicted one")
    scoring.declare_conflict(panel_member, conflicted, "Trustee.")
    url = reverse("fund:assess-round", args=[round_.public_id])

    officer_page = sign_in(officer).get(url).content.decode()
    assert reverse("fund:eligibility", args=[waiting.public_id]) in officer_page
    assert reverse("fund:moderation", args=[round_.public_id]) in officer_page

    panel_page = sign_in(panel_member).get(url).content.decode()
    assert reverse("fund:score", args=[eligible.public_id]) in panel_page
    assert reverse("fund:score", args=[conflicted.public_id]) not in panel_page
    assert "Conflicted one" not in panel_page
    assert reverse("fund:eligibility", args=[waiting.public_id]) not in panel_page


# Scoring


def test_score_page_four_callers_and_scoring(round_, panel_member, sign_in, make_user):
    application = make_application(round_)
    url = reverse("fund:score", args=[application.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.FUND_OFFICER)
    client = sign_in(panel_member)
    page = client.get(url).content.decode()
    assert "Reach descriptor 4" in page  # descriptors are shown beside each score

    missing = client.post(
        url, scoresheet(round_, [5, 4, 3]) | {f"score_{round_.criteria.last().pk}": ""}
    )
    assert missing.status_code == 200
    assert (
        "Score Sustainability" in missing.content.decode()
        or "Score Inequality" in missing.content.decode()
    )
    assert not Score.objects.exists()

    response = client.post(url, scoresheet(round_, [5, 4, 3]))
    assert response.status_code == 302
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4, 5]


def test_a_conflicted_panel_member_gets_a_clear_403_and_it_is_logged(round_, panel_member, sign_in):
    application = make_application(round_)
    client = sign_in(panel_member)
    conflict_url = reverse("fund:conflict", args=[application.public_id])
    assert client.get(conflict_url).status_code == 200
    response = client.post(conflict_url, {"reason": "My partner chairs the group."})
    assert response.status_code == 302
    assert ConflictOfInterest.objects.filter(panel_member=panel_member).count() == 1

    score_url = reverse("fund:score", args=[application.public_id])
    refused = client.get(score_url)
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "You declared a conflict of interest in this application" in page
    assert "so you cannot see or score it" in page
    assert application.summary not in page
    assert client.post(score_url, scoresheet(round_, [5, 5, 5])).status_code == 403
    assert client.get(conflict_url).status_code == 403
    assert not Score.objects.exists()
    assert (
        AuditEvent.objects.filter(action=scoring.CONFLICTED_ACCESS, actor=panel_member).count() == 3
    )


def test_other_scores_stay_hidden_until_scoring_closes(round_, panel_member, make_user, sign_in):
    application = make_application(round_)
    other = make_user(Role.PANEL_MEMBER, full_name="Quinn Otherscorer")
    scoring.record_scores(
        other,
        application,
        {
            criterion.pk: scoring.CriterionScore(1, "Secret view")
            for criterion in round_.criteria.all()
        },
    )
    url = reverse("fund:score", args=[application.public_id])
    before = sign_in(panel_member).get(url).content.decode()
    assert "Quinn Otherscorer" not in before
    assert "Secret view" not in before
    assert "Scores stay independent" in before

    round_.scoring_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    round_.save()
    after = sign_in(panel_member).get(url).content.decode()
    assert "Quinn Otherscorer" in after
    assert "Secret view" in after


# Moderation and deciding


def test_moderation_ranks_and_shows_the_budget(round_, officer, panel_member, sign_in, make_user):
    top = make_application(round_, title="Top project")
    bottom = make_application(round_, title="Bottom project")
    for application, value in ((top, 5), (bottom, 1)):
        scoring.record_scores(
            panel_member,
            application,
            {criterion.pk: scoring.CriterionScore(value) for criterion in round_.criteria.all()},
        )
    decisions.decide(officer, bottom, outcome="award", reason="Good.", amount=Decimal("2000.00"))
    url = reverse("fund:moderation", args=[round_.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)

    page = sign_in(officer).get(url).content.decode()
    assert page.index("Top project") < page.index("Bottom project")
    assert "£10,000.00" in page  # remaining
    assert "divided by the sum of the weights" in page
    assert "standard deviation" in page


def test_decide_page_four_callers_and_an_award_with_its_letter(
    round_, officer, member, sign_in, make_user, django_capture_on_commit_callbacks
):
    application = make_application(
        round_, organisation=make_organisation(member=member), amount="9950.00"
    )
    url = reverse("fund:decide", args=[application.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    client = sign_in(officer)
    assert client.get(url).status_code == 200

    over = client.post(url, {"outcome": "award", "reason": "Good.", "amount": "12,000.01"})
    assert over.status_code == 200
    assert not Decision.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"outcome": "award", "reason": "Strong bid.", "amount": "£9,950"}
        )
    decision = Decision.objects.get()
    assert response["Location"] == reverse("fund:decision-letter", args=[decision.public_id])
    assert Grant.objects.get().amount_awarded == Decimal("9950.00")
    assert len(mail.outbox) == 1

    letter_url = reverse("fund:decision-letter", args=[decision.public_id])
    assert "awarded you £9,950.00" in client.get(letter_url).content.decode()
    assert sign_in(member).get(letter_url).status_code == 200
    assert sign_in(make_user(Role.COMMUNITY_MEMBER)).get(letter_url).status_code == 403
    assert Client().get(letter_url).status_code == 302


def test_an_over_budget_award_says_how_much_is_left(round_, officer, sign_in):
    application = make_application(round_, amount="20000.00")
    response = sign_in(officer).post(
        reverse("fund:decide", args=[application.public_id]),
        {"outcome": "award", "reason": "Good.", "amount": "12000.01"},
    )
    assert "£12,000.00 of its budget left" in response.content.decode()
    assert not Grant.objects.exists()


# Grants


def make_grant(round_, officer, member):
    application = make_application(
        round_, organisation=make_organisation(member=member), amount="9950.00"
    )
    return decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal("9950.00")
    ).grant


def test_grant_page_for_officers_and_the_organisation_only(
    round_, officer, member, sign_in, make_user
):
    grant = make_grant(round_, officer, member)
    url = reverse("fund:grant", args=[grant.public_id])
    assert Client().get(url).status_code == 302
    assert sign_in(make_user(Role.RESIDENT)).get(url).status_code == 403
    assert sign_in(make_user(Role.PANEL_MEMBER)).get(url).status_code == 403
    assert sign_in(make_user(Role.COMMUNITY_MEMBER)).get(url).status_code == 403
    page = sign_in(officer).get(url).content.decode()
    assert "£5,000.00" in page and "£3,300.00" in page and "£1,650.00" in page
    member_page = sign_in(member).get(url).content.decode()
    assert reverse("fund:grant-accept", args=[grant.public_id]) in member_page


def test_the_organisation_accepts_then_an_officer_records_a_payment(
    round_, officer, member, sign_in, make_user
):
    grant = make_grant(round_, officer, member)
    accept_url = reverse("fund:grant-accept", args=[grant.public_id])
    assert sign_in(officer).post(accept_url).status_code == 403
    assert sign_in(member).post(accept_url).status_code == 302
    grant.refresh_from_db()
    assert grant.agreement_is_accepted

    payment = grant.payments.get(year=1)
    url = reverse("fund:payment-record", args=[payment.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    assert sign_in(member).get(url).status_code == 403
    today = timezone.localdate()
    response = sign_in(officer).post(url, {"paid_on": today.isoformat(), "reference": "BACS-42"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.paid_on, payment.reference) == (today, "BACS-42")


def test_reports_and_variations_through_the_pages(round_, officer, member, sign_in, make_user):
    grant = make_grant(round_, officer, member)
    report = grant.monitoring_reports.first()
    report_url = reverse("fund:report-submit", args=[report.public_id])
    assert sign_in(make_user(Role.COMMUNITY_MEMBER)).get(report_url).status_code == 403
    response = sign_in(member).post(
        report_url,
        {
            "people_reached": "85",
            "volunteers": "7",
            "activities": "30",
            "narrative": "Weekly walks.",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.people_reached, report.volunteers, report.activities) == (85, 7, 30)

    variation_url = reverse("fund:variation-request", args=[grant.public_id])
    response = sign_in(member).post(
        variation_url, {"description": "A second walk each week.", "amount_change": "1,000"}
    )
    assert response.status_code == 302
    variation = grant.variations.get()
    decide_url = reverse("fund:variation-decide", args=[variation.public_id])
    assert_refused_to_outsiders(decide_url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    assert sign_in(member).get(decide_url).status_code == 403
    response = sign_in(officer).post(decide_url, {"approve": "yes", "reason": "Within budget."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal("10950.00")


def test_publish_page_four_callers_and_one_step(round_, officer, member, sign_in, make_user):
    from opendeal.directory.models import Service

    grant = make_grant(round_, officer, member)
    url = reverse("fund:grant-publish", args=[grant.public_id])
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    assert sign_in(member).get(url).status_code == 403
    client = sign_in(officer)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    grant.refresh_from_db()
    assert Service.objects.get().id == grant.directory_service_id
    page = client.get(reverse("fund:grant", args=[grant.public_id])).content.decode()
    assert re.search(r"Listed as “.+”", page)


def test_grant_list_four_callers(round_, officer, member, sign_in, make_user):
    grant = make_grant(round_, officer, member)
    url = reverse("fund:grant-list")
    assert_refused_to_outsiders(url, sign_in, make_user, staff_role=Role.PANEL_MEMBER)
    assert str(grant.application) in sign_in(officer).get(url).content.decode()


def test_your_grants_lists_only_your_organisations_grants(
    round_, officer, member, sign_in, make_user
):
    grant = make_grant(round_, officer, member)
    other_member = make_user(Role.COMMUNITY_MEMBER)
    other = make_grant(make_round(), officer, other_member)
    url = reverse("fund:my-grants")
    assert Client().get(url).status_code == 302
    page = sign_in(member).get(url).content.decode()
    assert reverse("fund:grant", args=[grant.public_id]) in page
    assert reverse("fund:grant", args=[other.public_id]) not in page
    assert "The organisations you act for have no grants yet." in (
        sign_in(make_user(Role.RESIDENT)).get(url).content.decode()
    )


def test_publishing_ticks_the_gap_terms_and_the_public_grant_links_to_the_listing(
    round_, officer, member, sign_in
):
    from opendeal.directory.models import Attribute, Service, TaxonomyTerm

    gardening = TaxonomyTerm.objects.create(
        id=uuid.uuid4(), name="Gardening", description="Gardening"
    )
    # Many terms before it, so the gap's term is offered even past the first page of terms.
    TaxonomyTerm.objects.bulk_create(
        TaxonomyTerm(id=uuid.uuid4(), name=f"A term {n:03}", description="x") for n in range(210)
    )
    grant = make_grant(round_, officer, member)
    gap = round_.priorities.create(
        title="Gardening in Wigan 026A", gap_taxonomy_term=gardening, gap_area_code="E01006212"
    )
    grant.application.priorities.add(gap)
    url = reverse("fund:grant-publish", args=[grant.public_id])
    client = sign_in(officer)

    page = client.get(url).content.decode()
    ticked = re.findall(r'<input[^>]*value="([0-9a-f-]{36})"[^>]*checked', page)
    assert ticked == [str(gardening.id)]
    assert "the gap’s terms are ticked" in page

    public_url = reverse("fund:awarded-grant", args=[grant.public_id])
    assert 'id="directory-listing"' not in Client().get(public_url).content.decode()
    assert client.post(url, {"taxonomy_terms": [str(gardening.id)]}).status_code == 302
    grant.refresh_from_db()
    assert Attribute.objects.get(link_id=grant.directory_service_id).taxonomy_term == gardening
    listing = reverse("directory:service", args=[grant.directory_service_id])
    assert f'href="{listing}"' in Client().get(public_url).content.decode()

    Service.objects.filter(id=grant.directory_service_id).update(status=Service.Status.DEFUNCT)
    assert f'href="{listing}"' not in Client().get(public_url).content.decode()
