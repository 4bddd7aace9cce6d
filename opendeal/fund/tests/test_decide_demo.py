"""The demo's assessment and awards: built through the real actions, and idempotent."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from opendeal.core.demo import load_demo_accounts
from opendeal.directory.demo import load_demo_directory
from opendeal.directory.models import Service
from opendeal.fund import scoring
from opendeal.fund.demo import CLOSED_ROUND_SLUG, load_demo_fund
from opendeal.fund.demo_awards import load_demo_awards
from opendeal.fund.models import (
    ConflictOfInterest,
    Grant,
    GrantStatus,
    MonitoringReport,
    Payment,
    Round,
    Score,
    Variation,
)

pytestmark = pytest.mark.django_db


def test_the_demo_scores_awards_pays_reports_and_publishes_once():
    load_demo_accounts()
    load_demo_directory()
    load_demo_fund()

    report = load_demo_awards()

    assert "5 scoresheets and 2 grants added this run" in report
    assert "£224,150.00 of the budget left" in report
    round_ = Round.objects.get(slug=CLOSED_ROUND_SLUG)
    assert Score.objects.count() == 25
    assert ConflictOfInterest.objects.count() == 1
    ranking = scoring.ranking(round_)
    assert [row.application.project_title for row in ranking] == [
        "Cook and eat together",
        "Walk and talk",
    ]
    assert ranking[1].spread.has_high_disagreement
    cook = Grant.objects.get(application__project_title="Cook and eat together")
    assert cook.amount_awarded == Decimal("24000.00")
    assert list(cook.payments.values_list("amount", flat=True)) == [
        Decimal("12060.32"),
        Decimal("7959.79"),
        Decimal("3979.89"),
    ]
    assert cook.agreement_is_accepted
    assert cook.payments.filter(paid_on__isnull=False).exists()
    # Everything due by today was paid and reported; nothing later.
    today = timezone.localdate()
    assert set(Payment.objects.filter(paid_on__isnull=False)) == set(
        Payment.objects.filter(due_on__lte=today)
    )
    assert set(MonitoringReport.objects.filter(submitted_at__isnull=False)) == set(
        MonitoringReport.objects.filter(due_on__lte=today)
    )
    assert Variation.objects.get().status == "approved"
    assert Service.objects.filter(id=cook.directory_service_id).exists()
    walk = Grant.objects.get(application__project_title="Walk and talk")
    walk_reported = walk.monitoring_reports.get().due_on <= today
    assert walk.status == (GrantStatus.COMPLETED if walk_reported else GrantStatus.ACTIVE)
    assert mail.outbox == []

    again = load_demo_awards()
    assert "0 scoresheets and 0 grants added this run" in again
    assert Score.objects.count() == 25
    assert Grant.objects.count() == 2
    assert Variation.objects.count() == 1
