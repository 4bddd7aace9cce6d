"""Awards never exceed the round's budget when officers decide at the same moment: real
threads, each with its own database connection, on SQLite (one writer at a time, IMMEDIATE
transactions) and on PostgreSQL (the round's row is locked)."""

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from opendeal.core.roles import Role
from opendeal.fund import awards, decisions
from opendeal.fund.models import ApplicationStatus, Grant, MonitoringReport, Variation

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_a_shared_database():
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need the SQLite test database in a file (see settings/test.py)")


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all released together; each call's result or the
    exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as error:  # reported by the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def awarding(officer, application, amount: str):
    return lambda: decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal(amount)
    )


def over_budget(outcome) -> bool:
    return (
        isinstance(outcome, ValidationError)
        and outcome.error_dict["amount"][0].code == "over_budget"
    )


def test_two_officers_awarding_at_once_cannot_overspend(make_user):
    round_ = make_round(budget="15000.00")
    first, second = make_application(round_), make_application(round_)
    officers = [make_user(Role.FUND_OFFICER) for _ in range(2)]

    outcomes = at_once(
        [awarding(officers[0], first, "10000.00"), awarding(officers[1], second, "10000.00")]
    )

    assert sum(1 for o in outcomes if over_budget(o)) == 1
    assert [o for o in outcomes if isinstance(o, BaseException) and not over_budget(o)] == []
    assert Grant.objects.count() == 1
    assert decisions.committed(round_) == Decimal("10000.00")
    statuses = sorted(round_.applications.values_list("status", flat=True))
    assert statuses == sorted([ApplicationStatus.AWARDED, ApplicationStatus.ELIGIBLE])


def test_many_awards_at_once_fill_the_budget_exactly_and_no_further(make_user):
    round_ = make_round(budget="10000.00")
    applications = [make_application(round_, amount="2500.00") for _ in range(8)]
    officer = make_user(Role.FUND_OFFICER)

    outcomes = at_once([awarding(officer, application, "2500.00") for application in applications])

    assert sum(1 for o in outcomes if over_budget(o)) == 4
    assert Grant.objects.count() == 4
    assert decisions.committed(round_) == round_.budget
    assert decisions.budget_remaining(round_) == Decimal("0.00")


def test_the_same_application_awarded_twice_at_once_makes_one_grant(make_user):
    round_ = make_round(budget="50000.00")
    application = make_application(round_)
    officers = [make_user(Role.FUND_OFFICER) for _ in range(3)]

    outcomes = at_once([awarding(officer, application, "1000.00") for officer in officers])

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 2
    assert {error.code for error in refused} == {"not_decidable"}
    assert Grant.objects.count() == 1


def test_a_variation_and_an_award_at_once_cannot_overspend(make_user):
    round_ = make_round(budget="12000.00")
    funded, waiting = make_application(round_), make_application(round_)
    officer = make_user(Role.FUND_OFFICER)
    decisions.decide(officer, funded, outcome="award", reason="Good.", amount=Decimal("10000.00"))
    grant = Grant.objects.get(application=funded)
    variation = awards.request_variation(
        officer, grant, description="More sessions", amount_change=Decimal("2000.00")
    )

    outcomes = at_once(
        [
            lambda: awards.decide_variation(officer, variation, approve=True, reason="Fine."),
            awarding(officer, waiting, "2000.00"),
        ]
    )

    assert sum(1 for o in outcomes if isinstance(o, ValidationError)) == 1
    assert decisions.committed(round_) == Decimal("12000.00")
    grant.refresh_from_db()
    variation.refresh_from_db()
    assert sum(grant.payments.values_list("amount", flat=True)) == grant.amount_awarded
    assert (variation.status == "approved") == (grant.amount_awarded == Decimal("12000.00"))
    assert Variation.objects.count() == 1


def test_housekeeping_runs_at_once_send_each_reminder_once(make_user):
    round_ = make_round(budget="50000.00")
    officer = make_user(Role.FUND_OFFICER)
    member = make_user(Role.COMMUNITY_MEMBER)
    for _ in range(3):
        application = make_application(round_, organisation=make_organisation(member=member))
        decisions.decide(
            officer, application, outcome="award", reason="Good.", amount=Decimal("900")
        )
    MonitoringReport.objects.update(due_on=timezone.localdate() + datetime.timedelta(days=2))
    mail.outbox.clear()

    outcomes = at_once([awards.send_monitoring_reminders for _ in range(4)])

    assert sum(outcomes) == 9
    assert len(mail.outbox) == 9
    assert not MonitoringReport.objects.filter(reminded_at__isnull=True).exists()
