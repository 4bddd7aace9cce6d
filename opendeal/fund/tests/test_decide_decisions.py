"""Eligibility checks, decisions within the round's budget, and letters."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund import decisions
from opendeal.fund.models import (
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    EligibilityCheck,
    Grant,
    Payment,
)

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER, full_name="Tom Officer")


@pytest.fixture
def applicant(make_user):
    return make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")


def award(officer, application, amount, reason="Strong, well-evidenced bid."):
    return decisions.decide(
        officer, application, outcome="award", reason=reason, amount=Decimal(amount)
    )


# Eligibility


def test_an_officer_finds_an_application_eligible(officer):
    application = make_application(make_round(), status=ApplicationStatus.SUBMITTED)

    check = decisions.check_eligibility(officer, application, eligible=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert check.outcome == "eligible"
    assert decisions.latest_eligibility_check(application) == check
    assert mail.outbox == []


def test_ineligible_needs_a_reason_and_tells_the_applicant(
    officer, applicant, django_capture_on_commit_callbacks
):
    organisation = make_organisation(member=applicant)
    application = make_application(
        make_round(), status=ApplicationStatus.SUBMITTED, organisation=organisation
    )
    with pytest.raises(ValidationError):
        decisions.check_eligibility(officer, application, eligible=False, reason="")
    assert not EligibilityCheck.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        decisions.check_eligibility(
            officer, application, eligible=False, reason="The project is outside the borough."
        )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@group.example.org"]
    assert "The project is outside the borough." in mail.outbox[0].body


def test_eligibility_needs_the_permission(make_user):
    application = make_application(make_round(), status=ApplicationStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        decisions.check_eligibility(make_user(Role.PANEL_MEMBER), application, eligible=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_drafts_and_decided_applications_are_not_checked(officer):
    for status in (ApplicationStatus.DRAFT, ApplicationStatus.AWARDED):
        application = make_application(make_round(), status=status)
        with pytest.raises(ValidationError):
            decisions.check_eligibility(officer, application, eligible=True)
    assert not EligibilityCheck.objects.exists()


# Decisions


def test_an_award_makes_a_grant_with_its_schedule_and_a_letter(
    officer, applicant, django_capture_on_commit_callbacks
):
    round_ = make_round(budget="20000.00")
    organisation = make_organisation(member=applicant, name="Hindley Men's Shed")
    application = make_application(
        round_, organisation=organisation, amount="10000.01", title="Shed workshop"
    )

    with django_capture_on_commit_callbacks(execute=True):
        decision = award(officer, application, "10000.01")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED
    grant = Grant.objects.get(application=application)
    assert grant.amount_awarded == Decimal("10000.01")
    assert grant.identifier == f"360G-opendeal-demo-{grant.public_id}"
    amounts = list(grant.payments.values_list("amount", flat=True))
    assert amounts == [Decimal("5025.14"), Decimal("3316.58"), Decimal("1658.29")]
    assert sum(amounts) == grant.amount_awarded
    assert grant.monitoring_reports.count() == 3
    assert decisions.budget_remaining(round_) == Decimal("9999.99")
    # The letter is kept as sent, and emailed.
    assert "awarded you £10,000.01" in decision.letter
    assert "Year 1: £5,025.14" in decision.letter
    assert "Hindley Men's Shed" in decision.letter
    assert "Strong, well-evidenced bid." in decision.letter
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("has been successful")
    assert decision.letter in mail.outbox[0].body
    assert f"/fund/decisions/{decision.public_id}/letter/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="fund.decision.award").count() == 1


@pytest.mark.parametrize(
    ("outcome", "status", "phrase"),
    [
        ("decline", ApplicationStatus.DECLINED, "not been able to fund"),
        ("more_information", ApplicationStatus.MORE_INFORMATION, "we need more information"),
    ],
)
def test_decline_and_more_information_carry_reasons_into_letters(officer, outcome, status, phrase):
    application = make_application(make_round())

    decision = decisions.decide(officer, application, outcome=outcome, reason="Budget unclear.")

    application.refresh_from_db()
    assert application.status == status
    assert decision.amount is None
    assert phrase in decision.letter
    assert "Budget unclear." in decision.letter
    assert not Grant.objects.exists()


def test_more_information_can_be_followed_by_an_award(officer):
    application = make_application(make_round())
    decisions.decide(officer, application, outcome="more_information", reason="Send accounts.")
    award(officer, application, "500.00")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED
    assert Decision.objects.filter(application=application).count() == 2


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        ("0", "amount"),
        ("-5", "amount"),
        ("10.001", "amount"),
        ("10000.02", "amount"),  # more than requested
        (None, "amount"),
    ],
)
def test_bad_award_amounts_are_refused_and_nothing_changes(officer, amount, field):
    application = make_application(make_round(), amount="10000.01")
    with pytest.raises(ValidationError) as refused:
        decisions.decide(
            officer,
            application,
            outcome="award",
            reason="Good.",
            amount=None if amount is None else Decimal(amount),
        )
    assert field in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert not Decision.objects.exists()
    assert not Grant.objects.exists()


def test_an_award_over_the_tier_maximum_is_refused(officer):
    application = make_application(make_round(), tier="Small", amount="2500.00", years=1)
    with pytest.raises(ValidationError, match="Small tier"):
        award(officer, application, "2000.01")
    assert not Grant.objects.exists()


def test_an_award_over_the_budget_left_is_refused(officer):
    round_ = make_round(budget="15000.00")
    first = make_application(round_)
    second = make_application(round_)
    award(officer, first, "10000.00")

    with pytest.raises(ValidationError) as refused:
        award(officer, second, "5000.01")

    assert refused.value.error_dict["amount"][0].code == "over_budget"
    assert "£5,000.00 of its budget left" in refused.value.message_dict["amount"][0]
    second.refresh_from_db()
    assert second.status == ApplicationStatus.ELIGIBLE
    # Exactly what is left is fine.
    award(officer, second, "5000.00")
    assert decisions.budget_remaining(round_) == Decimal("0.00")


def test_a_decision_needs_a_reason_an_outcome_and_the_permission(officer, make_user):
    application = make_application(make_round())
    with pytest.raises(ValidationError):
        decisions.decide(officer, application, outcome="decline", reason=" ")
    with pytest.raises(ValidationError):
        decisions.decide(officer, application, outcome="maybe", reason="Hmm.")
    with pytest.raises(PermissionDenied):
        decisions.decide(make_user(Role.PANEL_MEMBER), application, outcome="decline", reason="No.")
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.DECLINED,
        ApplicationStatus.WITHDRAWN,
    ],
)
def test_decisions_are_made_only_on_eligible_applications(officer, status):
    application = make_application(make_round(), status=status)
    with pytest.raises(ValidationError):
        award(officer, application, "100.00")
    assert not Decision.objects.exists()


def test_an_application_is_awarded_once(officer):
    application = make_application(make_round())
    award(officer, application, "100.00")
    with pytest.raises(ValidationError):
        award(officer, application, "100.00")
    assert Grant.objects.count() == 1
    assert Payment.objects.count() == 3


def test_who_may_read_a_letter(officer, applicant, make_user):
    application = make_application(make_round(), organisation=make_organisation(member=applicant))
    decision = decisions.decide(officer, application, outcome=DecisionOutcome.DECLINE, reason="No.")
    assert decisions.can_read_letter(officer, decision)[0]
    assert decisions.can_read_letter(applicant, decision)[0]
    assert not decisions.can_read_letter(make_user(Role.COMMUNITY_MEMBER), decision)[0]
    assert not decisions.can_read_letter(make_user(Role.PANEL_MEMBER), decision)[0]
