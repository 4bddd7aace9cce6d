"""After the award: the taper schedule, the agreement, payments, monitoring reports and their
reminders, variations."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund import award_tasks, awarded, awards, decisions
from opendeal.fund.models import (
    GrantStatus,
    MonitoringReport,
    Payment,
    VariationStatus,
    split_by_taper,
)

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


@pytest.fixture
def member(make_user):
    return make_user(Role.COMMUNITY_MEMBER, email="treasurer@group.example.org")


def make_grant(
    officer, member, *, amount="9950.00", years=3, tier="Big idea", start=None, budget="50000.00"
):
    round_ = make_round(budget=budget)
    application = make_application(
        round_,
        organisation=make_organisation(member=member),
        amount=amount,
        years=years,
        tier=tier,
    )
    decision = decisions.decide(
        officer,
        application,
        outcome="award",
        reason="Good.",
        amount=Decimal(amount),
        planned_start=start,
    )
    return decision.grant


# The taper


@pytest.mark.parametrize(
    ("amount", "taper", "expected"),
    [
        ("9950.00", [100, 66, 33], ["5000.00", "3300.00", "1650.00"]),
        # 1,000,001p x 100/199 = 502,513.07… and so on: the lost penny goes to year one.
        ("10000.01", [100, 66, 33], ["5025.14", "3316.58", "1658.29"]),
        ("0.01", [100, 66, 33], ["0.01", "0.00", "0.00"]),
        ("1000.00", [100, 100, 100], ["333.34", "333.33", "333.33"]),
        ("2000.00", [100], ["2000.00"]),
        ("12345.67", [50, 30, 20], ["6172.84", "3703.70", "2469.13"]),
    ],
)
def test_the_schedule_follows_the_taper_and_adds_up_exactly(amount, taper, expected):
    parts = split_by_taper(Decimal(amount), taper)
    assert parts == [Decimal(value) for value in expected]
    assert sum(parts) == Decimal(amount)


@pytest.mark.parametrize("pence", [1, 99, 100, 199, 1000001, 3333333, 4999999, 123456789])
def test_every_amount_splits_to_the_penny(pence):
    amount = Decimal(pence) / 100
    for taper in ([100, 66, 33], [100, 66], [100, 50, 25, 10], [7, 3]):
        parts = split_by_taper(amount, taper)
        assert sum(parts) == amount
        assert all(part == part.quantize(Decimal("0.01")) and part >= 0 for part in parts)


def test_a_grant_over_fewer_years_uses_the_first_years_of_the_taper(officer, member):
    grant = make_grant(officer, member, amount="1660.00", years=2)
    # [100, 66] of £1,660: £1,000 and £660.
    assert list(grant.payments.values_list("amount", flat=True)) == [
        Decimal("1000.00"),
        Decimal("660.00"),
    ]


def test_payment_and_report_dates_follow_the_planned_start(officer, member):
    grant = make_grant(officer, member, start=datetime.date(2027, 4, 1))
    assert grant.planned_end == datetime.date(2030, 3, 31)
    assert list(grant.payments.values_list("year", "due_on")) == [
        (1, datetime.date(2027, 4, 1)),
        (2, datetime.date(2028, 4, 1)),
        (3, datetime.date(2029, 4, 1)),
    ]
    assert list(grant.monitoring_reports.values_list("due_on", flat=True)) == [
        datetime.date(2028, 4, 30),
        datetime.date(2029, 4, 30),
        datetime.date(2030, 4, 30),
    ]


def test_the_default_start_is_the_first_of_next_month():
    assert awards.default_start(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 1)
    assert awards.default_start(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
    assert awards.add_years(datetime.date(2028, 2, 29), 1) == datetime.date(2029, 2, 28)


# The agreement and payments


def test_only_the_organisation_accepts_the_agreement(officer, member, make_user):
    grant = make_grant(officer, member)
    for outsider in (officer, make_user(Role.COMMUNITY_MEMBER)):
        with pytest.raises(PermissionDenied):
            awards.accept_agreement(outsider, grant)
    grant.refresh_from_db()
    assert grant.agreement_accepted_at is None

    awards.accept_agreement(member, grant)
    first = grant.__class__.objects.get(pk=grant.pk).agreement_accepted_at
    awards.accept_agreement(member, grant)

    grant.refresh_from_db()
    assert grant.agreement_accepted_by == member
    assert grant.agreement_accepted_at == first
    assert AuditEvent.objects.filter(action="fund.grant.agreement_accepted").count() == 1


def test_payments_are_recorded_once_after_the_agreement(officer, member, make_user):
    grant = make_grant(officer, member)
    payment = grant.payments.get(year=1)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="agreement"):
        awards.record_payment(officer, payment, paid_on=today, reference="BACS-1")
    awards.accept_agreement(member, grant)
    with pytest.raises(PermissionDenied):
        awards.record_payment(make_user(Role.PANEL_MEMBER), payment, paid_on=today, reference="X")
    with pytest.raises(ValidationError):
        awards.record_payment(
            officer, payment, paid_on=today + datetime.timedelta(days=1), reference="BACS-1"
        )
    with pytest.raises(ValidationError):
        awards.record_payment(officer, payment, paid_on=today, reference=" ")
    assert not Payment.objects.filter(paid_on__isnull=False).exists()

    awards.record_payment(officer, payment, paid_on=today, reference="BACS-1")
    with pytest.raises(ValidationError, match="already"):
        awards.record_payment(officer, payment, paid_on=today, reference="BACS-2")

    payment.refresh_from_db()
    assert (payment.paid_on, payment.reference, payment.recorded_by) == (today, "BACS-1", officer)
    assert awards.payments_total(grant.payments.all()) == (Decimal("9950.00"), Decimal("5000.00"))


def test_a_grant_with_everything_paid_and_reported_is_completed(officer, member):
    grant = make_grant(officer, member, amount="1500.00", years=1, tier="Small")
    awards.accept_agreement(member, grant)
    awards.record_payment(
        officer, grant.payments.get(), paid_on=timezone.localdate(), reference="BACS-9"
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    awards.submit_report(
        member,
        grant.monitoring_reports.get(),
        people_reached=40,
        volunteers=6,
        activities=12,
        narrative="Weekly sessions.",
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.COMPLETED


# Monitoring reports


def test_reports_carry_outcomes_evidence(officer, member, make_user):
    grant = make_grant(officer, member)
    first, second, _ = grant.monitoring_reports.all()
    with pytest.raises(PermissionDenied):
        awards.submit_report(
            make_user(Role.COMMUNITY_MEMBER),
            first,
            people_reached=1,
            volunteers=1,
            activities=1,
            narrative="Not mine.",
        )
    with pytest.raises(ValidationError):
        awards.submit_report(
            member, first, people_reached=-1, volunteers=2, activities=3, narrative=""
        )

    awards.submit_report(
        member, first, people_reached=120, volunteers=8, activities=40, narrative="Year one."
    )
    awards.submit_report(
        officer, second, people_reached=80, volunteers=5, activities=30, narrative="Year two."
    )
    # A correction keeps the first submission's time.
    submitted_at = MonitoringReport.objects.get(pk=first.pk).submitted_at
    awards.submit_report(
        member, first, people_reached=125, volunteers=8, activities=40, narrative="Corrected."
    )

    assert MonitoringReport.objects.get(pk=first.pk).submitted_at == submitted_at
    assert awarded.grant_outcomes(grant) == awarded.Outcomes(
        reports=2, people_reached=205, volunteers=13, activities=70
    )


def test_reminders_go_once_before_the_due_date_and_once_when_overdue(
    officer, member, django_capture_on_commit_callbacks
):
    grant = make_grant(officer, member)
    first = grant.monitoring_reports.order_by("due_on").first()
    due = datetime.datetime.combine(
        first.due_on, datetime.time(9), tzinfo=timezone.get_current_timezone()
    )

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return awards.send_monitoring_reminders(at)

    assert run(due - datetime.timedelta(days=20)) == 0
    assert run(due - datetime.timedelta(days=10)) == 1
    assert run(due - datetime.timedelta(days=9)) == 0
    assert run(due) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["treasurer@group.example.org"]
    assert "is due on" in mail.outbox[0].subject
    assert f"/fund/grants/{grant.public_id}/manage/" in mail.outbox[0].body

    assert run(due + datetime.timedelta(days=1)) == 1
    assert run(due + datetime.timedelta(days=2)) == 0
    assert len(mail.outbox) == 2
    assert "overdue" in mail.outbox[1].subject
    # The audit trail counts reminders and holds no address.
    reminded = AuditEvent.objects.filter(action="fund.housekeeping.report_reminders")
    assert [event.details for event in reminded] == [{"reminders": 1}, {"reminders": 1}]


def test_submitted_reports_are_not_reminded(officer, member):
    grant = make_grant(officer, member)
    first = grant.monitoring_reports.order_by("due_on").first()
    awards.submit_report(
        member, first, people_reached=1, volunteers=1, activities=1, narrative="Done."
    )
    due = datetime.datetime.combine(
        first.due_on, datetime.time(9), tzinfo=timezone.get_current_timezone()
    )
    assert awards.send_monitoring_reminders(due - datetime.timedelta(days=5)) == 0
    assert awards.send_monitoring_reminders(due + datetime.timedelta(days=5)) == 0


def test_the_housekeeping_command_and_task_send_due_reminders(
    officer, member, django_capture_on_commit_callbacks
):
    grant = make_grant(officer, member)
    MonitoringReport.objects.filter(grant=grant).update(
        due_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("fund_housekeeping", stdout=out)
    assert out.getvalue().strip() == "Sent 3 monitoring report reminders."
    assert len(mail.outbox) == 3
    assert award_tasks.send_monitoring_reminders.enqueue().return_value == 0


# Variations


def test_an_approved_variation_changes_the_grant_and_its_unpaid_payments(officer, member):
    grant = make_grant(officer, member, budget="12000.00")
    awards.accept_agreement(member, grant)
    awards.record_payment(
        officer, grant.payments.get(year=1), paid_on=timezone.localdate(), reference="B1"
    )
    more = awards.request_variation(
        member, grant, description="Extra sessions", amount_change=Decimal("500.50")
    )
    less = awards.request_variation(
        member, grant, description="Smaller hall", amount_change=Decimal("-2000.00")
    )

    awards.decide_variation(officer, more, approve=True, reason="Fits the budget.")
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal("10450.50")
    assert list(grant.payments.values_list("amount", flat=True)) == [
        Decimal("5000.00"),
        Decimal("3300.00"),
        Decimal("2150.50"),
    ]

    awards.decide_variation(officer, less, approve=True, reason="Agreed.")
    grant.refresh_from_db()
    # £2,000 comes off the last unpaid payments first: £2,150.50 → £150.50; year one is paid.
    assert list(grant.payments.values_list("amount", flat=True)) == [
        Decimal("5000.00"),
        Decimal("3300.00"),
        Decimal("150.50"),
    ]
    assert grant.amount_awarded == Decimal("8450.50")
    assert sum(grant.payments.values_list("amount", flat=True)) == grant.amount_awarded


def test_variations_that_break_the_rules_are_refused_and_change_nothing(officer, member):
    grant = make_grant(officer, member, budget="10000.00")
    too_much = awards.request_variation(
        member, grant, description="More", amount_change=Decimal("50.01")
    )
    too_little = awards.request_variation(
        member, grant, description="Less", amount_change=Decimal("-9950.01")
    )
    with pytest.raises(ValidationError) as over:
        awards.decide_variation(officer, too_much, approve=True, reason="Hmm.")
    assert over.value.code == "over_budget"
    with pytest.raises(ValidationError):
        awards.decide_variation(officer, too_little, approve=True, reason="Hmm.")
    with pytest.raises(PermissionDenied):
        awards.decide_variation(member, too_much, approve=True, reason="Mine.")

    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal("9950.00")
    assert too_much.__class__.objects.filter(status=VariationStatus.REQUESTED).count() == 2
    # Refusing is always possible, once.
    awards.decide_variation(officer, too_much, approve=False, reason="No budget left.")
    with pytest.raises(ValidationError):
        awards.decide_variation(officer, too_much, approve=True, reason="Again.")
