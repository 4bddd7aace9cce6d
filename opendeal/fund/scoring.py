"""Panel scoring: who may see and score an application, recording scores, keeping scores
independent until the round's scoring closes, and the maths of moderation.

Rules:
- A panel member (permission `fund.score_applications`) sees and scores only applications an
  officer has found eligible (status eligible, more information, awarded or declined).
- A panel member who declares a conflict of interest in an application can no longer see or
  score it: `can_see_application` says no, pages answer 403 saying so (they know the
  application exists) and each attempt is audited. Any
  scores they gave it before declaring are withdrawn.
- Scores are independent: until `round.scoring_closes_at` a panel member sees only their own
  scores. Officers who moderate (`fund.decide_applications`) see every score at any time.
  After scoring closes nobody can change a score.
- An application's weighted score is the mean, across the panel members who scored every
  criterion, of each member's Σ(weight x score) / Σ(weight): a number on the same 0-5 scale.
  A member part-way through does not count until they finish. The spread between scorers is
  given as the range (highest - lowest) and the population standard deviation; a range of
  `DISAGREEMENT_RANGE` or more flags the application for discussion.
- "Answers a recorded gap" (issue 9): when the round's `recorded_gap_weight` is more than 0 it
  is an extra criterion with that weight, scored automatically in every scoresheet: 5 when at
  least one of the application's priorities carries a gap from the care gap map (see
  recorded_gaps.py), else 0. So a sheet is Σ(weight x score) + gap weight x (5 or 0), over
  Σ(weight) + gap weight, still on the 0-5 scale. Panel members' own scores are never changed;
  the automatic part is shown apart from them, with the gap in words, wherever the weighted
  score is. A weight of 0 leaves the scores exactly as without it.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.models import User

from . import recorded_gaps
from .models import (
    Application,
    ApplicationStatus,
    ConflictOfInterest,
    Round,
    Score,
)
from .models.assessment import MAXIMUM_SCORE

# Statuses in which an application has passed the eligibility check, so a panel may score it.
SCOREABLE_STATUSES = (
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.MORE_INFORMATION,
    ApplicationStatus.AWARDED,
    ApplicationStatus.DECLINED,
)
# Scorers whose weighted scores differ by this much (on the 0-5 scale) should talk it through.
DISAGREEMENT_RANGE = Decimal("1.5")
SCORE_PERMISSION = "fund.score_applications"
MODERATE_PERMISSION = "fund.decide_applications"
CONFLICTED_ACCESS = "fund.application.conflicted_access"
TWO_PLACES = Decimal("0.01")


class ConflictedAccess(Exception):
    """A panel member tried to reach an application they declared a conflict in. Pages answer
    403 with a page saying so (`views.conflicts.refuses_conflicted`)."""

    def __init__(self, message: str, application: Application | None = None) -> None:
        super().__init__(message)
        self.application = application


# Who may see what


def has_conflict(panel_member: User, application: Application) -> bool:
    return ConflictOfInterest.objects.filter(
        panel_member=panel_member, application=application
    ).exists()


def can_see_application(user: User, application: Application) -> tuple[bool, str]:
    """Whether a panel member may see (and so score) the application, and if not why."""
    if not user.is_authenticated:
        return False, "Sign in to score applications."
    if not user.has_perm(SCORE_PERMISSION):
        return False, "Your role does not include scoring applications."
    if application.status not in SCOREABLE_STATUSES:
        return False, "Only applications found eligible are scored."
    if has_conflict(user, application):
        return False, "You declared a conflict of interest in this application."
    return True, ""


def application_for_panel_member(user: User, application: Application) -> Application:
    """The application, if the panel member may see it. A conflicted member's attempt is
    audited and raises ConflictedAccess (pages answer 403 saying why: the member knows the
    application exists, so this tells them nothing new); other refusals raise
    PermissionDenied with the reason."""
    refuse_conflicted(user, application)
    require_seeing(user, application)
    return application


def refuse_conflicted(user: User, application: Application) -> None:
    """Audit and raise ConflictedAccess if the user declared a conflict in the application."""
    if user.is_authenticated and has_conflict(user, application):
        audit.record(user, CONFLICTED_ACCESS, application)
        raise ConflictedAccess(
            "You declared a conflict of interest in this application.", application
        )


def require_seeing(user: User, application: Application) -> None:
    allowed, reason = can_see_application(user, application)
    if not allowed:
        raise PermissionDenied(reason)


def applications_to_score(user: User, round_: Round) -> list[Application]:
    """The round's scoreable applications the panel member has no conflict in."""
    return list(
        round_.applications.filter(status__in=SCOREABLE_STATUSES)
        .exclude(conflicts_of_interest__panel_member=user)
        .select_related("organisation", "tier")
        .order_by("submitted_at", "pk")
    )


# Conflicts of interest


def declare_conflict(
    panel_member: User, application: Application, reason: str
) -> ConflictOfInterest:
    """Declare a conflict of interest: from now on the member can neither see nor score the
    application. Scores they had given it are withdrawn. Declaring twice changes nothing."""
    if not panel_member.has_perm(SCORE_PERMISSION):
        raise PermissionDenied("Your role does not include scoring applications.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what the conflict of interest is"})
    with transaction.atomic():
        # The application's row, as `record_scores` locks it: scores being recorded at this
        # moment are either in (and withdrawn below) or wait and then see the conflict.
        application = Application.objects.select_for_update().get(pk=application.pk)
        conflict, created = ConflictOfInterest.objects.get_or_create(
            panel_member=panel_member,
            application=application,
            defaults={"round_id": application.round_id, "reason": reason},
        )
        if created:
            withdrawn, _ = Score.objects.filter(
                panel_member=panel_member, application=application
            ).delete()
            audit.record(
                panel_member,
                "fund.conflict.declared",
                application,
                conflict=str(conflict.public_id),
                scores_withdrawn=withdrawn,
            )
    return conflict


# Scoring


@dataclass(frozen=True)
class CriterionScore:
    score: int
    comment: str = ""


def record_scores(
    panel_member: User, application: Application, scores: Mapping[int, CriterionScore]
) -> list[Score]:
    """Record (or change) the panel member's scores for the application, keyed by criterion
    id. Refuses conflicted members, applications not found eligible, criteria of another
    round, scores outside 0-5, and any change once the round's scoring has closed; a refusal
    changes nothing.

    The conflict and the closing time are checked inside the transaction that writes the
    scores, with the round's row and then the application's row locked (the order awards
    lock them in): `declare_conflict` locks the same application row, so a conflict declared
    at the same moment either comes first and is seen here, or waits and then withdraws
    these scores; and the closing time read is the round's as it stands, not as it was when
    the page loaded."""
    conflicted = False
    saved = []
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=application.round_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if panel_member.is_authenticated and has_conflict(panel_member, application):
            conflicted = True
        else:
            require_seeing(panel_member, application)
            if round_.scoring_is_closed():
                raise ValidationError(
                    "Scoring for this round has closed, so scores can no longer change."
                )
            saved = _save_scores(panel_member, application, round_, scores)
    if conflicted:
        # Audited outside the transaction above, which changed nothing.
        refuse_conflicted(panel_member, application)
    return saved


def _save_scores(
    panel_member: User,
    application: Application,
    round_: Round,
    scores: Mapping[int, CriterionScore],
) -> list[Score]:
    criteria = {criterion.pk: criterion for criterion in round_.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError("Score only this round's criteria.")
    errors = {}
    for criterion_id, given in scores.items():
        if (
            not isinstance(given.score, int)
            or isinstance(given.score, bool)
            or not 0 <= given.score <= MAXIMUM_SCORE
        ):
            errors[f"criterion_{criterion_id}"] = (
                f"Score {criteria[criterion_id].name} from 0 to {MAXIMUM_SCORE}"
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    for criterion_id, given in scores.items():
        score, _ = Score.objects.update_or_create(
            application=application,
            criterion_id=criterion_id,
            panel_member=panel_member,
            defaults={"score": given.score, "comment": given.comment.strip(), "scored_at": now},
        )
        saved.append(score)
    audit.record(panel_member, "fund.scores.recorded", application, criteria=len(saved))
    return saved


def own_scores(panel_member: User, application: Application) -> dict[int, Score]:
    """The panel member's scores for the application, by criterion id."""
    return {
        score.criterion_id: score
        for score in Score.objects.filter(panel_member=panel_member, application=application)
    }


def can_see_all_scores(user: User, round_: Round) -> tuple[bool, str]:
    """Officers who moderate always; panel members once the round's scoring has closed."""
    if user.is_authenticated and user.has_perm(MODERATE_PERMISSION):
        return True, ""
    if not user.is_authenticated or not user.has_perm(SCORE_PERMISSION):
        return False, "Your role does not include scoring applications."
    if not round_.scoring_is_closed():
        return False, (
            "Scores stay independent: you can see other panel members' scores once scoring "
            "for this round closes."
        )
    return True, ""


def visible_scores(user: User, application: Application) -> list[Score]:
    """The scores of the application the user may see: everyone's for moderating officers and,
    after scoring closes, for panel members without a conflict; otherwise only their own."""
    scores = Score.objects.filter(application=application).select_related(
        "criterion", "panel_member"
    )
    allowed, _ = can_see_all_scores(user, application.round)
    if allowed and user.has_perm(MODERATE_PERMISSION):
        return list(scores)
    application_for_panel_member(user, application)
    if allowed:
        return list(scores)
    return list(scores.filter(panel_member=user))


# The maths of moderation


@dataclass(frozen=True)
class RecordedGapCriterion:
    """The automatic criterion "answers a recorded gap" of one application: the round's weight
    and the gaps the application's priorities carry."""

    weight: Decimal
    gaps: tuple[recorded_gaps.RecordedGap, ...] = ()

    @property
    def answers(self) -> bool:
        return bool(self.gaps)

    @property
    def score(self) -> int:
        return MAXIMUM_SCORE if self.gaps else 0

    @property
    def counts(self) -> bool:
        """Whether it is part of the weighted score (the round gives it a weight)."""
        return self.weight > 0

    def __str__(self) -> str:
        return recorded_gaps.describe(self.gaps)


def recorded_gap_criterion(application: Application) -> RecordedGapCriterion:
    return RecordedGapCriterion(
        weight=application.round.recorded_gap_weight,
        gaps=recorded_gaps.for_application(application),
    )


def weighted_score(
    scores: Mapping[int, int],
    weights: Mapping[int, Decimal],
    recorded_gap: RecordedGapCriterion | None = None,
) -> Decimal | None:
    """One scoresheet's Σ(weight x score) / Σ(weight) over all the criteria in `weights`, plus
    the automatic "answers a recorded gap" criterion when given a weight; None while any
    criterion is unscored (or if nothing carries weight)."""
    if set(weights) - set(scores):
        return None
    total_weight = sum(weights.values(), Decimal(0))
    total = sum((weights[key] * scores[key] for key in weights), Decimal(0))
    if recorded_gap is not None and recorded_gap.counts:
        total_weight += recorded_gap.weight
        total += recorded_gap.weight * recorded_gap.score
    if total_weight == 0:
        return None
    return total / total_weight


@dataclass(frozen=True)
class Spread:
    mean: Decimal
    lowest: Decimal
    highest: Decimal
    standard_deviation: Decimal
    scorers: int

    @property
    def range(self) -> Decimal:
        return self.highest - self.lowest

    @property
    def has_high_disagreement(self) -> bool:
        return self.scorers > 1 and self.range >= DISAGREEMENT_RANGE


def spread(sheet_scores: Iterable[Decimal]) -> Spread | None:
    """Mean, range and population standard deviation of the scorers' weighted scores."""
    values = list(sheet_scores)
    if not values:
        return None
    mean = sum(values, Decimal(0)) / len(values)
    variance = sum(((value - mean) ** 2 for value in values), Decimal(0)) / len(values)
    return Spread(
        mean=mean,
        lowest=min(values),
        highest=max(values),
        standard_deviation=variance.sqrt(),
        scorers=len(values),
    )


def rounded(value: Decimal | None) -> Decimal | None:
    """For display: two decimal places."""
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RankedApplication:
    rank: int | None
    application: Application
    spread: Spread | None
    incomplete_scoresheets: int
    recorded_gap: RecordedGapCriterion | None = None


def ranking(round_: Round) -> list[RankedApplication]:
    """The round's scoreable applications, highest mean weighted score first (ties: more
    scorers first, then earliest submitted); those with no complete scoresheet come last,
    unranked. Each row carries its automatic "answers a recorded gap" criterion."""
    weights = {criterion.pk: criterion.weight for criterion in round_.criteria.all()}
    applications = list(
        round_.applications.filter(status__in=SCOREABLE_STATUSES)
        .select_related("organisation", "tier")
        .order_by("submitted_at", "pk")
    )
    sheets: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for application_id, member_id, criterion_id, value in Score.objects.filter(
        application__in=applications
    ).values_list("application_id", "panel_member_id", "criterion_id", "score"):
        sheets[application_id][member_id][criterion_id] = value
    gaps = recorded_gaps.by_application(application.pk for application in applications)
    rows = []
    for application in applications:
        members = sheets.get(application.pk, {})
        automatic = RecordedGapCriterion(round_.recorded_gap_weight, gaps.get(application.pk, ()))
        complete = [
            result
            for result in (
                weighted_score(scores, weights, automatic) for scores in members.values()
            )
            if result is not None
        ]
        rows.append(
            RankedApplication(
                None, application, spread(complete), len(members) - len(complete), automatic
            )
        )
    scored = [row for row in rows if row.spread is not None]
    scored.sort(key=lambda row: (-row.spread.mean, -row.spread.scorers))
    ranked = [
        RankedApplication(
            rank, row.application, row.spread, row.incomplete_scoresheets, row.recorded_gap
        )
        for rank, row in enumerate(scored, start=1)
    ]
    return ranked + [row for row in rows if row.spread is None]
