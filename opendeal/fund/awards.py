"""After the award: making the grant and its schedule, the organisation accepting the grant
agreement, payments, monitoring reports and their reminders, variations, and publishing the
funded project as a service in the community directory.

The payment schedule follows the tier's taper. A taper lists whole-number percentages, one per
year: each year's level of funding relative to the first, so [100, 66, 33] pays in years two
and three 66% and 33% of what it pays in year one. Each year's share of the award is therefore
its percentage over the sum of the percentages used (100/199, 66/199, 33/199 for a three-year
award); a taper that adds up to 100 reads as plain shares. An award over fewer years than the
tier allows uses the taper's first years. Every year's amount is rounded down to the penny and
the pennies this leaves go to the **first** payment (`Tier.split`), so the payments always add
up to the award exactly: £10,000.01 over [100, 66, 33] is £5,025.14, £3,316.58 and £1,658.29.

Year n's payment is due on the anniversary n-1 years after the planned start; a monitoring
report on year n is due `REPORT_DAYS_AFTER_YEAR` days after year n ends. Reminders go
`REMINDER_DAYS` before a report is due and once more when it is overdue, each exactly once
(claimed by a conditional update, so overlapping housekeeping runs cannot send two).
"""

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.mail import absolute_url, send_email_after_commit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import published_files
from .access import is_member
from .models import (
    Decision,
    Grant,
    GrantStatus,
    MonitoringReport,
    OrganisationMember,
    Payment,
    Round,
    Variation,
    VariationStatus,
    split_by_taper,
)

REPORT_DAYS_AFTER_YEAR = 30
REMINDER_DAYS = 14


# Dates


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_start(awarded_on: datetime.date) -> datetime.date:
    """The first day of the month after the award."""
    return (awarded_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# Making the grant


def schedule_amounts(decision: Decision) -> list[Decimal]:
    """The award split over its years by the tier's taper (see the module's docstring)."""
    application = decision.application
    tier = application.tier
    years = max(1, application.years)
    if tier is not None:
        return tier.split(decision.amount, min(years, tier.maximum_years))
    return split_by_taper(decision.amount, [100] * years)


def create_grant(decision: Decision, planned_start: datetime.date | None = None) -> Grant:
    """The grant for an award decision, with one payment and one monitoring report per year.
    Called by `decisions.decide` inside its transaction."""
    application = decision.application
    awarded_on = timezone.localtime(decision.decided_at).date()
    start = planned_start or default_start(awarded_on)
    amounts = schedule_amounts(decision)
    public_id = uuid.uuid4()
    grant = Grant.objects.create(
        public_id=public_id,
        application=application,
        decision=decision,
        identifier=f"{settings.OPENDEAL_360G_PREFIX}-{public_id}",
        amount_awarded=decision.amount,
        awarded_on=awarded_on,
        planned_start=start,
        planned_end=add_years(start, len(amounts)) - datetime.timedelta(days=1),
    )
    Payment.objects.bulk_create(
        Payment(grant=grant, year=year, due_on=add_years(start, year - 1), amount=amount)
        for year, amount in enumerate(amounts, start=1)
    )
    MonitoringReport.objects.bulk_create(
        MonitoringReport(
            grant=grant,
            due_on=add_years(start, year) + datetime.timedelta(days=REPORT_DAYS_AFTER_YEAR - 1),
        )
        for year in range(1, len(amounts) + 1)
    )
    audit.record(decision.decided_by, "fund.grant.created", grant, amount=str(decision.amount))
    return grant


# Who may do what


def is_grant_member(user: User, grant: Grant) -> bool:
    return is_member(user, grant.application.organisation_id)


def can_manage(user: User) -> tuple[bool, str]:
    return check_permission(
        user, "fund.manage_grants", to="manage grants", role_lacks="managing grants"
    )


def can_view_grant(user: User, grant: Grant) -> tuple[bool, str]:
    """Fund officers, and the members of the funded organisation."""
    if not user.is_authenticated:
        return False, "Sign in to see this grant."
    if user.has_perm("fund.manage_grants") or user.has_perm("fund.record_payments"):
        return True, ""
    if is_grant_member(user, grant):
        return True, ""
    return False, "Only the funded organisation and fund officers can see this grant."


def _require_member_or_manager(user: User, grant: Grant, to: str) -> None:
    if user.is_authenticated and (
        user.has_perm("fund.manage_grants") or is_grant_member(user, grant)
    ):
        return
    raise PermissionDenied(f"Only the funded organisation or a fund officer can {to}.")


# The grant agreement


def accept_agreement(user: User, grant: Grant) -> Grant:
    """The funded organisation accepts the grant agreement (its terms, amount and schedule).
    Only a member of the organisation may; accepting again changes nothing."""
    if not is_grant_member(user, grant):
        raise PermissionDenied("Only someone who acts for the funded organisation can accept.")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.agreement_accepted_at is None:
            grant.agreement_accepted_at = timezone.now()
            grant.agreement_accepted_by = user
            grant.save(update_fields=["agreement_accepted_at", "agreement_accepted_by"])
            audit.record(user, "fund.grant.agreement_accepted", grant)
    return grant


# Payments


def can_record_payments(user: User) -> tuple[bool, str]:
    return check_permission(
        user, "fund.record_payments", to="record payments", role_lacks="recording payments"
    )


def record_payment(
    officer: User, payment: Payment, *, paid_on: datetime.date, reference: str
) -> Payment:
    """Record that an instalment was paid. Refused before the agreement is accepted, for a
    payment already recorded, for a date in the future, or without the finance reference."""
    require(can_record_payments(officer))
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = "Enter the payment reference"
    if paid_on > timezone.localdate():
        errors["paid_on"] = "The date paid must be today or in the past"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("grant").get(pk=payment.pk)
        if not payment.grant.agreement_is_accepted:
            raise ValidationError("Payments can be made once the grant agreement is accepted.")
        if payment.is_paid:
            raise ValidationError(f"Year {payment.year}'s payment is already recorded as paid.")
        payment.paid_on = paid_on
        payment.reference = reference
        payment.recorded_by = officer
        payment.save(update_fields=["paid_on", "reference", "recorded_by"])
        audit.record(officer, "fund.payment.recorded", payment.grant, year=payment.year)
        _complete_if_done(payment.grant)
    return payment


def _complete_if_done(grant: Grant) -> None:
    """A grant whose payments are all paid and reports all in is completed."""
    if (
        grant.status == GrantStatus.ACTIVE
        and not grant.payments.filter(paid_on__isnull=True).exists()
        and not grant.monitoring_reports.filter(submitted_at__isnull=True).exists()
    ):
        grant.status = GrantStatus.COMPLETED
        grant.save(update_fields=["status"])
        audit.record(None, "fund.grant.completed", grant)


# Monitoring reports and outcomes evidence


def submit_report(
    user: User,
    report: MonitoringReport,
    *,
    people_reached: int,
    volunteers: int,
    activities: int,
    narrative: str,
) -> MonitoringReport:
    """The organisation (or an officer on its behalf) reports what the project did. A report
    may be corrected after it is submitted; the first submission time stays."""
    _require_member_or_manager(user, report.grant, "submit a monitoring report")
    narrative = (narrative or "").strip()
    errors = {}
    for field, value in (
        ("people_reached", people_reached),
        ("volunteers", volunteers),
        ("activities", activities),
    ):
        if not isinstance(value, int) or value < 0:
            errors[field] = "Enter a whole number, 0 or more"
    if not narrative:
        errors["narrative"] = "Say what the project did in this period"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = MonitoringReport.objects.select_for_update().get(pk=report.pk)
        first = report.submitted_at is None
        report.people_reached = people_reached
        report.volunteers = volunteers
        report.activities = activities
        report.narrative = narrative
        if first:
            report.submitted_at = timezone.now()
            report.submitted_by = user
        report.save()
        audit.record(
            user,
            "fund.report.submitted" if first else "fund.report.corrected",
            report.grant,
            report=str(report.public_id),
        )
        _complete_if_done(report.grant)
    return report


def _reports_due() -> QuerySet[MonitoringReport]:
    # In id order, so overlapping runs claim rows in the same order and never deadlock.
    return (
        MonitoringReport.objects.filter(submitted_at__isnull=True, grant__status=GrantStatus.ACTIVE)
        .select_related("grant__application__organisation", "grant__application__round__fund")
        .order_by("pk")
    )


def send_monitoring_reminders(now: datetime.datetime | None = None) -> int:
    """Email the funded organisation about each report due within `REMINDER_DAYS`, and again
    about each overdue one; each reminder once. Returns how many reminders were sent."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    soon = today + datetime.timedelta(days=REMINDER_DAYS)
    sent = 0
    with transaction.atomic():
        upcoming = _reports_due().filter(
            reminded_at__isnull=True, due_on__gte=today, due_on__lte=soon
        )
        for report in upcoming:
            if _claim(report, "reminded_at", now):
                _email_report_reminder(report, overdue=False)
                sent += 1
        overdue = _reports_due().filter(overdue_reminded_at__isnull=True, due_on__lt=today)
        for report in overdue:
            if _claim(report, "overdue_reminded_at", now):
                _email_report_reminder(report, overdue=True)
                sent += 1
        if sent:
            audit.record(None, "fund.housekeeping.report_reminders", reminders=sent)
    return sent


def _claim(report: MonitoringReport, field: str, now: datetime.datetime) -> bool:
    return bool(
        MonitoringReport.objects.filter(
            Q(**{f"{field}__isnull": True}), pk=report.pk, submitted_at__isnull=True
        ).update(**{field: now})
    )


def _email_report_reminder(report: MonitoringReport, overdue: bool) -> None:
    grant = report.grant
    application = grant.application
    subject = (
        f"Your monitoring report for {application} is overdue"
        if overdue
        else f"Your monitoring report for {application} is due on {report.due_on:%-d %B %Y}"
    )
    context = {
        "project_title": str(application),
        "organisation": application.organisation.name,
        "fund": application.round.fund.name,
        "due_on": f"{report.due_on:%-d %B %Y}",
        "overdue": overdue,
        "grant_url": absolute_url(reverse("fund:grant", args=[grant.public_id])),
    }
    for member in OrganisationMember.objects.filter(
        organisation_id=application.organisation_id, user__is_active=True
    ).select_related("user"):
        send_email_after_commit(
            member.user.email, subject, "fund/grants/email/report_reminder", context
        )


# Variations


def request_variation(
    user: User, grant: Grant, *, description: str, amount_change: Decimal
) -> Variation:
    """Ask to change a grant: what and why, and by how much money (may be 0 or negative)."""
    _require_member_or_manager(user, grant, "ask for a variation")
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = "Describe the change and why it is needed"
    amount_change = Decimal(amount_change or 0)
    if amount_change != amount_change.quantize(Decimal("0.01")):
        errors["amount_change"] = "Enter the change in pounds and pence, like -250.50"
    if errors:
        raise ValidationError(errors)
    variation = Variation.objects.create(
        grant=grant, description=description, amount_change=amount_change, requested_by=user
    )
    audit.record(user, "fund.variation.requested", grant, variation=str(variation.public_id))
    return variation


def decide_variation(
    officer: User, variation: Variation, *, approve: bool, reason: str
) -> Variation:
    """Approve or refuse a variation. Approving a change of money changes the grant's amount
    and its unpaid payments: more goes on the last unpaid payment; less comes off the unpaid
    payments from the last backwards, and cannot be more than is still unpaid. More money
    must fit in the round's budget, checked under the round's lock as awards are."""
    require(can_manage(officer))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the decision"})
    with transaction.atomic():
        variation = Variation.objects.select_related("grant__application").get(pk=variation.pk)
        round_ = Round.objects.select_for_update().get(pk=variation.grant.application.round_id)
        variation = Variation.objects.select_for_update().get(pk=variation.pk)
        if variation.status != VariationStatus.REQUESTED:
            raise ValidationError("This variation has already been decided.")
        grant = Grant.objects.select_for_update().get(pk=variation.grant_id)
        if approve and variation.amount_change:
            _apply_amount_change(round_, grant, variation.amount_change)
        if approve:
            published_files.request_rebuild()
        variation.status = VariationStatus.APPROVED if approve else VariationStatus.REFUSED
        variation.decided_by = officer
        variation.decided_at = timezone.now()
        variation.decision_reason = reason
        variation.save()
        audit.record(
            officer,
            f"fund.variation.{variation.status}",
            grant,
            variation=str(variation.public_id),
            amount_change=str(variation.amount_change),
        )
    return variation


def _apply_amount_change(round_: Round, grant: Grant, change: Decimal) -> None:
    from .decisions import budget_remaining

    unpaid = list(grant.payments.filter(paid_on__isnull=True).order_by("-year"))
    if not unpaid:
        raise ValidationError("Every payment has been made, so the amount can no longer change.")
    if change > 0:
        tier = grant.application.tier
        new_total = grant.amount_awarded + change
        if tier is not None and new_total > tier.maximum_amount:
            raise ValidationError(
                f"The {tier.name} tier's most is £{tier.maximum_amount:,.2f}, so the grant "
                f"cannot grow by £{change:,.2f} to £{new_total:,.2f}.",
                code="over_tier_maximum",
            )
        remaining = budget_remaining(round_)
        if change > remaining:
            raise ValidationError(
                f"The round has £{remaining:,.2f} of its budget left, so the grant cannot "
                f"grow by £{change:,.2f}.",
                code="over_budget",
            )
        unpaid[0].amount += change
        unpaid[0].save(update_fields=["amount"])
    else:
        to_take = -change
        if to_take > sum(payment.amount for payment in unpaid):
            raise ValidationError("The reduction is more than the grant's unpaid payments.")
        for payment in unpaid:
            taken = min(payment.amount, to_take)
            payment.amount -= taken
            payment.save(update_fields=["amount"])
            to_take -= taken
            if not to_take:
                break
    grant.amount_awarded += change
    grant.save(update_fields=["amount_awarded"])


# Reads for the grant page


def payments_total(payments: Iterable[Payment]) -> tuple[Decimal, Decimal]:
    """(scheduled, paid) totals."""
    payments = list(payments)
    scheduled = sum((payment.amount for payment in payments), Decimal("0.00"))
    paid = sum((payment.amount for payment in payments if payment.is_paid), Decimal("0.00"))
    return scheduled, paid
