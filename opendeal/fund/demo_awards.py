"""The demo fund's assessment and awards, built on `demo.load_demo_fund` (run it first).

In the closed Round 1: three fictional panel members scored the two eligible applications (one
declared a conflict of interest in one of them), the demo fund officer awarded both, the
organisations accepted their agreements, the payments due so far were made, the reports due so
far were submitted, one variation was approved, and both projects were published as services in
the community directory a week after the decision. "Cook and eat together" chose the round's
priority made from a recorded gap (food in Hindley, `demo.ensure_demo_gap_priority`); listed at
the kitchen, it closes that gap on the care gap map, and `opendeal.care.demo_loop` connects the
people who asked for it. The "Repair café" application is left waiting for its eligibility
check, so an officer has something to do.

Past events are loaded through the same domain actions the pages use (decisions, agreements,
payments, reports, variations, publishing), dated as they would have been; scores are written
as they stood when scoring closed, since scoring a closed round is refused. No email is sent.
Running it again changes nothing.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from opendeal.core.demo import DEMO_EMAIL_DOMAIN, demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.directory.models import Service, TaxonomyTerm

from . import awards, decisions, directory_listing
from .demo import CLOSED_ROUND_SLUG, DEMO_FUND_SLUG
from .models import (
    ConflictOfInterest,
    EligibilityCheck,
    EligibilityOutcome,
    Grant,
    MonitoringReport,
    Round,
    Score,
    Variation,
)

# Two more fictional panel members beside the demo panel member; they never sign in.
EXTRA_PANEL = [
    ("panel-member-2", "Ruth Ainsworth (fictional)"),
    ("panel-member-3", "Kwame Mensah (fictional)"),
]
# Scores (0-5) on the round's five criteria, in order, per panel member, per project.
SCORES = {
    "Cook and eat together": [[4, 5, 4, 3, 4], [4, 4, 5, 3, 5], [3, 4, 4, 4, 4]],
    # The first two disagree (a spread the moderation page flags); the third is conflicted.
    "Walk and talk": [[2, 2, 3, 1, 2], [5, 3, 5, 4, 4], None],
}
CONFLICT = ("Walk and talk", 2, "The organiser is my next-door neighbour (fictional).")
AWARDS = [
    (
        "Cook and eat together",
        Decimal("24000.00"),
        "A well-evidenced need, strong partnership with Standish Young Carers, and a "
        "credible plan to charge for family sessions as the investment tapers.",
        "Food",
    ),
    (
        "Walk and talk",
        Decimal("1850.00"),
        "Cheap to run, reaches people who live alone, and led by volunteers. The panel "
        "discussed its differing scores and agreed to fund it.",
        "Health",
    ),
]
# A funded project goes live in the directory this long after the decision (the agreement is
# accepted after six days).
LISTED_AFTER_DECISION = datetime.timedelta(days=7)
# Outcomes evidence for each report submitted: (people reached, volunteers, activities).
REPORTED = {
    "Cook and eat together": (146, 11, 88),
    "Walk and talk": (63, 6, 48),
}


def _panel() -> list[User]:
    members = []
    first = User.objects.filter(email=demo_email(Role.PANEL_MEMBER)).first()
    if first is not None:
        members.append(first)
    group = Group.objects.get(name=Role.PANEL_MEMBER.label)
    for local_part, name in EXTRA_PANEL:
        user, created = User.objects.get_or_create(
            email=f"{local_part}@{DEMO_EMAIL_DOMAIN}", defaults={"full_name": name, "is_demo": True}
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        members.append(user)
    return members


def _score(round_: Round, panel: list[User], scored_at: datetime.datetime) -> int:
    criteria = list(round_.criteria.order_by("position"))
    written = 0
    for title, sheets in SCORES.items():
        application = round_.applications.filter(project_title=title).first()
        if application is None:
            continue
        for member, values in zip(panel, sheets, strict=False):
            if (
                values is None
                or Score.objects.filter(application=application, panel_member=member).exists()
            ):
                continue
            Score.objects.bulk_create(
                Score(
                    application=application,
                    criterion=criterion,
                    panel_member=member,
                    score=value,
                    scored_at=scored_at,
                )
                for criterion, value in zip(criteria, values, strict=True)
            )
            written += 1
    title, index, reason = CONFLICT
    application = round_.applications.filter(project_title=title).first()
    if application is not None and len(panel) > index:
        ConflictOfInterest.objects.get_or_create(
            panel_member=panel[index],
            application=application,
            defaults={"round": round_, "reason": reason, "declared_at": scored_at},
        )
    return written


def _award(
    round_: Round,
    officer: User,
    member: User | None,
    spec: tuple,
    decided_at: datetime.datetime,
) -> Grant | None:
    title, amount, reason, term_name = spec
    application = round_.applications.filter(project_title=title).first()
    if application is None or Grant.objects.filter(application=application).exists():
        return None
    EligibilityCheck.objects.get_or_create(
        application=application,
        defaults={
            "outcome": EligibilityOutcome.ELIGIBLE,
            "checked_by": officer,
            "checked_at": round_.closes_at + datetime.timedelta(days=2),
        },
    )
    start = awards.default_start(timezone.localtime(decided_at).date())
    grant = decisions.decide(
        officer,
        application,
        outcome="award",
        reason=reason,
        amount=amount,
        planned_start=start,
        decided_at=decided_at,
        notify=False,
    ).grant
    today = timezone.localdate()
    if member is not None:
        awards.accept_agreement(member, grant)
        Grant.objects.filter(pk=grant.pk).update(
            agreement_accepted_at=decided_at + datetime.timedelta(days=6)
        )
        grant.refresh_from_db()
        _pay_and_report(grant, officer, member, title, today)
    terms = TaxonomyTerm.objects.filter(name=term_name).values_list("id", flat=True)
    service = directory_listing.publish_to_directory(officer, grant, taxonomy_term_ids=list(terms))
    # Dated as it would have been: what was connected to it since counts against the grant.
    Service.objects.filter(id=service.id).update(last_modified=decided_at + LISTED_AFTER_DECISION)
    return grant


def _pay_and_report(grant: Grant, officer: User, member: User, title: str, today) -> None:
    for payment in grant.payments.filter(due_on__lte=today):
        awards.record_payment(
            officer, payment, paid_on=payment.due_on, reference=f"DEMO-BACS-{payment.year:02d}"
        )
    people, volunteers, activities = REPORTED[title]
    for report in grant.monitoring_reports.filter(due_on__lte=today):
        awards.submit_report(
            member,
            report,
            people_reached=people,
            volunteers=volunteers,
            activities=activities,
            narrative="A fictional report for the demo: sessions ran every week as planned.",
        )
        MonitoringReport.objects.filter(pk=report.pk).update(
            submitted_at=datetime.datetime.combine(
                report.due_on - datetime.timedelta(days=5),
                datetime.time(10),
                tzinfo=timezone.get_current_timezone(),
            )
        )


def _variation(grant: Grant, officer: User, member: User | None) -> None:
    if member is None or Variation.objects.filter(grant=grant).exists():
        return
    variation = awards.request_variation(
        member,
        grant,
        description="Move the Thursday evening sessions to Friday mornings, when more "
        "older people can come (fictional).",
        amount_change=Decimal("0"),
    )
    awards.decide_variation(officer, variation, approve=True, reason="No change to cost or reach.")


@transaction.atomic
def load_demo_awards() -> str:
    round_ = Round.objects.filter(fund__slug=DEMO_FUND_SLUG, slug=CLOSED_ROUND_SLUG).first()
    officer = User.objects.filter(email=demo_email(Role.FUND_OFFICER)).first()
    if round_ is None or officer is None:
        return "Fund awards: skipped (load the demo accounts and fund first)."
    member = User.objects.filter(email=demo_email(Role.COMMUNITY_MEMBER)).first()
    panel = _panel()
    scoring_closed = round_.scoring_closes_at or round_.closes_at + datetime.timedelta(days=28)
    scoresheets = _score(round_, panel, scoring_closed - datetime.timedelta(days=3))
    decided_at = scoring_closed + datetime.timedelta(days=14)
    grants = [
        grant
        for spec in AWARDS
        if (grant := _award(round_, officer, member, spec, decided_at)) is not None
    ]
    cook = Grant.objects.filter(application__project_title=AWARDS[0][0]).first()
    if cook is not None:
        _variation(cook, officer, member)
    return (
        f"Fund awards ({round_.title}): {scoresheets} scoresheets and {len(grants)} grants "
        f"added this run; £{decisions.budget_remaining(round_):,.2f} of the budget left."
    )
