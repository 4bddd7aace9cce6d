"""Officers' decisions: checking eligibility, and awarding, declining or asking for more
information, each with a reason and a letter to the applicant.

Rules:
- Eligibility is checked on submitted applications (and may be checked again until a decision
  is made). An ineligible finding needs a reason, which the applicant is sent.
- Decisions are made on eligible applications, or on those asked for more information.
  Awarding, declining and asking for more information all need a reason.
- An award is pence-exact, more than nothing, no more than was requested nor than the tier's
  maximum, and never more than the round's budget has left. The budget left is the round's
  budget less every grant awarded from it (as varied). To make "check what is left, then award"
  one step when officers decide at the same moment, every award first locks the round's row
  (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
  database's one write lock) and the application's row, so a second award waits for the first
  and then sees what it spent.
- The letter is rendered from `fund/assess/letters/<outcome>.txt` when the decision is made and
  kept on the decision, so it reads the same later however templates change; it is emailed to
  the organisation's members after the commit, and viewable and printable on the site.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.mail import absolute_url, send_email_after_commit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import awards, published_files
from .access import is_member
from .models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    EligibilityCheck,
    EligibilityOutcome,
    Grant,
    Round,
)

PENNY = Decimal("0.01")
CHECKABLE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.INELIGIBLE,
)
DECIDABLE_STATUSES = (ApplicationStatus.ELIGIBLE, ApplicationStatus.MORE_INFORMATION)
STATUS_AFTER = {
    DecisionOutcome.AWARD: ApplicationStatus.AWARDED,
    DecisionOutcome.DECLINE: ApplicationStatus.DECLINED,
    DecisionOutcome.MORE_INFORMATION: ApplicationStatus.MORE_INFORMATION,
}
SUBJECTS = {
    DecisionOutcome.AWARD: "Your application to {fund} has been successful",
    DecisionOutcome.DECLINE: "Your application to {fund}: our decision",
    DecisionOutcome.MORE_INFORMATION: "Your application to {fund}: we need more information",
}


def can_decide(user: User) -> tuple[bool, str]:
    return check_permission(
        user, "fund.decide_applications", to="decide on applications", role_lacks="deciding"
    )


def can_check_eligibility(user: User) -> tuple[bool, str]:
    return check_permission(
        user,
        "fund.check_eligibility",
        to="check eligibility",
        role_lacks="checking applications' eligibility",
    )


# Eligibility


def check_eligibility(
    officer: User, application: Application, *, eligible: bool, reason: str = ""
) -> EligibilityCheck:
    """Record an officer's finding; the application becomes eligible (so the panel scores it)
    or ineligible (and the applicant is emailed the reason)."""
    require(can_check_eligibility(officer))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationError({"reason": "Say why the application is not eligible"})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in CHECKABLE_STATUSES:
            raise ValidationError(
                "Eligibility can only be checked on a submitted application before a decision."
            )
        outcome = EligibilityOutcome.ELIGIBLE if eligible else EligibilityOutcome.INELIGIBLE
        check = EligibilityCheck.objects.create(
            application=application, outcome=outcome, reason=reason, checked_by=officer
        )
        application.status = ApplicationStatus(outcome.value)
        application.save(update_fields=["status"])
        audit.record(officer, "fund.eligibility.checked", application, outcome=outcome.value)
        if not eligible:
            _email_applicants(
                application,
                f"Your application to {application.round.fund.name}: eligibility",
                "fund/assess/email/ineligible",
                {
                    "project_title": str(application),
                    "round": application.round.title,
                    "reason": reason,
                },
            )
    return check


def latest_eligibility_check(application: Application) -> EligibilityCheck | None:
    return application.eligibility_checks.select_related("checked_by").first()


# Budget


def committed(round_: Round) -> Decimal:
    """What the round has awarded so far, as varied."""
    total = Grant.objects.filter(application__round=round_).aggregate(total=Sum("amount_awarded"))
    return total["total"] or Decimal("0.00")


def budget_remaining(round_: Round) -> Decimal:
    return round_.budget - committed(round_)


# Decisions


def decide(
    officer: User,
    application: Application,
    *,
    outcome: str,
    reason: str,
    amount: Decimal | None = None,
    planned_start: datetime.date | None = None,
    decided_at: datetime.datetime | None = None,
    notify: bool = True,
) -> Decision:
    """Award, decline or ask for more information, with a reason. An award makes the grant,
    its payment schedule and its monitoring reports (`awards.create_grant`). Raises
    PermissionDenied or ValidationError (code "over_budget" when the round's budget has not
    enough left) and then changes nothing. `decided_at` (default now) and `notify=False`
    (no email) are for loading past decisions, as the demo does."""
    require(can_decide(officer))
    outcome = _clean_outcome(outcome)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the decision"})
    amount = _clean_amount(application, amount) if outcome == DecisionOutcome.AWARD else None
    with transaction.atomic():
        # The round first, always: it is what concurrent awards contend for.
        round_ = (
            Round.objects.select_for_update().select_related("fund").get(pk=application.round_id)
        )
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in DECIDABLE_STATUSES:
            raise ValidationError(
                f"A decision can only be made on an eligible application; this one is "
                f"{application.get_status_display().lower()}.",
                code="not_decidable",
            )
        if amount is not None:
            remaining = budget_remaining(round_)
            if amount > remaining:
                raise ValidationError(
                    {
                        "amount": ValidationError(
                            f"The round has £{remaining:,.2f} of its budget left, so it "
                            f"cannot award £{amount:,.2f}.",
                            code="over_budget",
                        )
                    }
                )
        decision = Decision.objects.create(
            application=application,
            outcome=outcome,
            reason=reason,
            amount=amount,
            decided_by=officer,
            decided_at=decided_at or timezone.now(),
        )
        application.status = STATUS_AFTER[outcome]
        application.save(update_fields=["status"])
        grant = None
        if amount is not None:
            grant = awards.create_grant(decision, planned_start=planned_start)
            published_files.request_rebuild()
        decision.letter = render_letter(decision, grant)
        decision.save(update_fields=["letter"])
        audit.record(
            officer,
            f"fund.decision.{outcome.value}",
            application,
            decision=str(decision.public_id),
            amount=str(amount) if amount is not None else None,
        )
        if notify:
            _email_applicants(
                application,
                SUBJECTS[outcome].format(fund=round_.fund.name),
                "fund/assess/email/decision",
                {"letter": decision.letter, "letter_url": absolute_url(letter_path(decision))},
            )
    return decision


def _clean_outcome(outcome: str) -> DecisionOutcome:
    try:
        return DecisionOutcome(outcome)
    except ValueError:
        raise ValidationError(
            {"outcome": "Choose award, decline or ask for more information"}
        ) from None


def _clean_amount(application: Application, amount: Decimal | None) -> Decimal:
    if amount is None:
        raise ValidationError({"amount": "Enter the amount to award"})
    amount = Decimal(amount)
    if amount != amount.quantize(PENNY) or amount <= 0:
        raise ValidationError({"amount": "Enter an amount in pounds and pence, like 1500.50"})
    requested = application.amount_requested
    if requested is not None and amount > requested:
        raise ValidationError(
            {"amount": f"The award cannot be more than the £{requested:,.2f} requested"}
        )
    tier = application.tier
    if tier is not None and amount > tier.maximum_amount:
        raise ValidationError(
            {
                "amount": f"The award cannot be more than the {tier.name} tier's £{tier.maximum_amount:,.2f}"
            }
        )
    return amount


# Letters


def render_letter(decision: Decision, grant: Grant | None) -> str:
    application = decision.application
    context = {
        "decision": decision,
        "application": application,
        "organisation": application.organisation,
        "round": application.round,
        "fund": application.round.fund,
        "grant": grant,
        "payments": list(grant.payments.all()) if grant is not None else [],
        "decided_on": timezone.localtime(decision.decided_at).date(),
        "officer_name": decision.decided_by.full_name if decision.decided_by else "",
        "council": settings.OPENDEAL_COUNCIL,
        "application_url": absolute_url(reverse("fund:application", args=[application.public_id])),
    }
    return render_to_string(f"fund/assess/letters/{decision.outcome}.txt", context).strip() + "\n"


def letter_path(decision: Decision) -> str:
    return reverse("fund:decision-letter", args=[decision.public_id])


def can_read_letter(user: User, decision: Decision) -> tuple[bool, str]:
    """Officers who decide or check eligibility, and the applicant organisation's members."""
    if not user.is_authenticated:
        return False, "Sign in to read the letter."
    if user.has_perm("fund.decide_applications") or user.has_perm("fund.manage_grants"):
        return True, ""
    if is_member(user, decision.application.organisation_id):
        return True, ""
    return False, "Only the applicant and fund officers can read this letter."


# Email


def applicant_addresses(application: Application) -> list[str]:
    """Everyone who acts for the applicant organisation, and whoever made the application."""
    addresses = {
        member.user.email
        for member in application.organisation.members.select_related("user")
        if member.user.email and member.user.is_active
    }
    if application.created_by_id and application.created_by.email:
        addresses.add(application.created_by.email)
    return sorted(addresses)


def _email_applicants(application: Application, subject: str, template: str, context: dict) -> None:
    for address in applicant_addresses(application):
        send_email_after_commit(address, subject, template, context)
