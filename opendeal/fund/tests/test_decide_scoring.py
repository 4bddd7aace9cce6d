"""Panel scoring: the maths, conflicts of interest, independence until scoring closes, and
the moderation ranking."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund import scoring
from opendeal.fund.models import ApplicationStatus, ConflictOfInterest, Score
from opendeal.fund.scoring import CriterionScore

from .decide_factories import make_application, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(make_user):
    return [make_user(Role.PANEL_MEMBER, full_name=f"Panel member {n}") for n in range(3)]


def criteria(round_):
    return list(round_.criteria.order_by("position"))


def score_all(member, application, values):
    sheet = {
        criterion.pk: CriterionScore(value)
        for criterion, value in zip(criteria(application.round), values, strict=True)
    }
    return scoring.record_scores(member, application, sheet)


# The maths


def test_weighted_score_is_sum_of_weight_times_score_over_sum_of_weights():
    weights = {1: Decimal("3"), 2: Decimal("2"), 3: Decimal("1")}
    # (3x5 + 2x2 + 1x0) / 6 = 19/6
    assert scoring.weighted_score({1: 5, 2: 2, 3: 0}, weights) == Decimal(19) / Decimal(6)
    assert scoring.weighted_score({1: 4, 2: 4, 3: 4}, weights) == Decimal(4)


def test_weighted_score_is_none_until_every_criterion_is_scored():
    weights = {1: Decimal("3"), 2: Decimal("2")}
    assert scoring.weighted_score({1: 5}, weights) is None
    assert scoring.weighted_score({}, {1: Decimal("0")}) is None


def test_spread_gives_mean_range_and_population_standard_deviation():
    result = scoring.spread(
        [
            Decimal(2),
            Decimal(4),
            Decimal(4),
            Decimal(4),
            Decimal(5),
            Decimal(5),
            Decimal(7),
            Decimal(9),
        ]
    )
    assert result.mean == Decimal(5)
    assert result.range == Decimal(7)
    assert result.standard_deviation == Decimal(2)
    assert result.scorers == 8
    assert scoring.spread([]) is None


def test_high_disagreement_is_flagged_from_a_range_of_one_and_a_half():
    assert scoring.spread([Decimal("1.0"), Decimal("2.5")]).has_high_disagreement
    assert not scoring.spread([Decimal("1.0"), Decimal("2.49")]).has_high_disagreement
    assert not scoring.spread([Decimal("0")]).has_high_disagreement


# Recording scores


def test_a_panel_member_scores_every_criterion(panel):
    application = make_application(make_round())

    saved = score_all(panel[0], application, [5, 3, 1])

    assert [score.score for score in saved] == [5, 3, 1]
    assert Score.objects.filter(application=application, panel_member=panel[0]).count() == 3
    # Scoring again changes the scores rather than adding more.
    score_all(panel[0], application, [4, 4, 4])
    assert sorted(
        Score.objects.filter(application=application).values_list("score", flat=True)
    ) == [4, 4, 4]
    assert AuditEvent.objects.filter(action="fund.scores.recorded").count() == 2


@pytest.mark.parametrize("bad", [6, -1, True, "3"])
def test_scores_outside_zero_to_five_are_refused_and_nothing_is_saved(panel, bad):
    application = make_application(make_round())
    first, second, third = criteria(application.round)

    with pytest.raises(ValidationError):
        scoring.record_scores(
            panel[0],
            application,
            {
                first.pk: CriterionScore(3),
                second.pk: CriterionScore(bad),
                third.pk: CriterionScore(2),
            },
        )

    assert not Score.objects.exists()


def test_criteria_of_another_round_are_refused(panel):
    application = make_application(make_round())
    other = criteria(make_round())[0]

    with pytest.raises(ValidationError):
        scoring.record_scores(panel[0], application, {other.pk: CriterionScore(3)})
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    "status", [ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE, ApplicationStatus.DRAFT]
)
def test_only_eligible_applications_are_scored(panel, status):
    application = make_application(make_round(), status=status)

    with pytest.raises(PermissionDenied):
        score_all(panel[0], application, [1, 2, 3])
    assert not Score.objects.exists()


def test_people_without_the_panel_role_cannot_score(make_user):
    application = make_application(make_round())
    for user in (make_user(Role.FUND_OFFICER), make_user(Role.COMMUNITY_MEMBER)):
        with pytest.raises(PermissionDenied):
            score_all(user, application, [1, 2, 3])
    assert not Score.objects.exists()


def test_scores_cannot_change_after_scoring_closes(panel):
    round_ = make_round()
    application = make_application(round_)
    score_all(panel[0], application, [1, 1, 1])
    round_.scoring_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    round_.save()
    application.refresh_from_db()

    with pytest.raises(ValidationError):
        score_all(panel[0], application, [5, 5, 5])
    assert set(Score.objects.values_list("score", flat=True)) == {1}


# Conflicts of interest


def test_a_declared_conflict_hides_the_application_and_blocks_scoring(panel):
    round_ = make_round()
    application = make_application(round_)
    other = make_application(round_)

    scoring.declare_conflict(panel[0], application, "My sister runs this group.")

    assert scoring.applications_to_score(panel[0], round_) == [other]
    assert scoring.applications_to_score(panel[1], round_) == [application, other]
    assert scoring.can_see_application(panel[0], application) == (
        False,
        "You declared a conflict of interest in this application.",
    )
    with pytest.raises(scoring.ConflictedAccess):
        score_all(panel[0], application, [5, 5, 5])
    assert not Score.objects.exists()
    # Every attempt to reach it is in the audit trail.
    attempts = AuditEvent.objects.filter(action=scoring.CONFLICTED_ACCESS)
    assert attempts.count() == 1
    assert attempts.get().actor == panel[0]
    assert attempts.get().object_id == str(application.public_id)


def test_declaring_a_conflict_withdraws_scores_already_given(panel):
    application = make_application(make_round())
    score_all(panel[0], application, [5, 5, 5])
    score_all(panel[1], application, [2, 2, 2])

    scoring.declare_conflict(panel[0], application, "I am a trustee.")
    scoring.declare_conflict(panel[0], application, "Declared twice.")

    assert ConflictOfInterest.objects.count() == 1
    assert ConflictOfInterest.objects.get().reason == "I am a trustee."
    assert set(Score.objects.values_list("panel_member", flat=True)) == {panel[1].pk}
    declared = AuditEvent.objects.get(action="fund.conflict.declared")
    assert declared.details["scores_withdrawn"] == 3


def test_a_conflict_needs_a_reason(panel):
    application = make_application(make_round())
    with pytest.raises(ValidationError):
        scoring.declare_conflict(panel[0], application, "  ")
    assert not ConflictOfInterest.objects.exists()


def test_a_conflicted_member_cannot_see_scores_even_after_close(panel):
    round_ = make_round(scoring_closes_in_days=None)
    application = make_application(round_)
    scoring.declare_conflict(panel[0], application, "Trustee.")
    round_.scoring_closes_at = timezone.now() - datetime.timedelta(days=1)
    round_.save()
    application.refresh_from_db()

    with pytest.raises(scoring.ConflictedAccess):
        scoring.visible_scores(panel[0], application)


# Independence


def test_panel_members_see_only_their_own_scores_until_scoring_closes(panel, make_user):
    round_ = make_round()
    application = make_application(round_)
    score_all(panel[0], application, [5, 5, 5])
    score_all(panel[1], application, [1, 1, 1])

    mine = scoring.visible_scores(panel[0], application)
    assert {score.panel_member_id for score in mine} == {panel[0].pk}
    assert scoring.can_see_all_scores(panel[0], round_)[0] is False
    # Moderating officers see every score at any time.
    officer = make_user(Role.FUND_OFFICER)
    assert len(scoring.visible_scores(officer, application)) == 6

    round_.scoring_closes_at = timezone.now() - datetime.timedelta(seconds=1)
    round_.save()
    application.refresh_from_db()
    after = scoring.visible_scores(panel[0], application)
    assert {score.panel_member_id for score in after} == {panel[0].pk, panel[1].pk}


def test_a_round_without_a_scoring_close_keeps_scores_independent(panel):
    application = make_application(make_round(scoring_closes_in_days=None))
    score_all(panel[1], application, [1, 1, 1])
    assert scoring.visible_scores(panel[0], application) == []


# Ranking


def test_ranking_orders_by_mean_weighted_score_with_the_spread(panel):
    round_ = make_round()  # weights 3, 2, 1
    low = make_application(round_, title="Low")
    high = make_application(round_, title="High")
    split = make_application(round_, title="Split")
    make_application(round_, title="Unscored")
    make_application(round_, title="Ineligible", status=ApplicationStatus.INELIGIBLE)
    score_all(panel[0], low, [1, 1, 1])
    score_all(panel[1], low, [2, 2, 2])
    score_all(panel[0], high, [5, 4, 3])  # (15 + 8 + 3) / 6 = 26/6
    score_all(panel[1], high, [4, 4, 4])  # 4
    score_all(panel[0], split, [5, 5, 5])  # 5
    score_all(panel[1], split, [1, 1, 1])  # 1
    # A member part-way through does not count.
    scoring.record_scores(panel[2], high, {criteria(round_)[0].pk: CriterionScore(0)})

    rows = scoring.ranking(round_)

    assert [(row.rank, row.application.project_title) for row in rows] == [
        (1, "High"),
        (2, "Split"),
        (3, "Low"),
        (None, "Unscored"),
    ]
    top = rows[0].spread
    assert top.mean == (Decimal(26) / 6 + 4) / 2
    assert scoring.rounded(top.mean) == Decimal("4.17")
    assert scoring.rounded(top.range) == Decimal("0.33")
    assert scoring.rounded(top.standard_deviation) == Decimal("0.17")
    assert top.scorers == 2
    assert rows[0].incomplete_scoresheets == 1
    assert not top.has_high_disagreement
    assert rows[1].spread.mean == Decimal(3)
    assert rows[1].spread.range == Decimal(4)
    assert rows[1].spread.standard_deviation == Decimal(2)
    assert rows[1].spread.has_high_disagreement
    assert rows[3].spread is None
